"""Whole-tree comparison of sample builds with committed golden output (as Pelican does).

After a deliberate change to the output: `make golden`, then review `git diff tests/golden`.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from regenerate_golden import GOLDEN, PROJECTS, build_case

CASES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir())


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES)
def test_build_matches_golden_tree(case, tmp_path):
    build_case(case, tmp_path / "out")
    built, golden = _tree(tmp_path / "out"), _tree(GOLDEN / case)
    assert sorted(built) == sorted(golden), "files differ from tests/golden; run `make golden` if intended"
    for name in golden:
        if built[name] != golden[name]:
            diff = "\n".join(difflib.unified_diff(
                golden[name].decode(errors="replace").splitlines(), built[name].decode(errors="replace").splitlines(),
                f"golden/{case}/{name}", f"built/{name}", lineterm="", n=2))
            pytest.fail(f"{name} differs from the golden copy (run `make golden` if intended):\n{diff}")
