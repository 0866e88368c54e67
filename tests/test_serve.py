"""`publish serve`: a page changes soon after its source does; a broken article shows its error."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO

ARTICLE = "content/ketamine-therapy.md"
TITLE = "title: The Potential Benefits of Ketamine Therapy"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.read().decode("utf-8")


def _until(url: str, wanted: str, seconds: float) -> float | None:
    """Seconds until the page at ``url`` holds ``wanted``, or None if it never did in time."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if wanted in _get(url):
                return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.05)
    return None


@pytest.fixture
def served(tmp_path: Path):
    project = tmp_path / "proj"
    project.mkdir()
    for name in ("content", "layouts"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "publish.toml", project / "publish.toml")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "-C", str(project), "serve", "--port", str(port), "--channel", "html"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1798761600"},
    )
    url = f"http://127.0.0.1:{port}/ketamine-therapy/"
    assert _until(url, "<h1>", 60) is not None, "the server never served the page"
    yield project, url, process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def _edit(project: Path, old: str, new: str) -> None:
    path = project / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_serve_follows_edits_errors_and_fixes(served):
    project, url, process = served
    page = _get(url)
    assert "/__publish/wait" in page  # the reload script is added to served pages...
    assert "/__publish/wait" not in (project / "build/site/ketamine-therapy/index.html").read_text(encoding="utf-8")

    _edit(project, TITLE, "title: A Title Edited While Serving")
    took = _until(url, "<h1>A Title Edited While Serving</h1>", 10)
    assert took is not None and took < 2.0, f"the page changed after {took} s"

    _edit(project, "title: A Title Edited While Serving", "titel: Broken")
    assert _until(url, "the last build failed", 10) is not None
    page = _get(url)
    assert "did you mean &#x27;title&#x27;?" in page and "A Title Edited While Serving" in page  # last good page

    _edit(project, "titel: Broken", "title: Fixed Again")
    assert _until(url, "<h1>Fixed Again</h1>", 10) is not None
    assert "the last build failed" not in _get(url)

    process.send_signal(signal.SIGINT)  # Ctrl-C stops it cleanly
    output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output
    assert "Stopped." in output and "Traceback" not in output
