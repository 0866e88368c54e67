"""Rebuild tests/golden/<case>/ from tests/projects/<case>/ (run by `make golden`).

Review the result with `git diff tests/golden` before committing it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECTS = REPO / "tests" / "projects"
GOLDEN = REPO / "tests" / "golden"
AS_OF = "2025-07-01T00:00:00Z"  # fixed, so the golden trees never depend on the clock


def build_case(case: str, out: Path):
    from publisher import build

    return build(PROJECTS / case, out, as_of=AS_OF, layouts=REPO / "layouts", use_cache=False)


def main() -> int:
    for project in sorted(p for p in PROJECTS.iterdir() if p.is_dir()):
        target = GOLDEN / project.name
        shutil.rmtree(target, ignore_errors=True)
        build_case(project.name, target)
        print(f"regenerated {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
