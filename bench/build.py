"""Benchmark: time `publish build` on a generated corpus and print the figures.

    .venv/bin/python bench/build.py                     # 50 articles, every channel
    .venv/bin/python bench/build.py --articles 200 --channel html

Each article is about 900 words in the project's format, with the repository's disclaimers and
layouts. Prints, for each run, the median of --repeat runs: a cold build (empty cache), and a
no-op rebuild (nothing changed, cache warm).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "Regular check-ups help people and their clinicians notice changes early. A clinician can explain "
    "what a result means, which options exist and what is still uncertain. Treatments work differently "
    "for different people, so a plan is made together and reviewed over time. Side effects, other "
    "medicines and personal goals all shape that plan, and questions are always welcome. "
)


def make_corpus(root: Path, count: int) -> None:
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "content" / "disclaimers", root / "content" / "disclaimers")
    shutil.copy(REPO / "publish.toml", root / "publish.toml")
    for number in range(count):
        sections = "\n".join(f"## Section {s} of article {number}\n\n{PARAGRAPH * 3}\n\n{PARAGRAPH * 2}\n"
                             for s in range(1, 4))
        (root / "content" / f"article-{number:04d}.md").write_text(
            f"---\nid: {uuid.UUID(int=number + 1)}\ntitle: Sample article {number}\n"
            f"date: 2025-01-{number % 28 + 1:02d}\nauthor: Bench\n"
            f"description: A generated article for benchmarks.\ntags: [bench]\n---\n\n{PARAGRAPH}\n\n{sections}",
            encoding="utf-8",
        )


def timed(project: Path, channels, use_cache: bool) -> float:
    from publisher import build

    started = time.perf_counter()
    build(project, project / "build", channels=channels, as_of="2026-01-01", use_cache=use_cache)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--channel", action="append", dest="channels")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        make_corpus(project, args.articles)
        cold, noop = [], []
        for _ in range(args.repeat):
            shutil.rmtree(project / ".cache", ignore_errors=True)
            cold.append(timed(project, args.channels, True))
            noop.append(timed(project, args.channels, True))
        channels = ",".join(args.channels or ["all"])
        for label, runs in (("cold build", cold), ("no-op rebuild", noop)):
            median = statistics.median(runs)
            print(f"{label:14} {args.articles:5d} articles  channels={channels:12}  "
                  f"median {median:7.2f} s  ({median / args.articles * 1000:6.1f} ms/article)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
