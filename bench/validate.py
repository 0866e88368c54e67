"""The validation stage of a cold build: what `publish check` is held to (at most 1.2 x this).

    .venv/bin/python bench/validate.py PROJECT AS_OF     # prints the seconds the stage took

A build validates everything before it renders anything (src/publisher/plan.py): configuration,
content, disclaimers, layouts, claims, review, embedded files, addresses, conversions and the
summaries' readability. This times exactly that stage, as a cold build of html, rss and summary
runs it (no cache read or kept, so pandoc converts every document), in this fresh process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from publisher.api import resolve_now
from publisher.channels import default_channels
from publisher.model import Project
from publisher.plan import Options, make_plan


def main(project: str, as_of: str) -> int:
    paths = Project.at(Path(project))
    options = Options(now=resolve_now(as_of), channels=("html", "rss", "summary"), out=paths.root / "build",
                      use_cache=False)
    started = time.perf_counter()
    plan = make_plan(paths, options, default_channels())
    seconds = time.perf_counter() - started
    plan.raise_if_errors()
    print(f"{seconds:.4f} {len(plan.entries)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
