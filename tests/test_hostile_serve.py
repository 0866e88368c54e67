"""`publish serve` under hostile requests: every request gets a status, nothing outside the
site folder is served, no traceback reaches a response or the terminal, and the server keeps
serving pages.

One server runs for the whole module (a build takes seconds); requests are sent raw over a
socket, so the server sees exactly the bytes written here.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, free_port, wait_for_page

SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"
PAGE = "/ketamine-therapy/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(port, build folder, log file) of a running ``publish serve`` with a few planted files."""
    project = tmp_path_factory.mktemp("hostile-serve") / "proj"
    project.mkdir()
    for name in ("content", "layouts"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "publish.toml", project / "publish.toml")
    port, log = free_port(), project.parent / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "publisher", "-C", str(project), "serve", "--port", str(port), "--channel", "html"],
            stdout=output, stderr=subprocess.STDOUT, env={**os.environ, "SOURCE_DATE_EPOCH": "1798761600"})
    try:
        assert wait_for_page(f"http://127.0.0.1:{port}{PAGE}", "<h1>", 60) is not None, log.read_text()
        plant(project / "build", project.parent)
        yield port, process, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)


def plant(build: Path, outside: Path) -> None:
    """Secrets beside the site and outside the build, links that lead to them, and pages that
    are not UTF-8. The served site is replaced only by a rebuild, and nothing here triggers one."""
    (build / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "secrets").mkdir()
    (outside / "secrets" / "index.html").write_text(f"<html><body>{SECRET}</body></html>", encoding="utf-8")
    site = build / "site"
    (site / "leak.txt").symlink_to(outside / "secret.txt")
    (site / "leak.html").symlink_to(outside / "secrets" / "index.html")
    (site / "leaks").symlink_to(outside / "secrets", target_is_directory=True)
    (site / "loop").symlink_to(site / "loop")
    (site / "inside.html").symlink_to(site / "index.html")  # a link that stays inside is fine
    (site / "latin1").mkdir()
    (site / "latin1" / "index.html").write_bytes(b"<html><body><p>caf\xe9 \xff\xfe</p></body></html>")
    (site / "latin1" / "bare.html").write_bytes(b"caf\xe9 without a body tag \x80")
    (site / "empty").mkdir()


def exchange(port: int, request: bytes) -> tuple[int, dict, bytes]:
    """Send ``request`` as it is; (status, headers, body) of the answer (status 0: none came)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := connection.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass  # the answer came before the reset, or the status is 0 and the test says so
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/"):
        return 0, {}, data
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def get(port: int, target: bytes, method: bytes = b"GET", headers: bytes = b"") -> tuple[int, dict, bytes]:
    return exchange(port, method + b" " + target + b" HTTP/1.1\r\nHost: localhost\r\n" + headers + b"\r\n")


def still_serves(port: int, process) -> None:
    status, _, body = get(port, PAGE.encode())
    assert status == 200 and b"<h1>" in body, (status, body[:200])
    assert process.poll() is None


def refused(status: int, body: bytes) -> None:
    assert SECRET.encode() not in body and b"Traceback" not in body, body[:300]


@pytest.mark.parametrize("target, statuses", [
    (b"/%00", {400}),
    (b"/ketamine-therapy/%00index.html", {400}),
    (b"/\x00", {400}),
    (b"/ketamine-therapy/\x00/", {400}),
    (b"/%zz", {400}),
    (b"/ketamine-therapy/%", {400}),
    (b"/%ff%fe", {400}),
    (b"/%c0%ae%c0%ae/secret.txt", {400}),  # overlong UTF-8 for '..'
    (b"/" + b"a" * 5000, {404}),
    (b"/" + b"a/" * 3000 + b"index.html", {404}),
    (b"/../secret.txt", {400}),
    (b"/../../secret.txt", {400}),
    (b"/%2e%2e/secret.txt", {400}),
    (b"/%2E%2E%2Fsecret.txt", {400}),
    (b"/ketamine-therapy/../../secret.txt", {400}),
    (b"/ketamine-therapy/%2e%2e/%2e%2e/secret.txt", {400}),
    (b"/..%5csecret.txt", {400}),
    (b"/..\\secret.txt", {400}),
    (b"/ketamine-therapy\\index.html", {400}),
    (b"//etc/passwd", {404}),
    (b"/leak.txt", {404}),
    (b"/leak.html", {404}),
    (b"/leaks/", {404}),
    (b"/leaks/index.html", {404}),
    (b"/loop", {404}),
    (b"/loop/x", {404}),
    (b"/no-such-page/", {404}),
    (b"/empty/", {404}),
    (b"http://[bad/", {400}),
    (b"*", {404}),
])
def test_bad_paths_get_400_or_404_and_nothing_from_outside(served, target, statuses):
    port, process, _ = served
    status, headers, body = get(port, target)
    assert status in statuses, (status, body[:300])
    refused(status, body)
    if status == 400:
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert body.endswith(b"\n") and len(body.splitlines()) == 1, body  # one line saying why
    if status == 404:  # the site's own 404 page, as a static host shows it
        assert headers["content-type"] == "text/html; charset=utf-8"
        page = BeautifulSoup(body, "html5lib")
        assert page.h1 is not None and "/__publish/wait" in body.decode("utf-8")
    still_serves(port, process)


def test_a_link_that_stays_inside_the_site_is_served(served):
    port = served[0]
    status, _, body = get(port, b"/inside.html")
    assert status == 200 and b"/__publish/wait" in body


def test_a_folder_without_its_slash_is_redirected(served):
    port = served[0]
    status, headers, _ = get(port, b"/ketamine-therapy?x=1")
    assert status == 301 and headers["location"] == "/ketamine-therapy/?x=1"


@pytest.mark.parametrize("query", [b"?q=%zz", b"?%ff%fe=%00", b"?" + b"&" * 5000, b"?version=abc"])
def test_a_page_ignores_a_bad_query(served, query):
    port = served[0]
    status, _, body = get(port, PAGE.encode() + query)
    assert status == 200 and b"<h1>" in body


def test_pages_that_are_not_utf8_are_served_with_their_bytes(served):
    port, process, _ = served
    status, headers, body = get(port, b"/latin1/")
    assert status == 200
    assert body.startswith(b"<html><body><p>caf\xe9 \xff\xfe</p>") and body.endswith(b"</body></html>")
    assert b"/__publish/wait" in body and int(headers["content-length"]) == len(body)
    status, _, body = get(port, b"/latin1/bare.html")
    assert status == 200 and body.startswith(b"caf\xe9 without a body tag \x80") and b"/__publish/wait" in body
    still_serves(port, process)


@pytest.mark.parametrize("query", [b"abc", b"1.5", b"%zz", b"%ff", b"", b"1&version=2", b"9" * 40, b"\xff", b"1%00"])
def test_a_bad_version_to_wait_for_is_400(served, query):
    port, process, _ = served
    status, _, body = get(port, b"/__publish/wait?version=" + query)
    assert status == 400 and b"version must be one whole number" in body, (status, body)
    still_serves(port, process)


def test_waiting_for_another_version_answers_at_once(served):
    port = served[0]
    status, headers, body = get(port, b"/__publish/wait?version=-1")
    assert status == 200 and headers["content-type"] == "application/json" and body.startswith(b'{"version": ')
    status, _, body = get(port, b"/__publish/wait")  # no version: answers with the current one
    assert status == 200 and body.startswith(b'{"version": ')


def test_head_answers_like_get_without_a_body(served):
    port = served[0]
    _, got, page = get(port, PAGE.encode())
    status, headers, body = get(port, PAGE.encode(), method=b"HEAD")
    assert status == 200 and body == b""
    assert headers["content-length"] == got["content-length"] == str(len(page))
    assert get(port, b"/%00", method=b"HEAD")[0] == 400
    assert get(port, b"/leak.txt", method=b"HEAD")[0:3:2] == (404, b"")


@pytest.mark.parametrize("method", [b"POST", b"PUT", b"DELETE", b"OPTIONS", b"BREW", b"G\x00T"])
def test_unknown_methods_are_refused(served, method):
    port, process, _ = served
    status, _, body = get(port, PAGE.encode(), method=method, headers=b"Content-Length: 3\r\n\r\nabc")
    assert status in (400, 405, 501), (status, body)
    refused(status, body)
    still_serves(port, process)


@pytest.mark.parametrize("request_bytes, statuses", [
    # Too long: exactly one byte over http.server's limit of 65536, so the server reads all that is sent
    # (had it left bytes unread, its close would reset the connection before the answer is read).
    (b"GET /" + b"a" * (65537 - 5), {414}),
    (b"GET / HTTP/1.1\r\nX-Long: " + b"a" * (65537 - 8), {431}),
    (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(101)), {431}),
    (b"GET " + PAGE.encode() + b" HTTP/1.1\r\nX-Long: " + b"a" * 60_000 + b"\r\n\r\n", {200}),
    (b"GET / HTTP/9.9\r\n\r\n", {505}),
    (b"GET / HTTP/1.x\r\n\r\n", {400}),
    (b"hello\r\n\r\n", {400}),
    (b"\xff\xfe\x00\r\n\r\n", {400}),
    (b"GET / HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n", {200}),
    (b"GET /ketamine-therapy/\r\n\r\n", {200}),  # HTTP/0.9: still answered with a status line
    (b"GET /ketamine-therapy/ HTTP/1.1\r\nBroken header line\r\n\r\n", {200, 400}),
])
def test_malformed_requests_and_very_long_headers(served, request_bytes, statuses):
    port, process, _ = served
    status, _, body = exchange(port, request_bytes)
    assert status in statuses, (status, body[:300])
    refused(status, body)
    still_serves(port, process)


def test_clients_that_hang_up_early(served):
    port, process, _ = served
    for partial in (b"", b"GET", b"GET /ketamine-therapy/ HTTP/1.1\r\nHost: x"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(partial)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:  # reads nothing of the page
        connection.sendall(b"GET /ketamine-therapy/ HTTP/1.1\r\n\r\n")
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    time.sleep(0.2)
    still_serves(port, process)


def test_zz_after_all_of_that_no_traceback_and_a_clean_stop(served):
    """Runs last (file order): the terminal shows builds, never a traceback."""
    port, process, log = served
    still_serves(port, process)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=10)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert process.returncode == 0, output
    assert "Traceback" not in output and "Exception" not in output and "Error" not in output, output
    assert "Stopped." in output
