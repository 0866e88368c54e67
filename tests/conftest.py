"""Shared fixtures and helpers: a throwaway copy of the project, article writers, CLI runner."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import threading
import time
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from publisher.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
AS_OF = "2027-01-01"  # after the sample article's date (2026-11-28); never the clock

GOOD_FRONT_MATTER = (
    "title: A Test Article\n"
    "date: 2026-06-01\n"
    "author: A. Writer\n"
    "description: A short test article.\n"
)


@contextlib.contextmanager
def deadline(seconds: float, what: str):
    """Fail, rather than hang, when ``what`` runs past ``seconds``: a generous bound against runaway
    work (a quadratic check of a megabyte takes hours), never a measure of speed (bench/ measures
    speed). The bound is a SIGALRM timer, so the work is stopped where it is."""
    def expired(signum, frame):
        pytest.fail(f"{what} did not finish within {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def copy_repo(dest: Path, auto_summary: bool = False) -> Path:
    """A copy of the repository's content, layouts and publish.toml at ``dest``.

    ``auto_summary``: articles written by tests have no plain_summary, so let the summary channel
    draft one (the repository's own article keeps its authored summary).
    """
    dest.mkdir(parents=True)
    shutil.copytree(REPO / "content", dest / "content")
    shutil.copytree(REPO / "layouts", dest / "layouts")
    shutil.copy2(REPO / "publish.toml", dest / "publish.toml")
    if auto_summary:
        config = dest / "publish.toml"
        config.write_text(config.read_text(encoding="utf-8").replace("auto = false", "auto = true"), encoding="utf-8")
    return dest


def tiny_png() -> bytes:
    """A valid 1 x 1 PNG image (one white pixel), for articles that embed an image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\xff\xff\xff")) \
        + chunk(b"IEND", b"")


def settle(project: Path) -> None:
    """Move every source's modification time a minute back, as if it had been edited earlier:
    a build does not trust files changed in the last two seconds to be up to date."""
    past = time.time() - 60
    for path in [project / "publish.toml", *(project / "content").rglob("*"), *(project / "layouts").rglob("*")]:
        os.utime(path, (past, past))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's project in tmp_path/proj, with [summary] auto = true."""
    return copy_repo(tmp_path / "proj", auto_summary=True)


def edit_file(project: Path, relpath: str, old: str, new: str) -> None:
    """Replace the first ``old`` in ``project/relpath`` with ``new``; ``old`` must be there."""
    path = project / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relpath}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_front_matter(path: Path, key: str, value: str) -> None:
    """Add one front-matter line just below a file's opening '---'."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", f"---\n{key}: {value}\n", 1), encoding="utf-8")


def write_article(project: Path, name: str, front_matter: str, body: str = "Some text.\n") -> Path:
    """Write content/<name>.md as '---\\n{front_matter}---\\n{body}'."""
    if front_matter and not front_matter.endswith("\n"):
        front_matter += "\n"
    path = project / "content" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front_matter}---\n{body}", encoding="utf-8")
    return path


def run_cli(project: Path | None, *args: str, env: dict | None = None):
    """Invoke ``publish [-C project] args...`` in-process; returns click's Result."""
    runner = CliRunner()
    argv = (["-C", str(project)] if project is not None else []) + list(args)
    return runner.invoke(main, argv, env=env, catch_exceptions=True)


def build_cli(project: Path, *args: str, env: dict | None = None):
    """``publish -C project build --as-of 2027-01-01 args...`` unless args give their own --as-of."""
    extra = [] if any(a == "--as-of" or a.startswith("--as-of=") for a in args) else ["--as-of", AS_OF]
    return run_cli(project, "build", *extra, *args, env=env)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` as relative posix path -> bytes (empty dict if missing)."""
    folder = Path(folder)
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def normalise(text: str) -> str:
    """Typographic quotes to ASCII, whitespace folded; no space before closing punctuation.

    get_text(" ") puts a space between '<strong>off-label</strong>' and a following ':'; the
    last rule undoes that on both sides of a comparison (the sources never have such a space).
    """
    text = re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()
    return re.sub(r" (?=[.,;:!?)])", "", text)


def parse_html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(Path(path).read_bytes(), "html5lib")


def visible_text(element) -> str:
    return normalise(element.get_text(" "))


def output_of(result) -> str:
    """Everything the command printed (stdout and stderr), plus the traceback of a crash.

    CliRunner catches an unexpected exception instead of printing it the way a real run
    would, so it is added here: 'Traceback' in the text means the command crashed.
    """
    text = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text += "\n" + "".join(traceback.format_exception(*result.exc_info))
    return text


def ok(result) -> str:
    """A clean success: exit 0, no crash. Returns what was printed."""
    text = output_of(result)
    assert result.exit_code == 0, text
    assert "Traceback" not in text, text
    return text


def failed(result) -> str:
    """A clean failure: exit 1, diagnostics, no crash. Returns what was printed."""
    text = output_of(result)
    assert result.exit_code == 1, text
    assert "Traceback" not in text, text
    return text


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str) -> str:
    """The page at ``url`` (an error page too); empty while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError):
        return ""


def wait_for_page(url: str, wanted: str, seconds: float, present: bool = True) -> float | None:
    """Seconds until the page at ``url`` holds ``wanted`` (with ``present=False``: no longer
    holds it), or None if it never did in time."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if (wanted in http_get(url)) == present:
            return time.monotonic() - started
        time.sleep(0.05)
    return None


# A local HTTP server that records every connection and request: proves nothing is fetched.
class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    def verify_request(self, request, client_address):
        self.seen.append(f"connection from {client_address}")  # even one that never sends a request
        return True


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.seen.append(f"GET {self.path}")
        body = b"body { color: red }" if self.path.endswith(".css") else b"\x89PNG\r\n\x1a\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A local HTTP server that records every connection and request made to it."""
    recorder = _Recorder()
    thread = threading.Thread(target=recorder.serve_forever, daemon=True)
    thread.start()
    try:
        # the recorder works: a real request is seen (then forgotten)
        port = recorder.server_address[1]
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(f"http://127.0.0.1:{port}/probe.png", timeout=5) as response:
            response.read()
        assert any("GET /probe.png" in s for s in recorder.seen), recorder.seen
        recorder.seen.clear()
        yield recorder
    finally:
        recorder.shutdown()
        recorder.server_close()
        thread.join(timeout=5)


