"""`publish serve`: a page changes soon after its source does; a broken article shows its error."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, free_port, http_get, wait_for_page

ARTICLE = "content/ketamine-therapy.md"
TITLE = "title: The Potential Benefits of Ketamine Therapy"


@pytest.fixture
def served(tmp_path: Path):
    project = tmp_path / "proj"
    project.mkdir()
    for name in ("content", "layouts"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "publish.toml", project / "publish.toml")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "-C", str(project), "serve", "--port", str(port), "--channel", "html"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1798761600"},
    )
    url = f"http://127.0.0.1:{port}/ketamine-therapy/"
    assert wait_for_page(url, "<h1>", 60) is not None, "the server never served the page"
    yield project, url, process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def _edit(project: Path, old: str, new: str) -> None:
    path = project / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_serve_follows_edits_errors_and_fixes(served):
    project, url, process = served
    page = http_get(url)
    assert "/__publish/wait" in page  # the reload script is added to served pages...
    assert "/__publish/wait" not in (project / "build/site/ketamine-therapy/index.html").read_text(encoding="utf-8")

    _edit(project, TITLE, "title: A Title Edited While Serving")
    took = wait_for_page(url, "<h1>A Title Edited While Serving</h1>", 10)
    assert took is not None, "the page did not change within 10 s of its source"  # speed: bench/, not here

    _edit(project, "title: A Title Edited While Serving", "titel: Broken")
    assert wait_for_page(url, "the last build failed", 10) is not None
    page = http_get(url)
    assert "did you mean &#x27;title&#x27;?" in page and "A Title Edited While Serving" in page  # last good page

    _edit(project, "titel: Broken", "title: Fixed Again")
    assert wait_for_page(url, "<h1>Fixed Again</h1>", 10) is not None
    assert wait_for_page(url, "the last build failed", 10, present=False) is not None

    process.send_signal(signal.SIGINT)  # Ctrl-C stops it cleanly
    output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output
    assert "Stopped." in output and "Traceback" not in output
