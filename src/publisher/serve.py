"""``publish serve``: build, serve the site on loopback, rebuild on every change, reload pages.

The reload script and the error box are added to HTML as it is served, never written to the
build. A build that fails keeps the last good pages served, with its errors on top of them and
in the terminal. Rebuilds are cheap because conversions and leaflets come from the cache, and
the new pages are served before the search index is brought up to date.
"""

from __future__ import annotations

import functools
import html
import json
import re
import signal
import sys
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, quote, unquote_to_bytes, urlsplit

from .errors import Diagnostic, PublishError, error
from .api import build
from .pipeline import Superseded

RELOAD_SCRIPT = """<script>
(function () {
  var version = %d;
  function wait() {
    fetch("/__publish/wait?version=" + version).then(function (r) { return r.json(); }).then(function (d) {
      if (d.version !== version) { location.reload(); } else { wait(); }
    }).catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
</script>"""
ERROR_BOX = ('<div role="alert" style="position:sticky;top:0;z-index:9;background:#fff0f0;color:#600;'
             'border:3px solid #c00;padding:1rem;font:14px/1.4 monospace;white-space:pre-wrap">'
             '<strong>publish: {}</strong>\n{}</div>')
FAILED = "the last build failed; these pages are from the build before."
AFTER_PUBLISHING = "these pages are up to date, but a step after them failed."
BARE_PAGE = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body></body></html>"


class LiveSite:
    """The served folder, the current build's version and errors, and the waiters for a change."""

    def __init__(self, project: Path, out: Path, build_options: dict, echo: Callable[[str], None]) -> None:
        self.project, self.out, self.options, self.echo = project, out, build_options, echo
        self.version = 0
        self.errors: list[Diagnostic] = []
        self.headline = FAILED
        self.changed = threading.Condition()

    def rebuild(self, superseded: Callable[[], bool] | None = None) -> None:
        """Build; the new pages are served (and open pages reload) as soon as they are in place,
        before the search index is brought up to date and the old build deleted (pipeline.run).
        When ``superseded()`` turns true (a newer change came in), the build stops unfinished
        and the last good pages stay served, for the next build to replace."""
        published = []

        def on_published(report) -> None:
            published.append(report)
            self._settle([], f"Built {len(report.articles)} articles.")

        try:
            report = build(self.project, self.out, on_published=on_published, superseded=superseded, **self.options)
            if not published:  # up to date: the stamp answered, nothing was swapped in
                self._settle([], f"Built {len(report.articles)} articles.")
            return
        except Superseded:
            self.echo("Changed again while building: building the newer sources.")
            return
        except PublishError as exc:
            errors = exc.diagnostics
        except Exception as exc:  # a bug of ours: keep serving, say what happened, and where to report it
            errors = [error(None, None, "build.internal", f"publish failed unexpectedly ({type(exc).__name__}: "
                                                          f"{exc}); please report this with the steps that led to it")]
        for diagnostic in errors:
            self.echo(str(diagnostic))
        self.echo("Search is not up to date; the pages are." if published else
                  "Build failed; still serving the last good pages.")
        self._settle(errors, None, pages_current=bool(published))

    def _settle(self, errors: list[Diagnostic], said: str | None, pages_current: bool = False) -> None:
        """A build ended (or its pages are in place): a new version for open pages to reload."""
        if said:
            self.echo(said)
        with self.changed:
            self.version += 1
            self.errors = errors
            self.headline = AFTER_PUBLISHING if pages_current else FAILED
            self.changed.notify_all()

    def wait_for_change(self, version: int, timeout: float = 25.0) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != version, timeout=timeout)
            return self.version

    def decorate(self, page: bytes) -> bytes:
        """The page with the reload script, and the errors of the last build when it failed.

        Bytes in, bytes out: a page that is not UTF-8 is served as it is, with the script added.
        """
        extra = RELOAD_SCRIPT % self.version
        if self.errors:
            extra = ERROR_BOX.format(self.headline, html.escape("\n".join(str(d) for d in self.errors))) + extra
        added = extra.encode("utf-8", "backslashreplace")  # a file name in an error may not be UTF-8
        index = page.rfind(b"</body>")
        return page[:index] + added + page[index:] if index != -1 else page + added


BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
VERSION = re.compile(r"-?[0-9]{1,18}")


class Refused(Exception):
    """A request answered with an error status; the message says why, for the response body."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def site_file(root: Path, url_path: str) -> tuple[Path, list[str]]:
    """The file or folder under ``root`` that a URL path names, and the path's segments.

    Refuses (400) what no build writes: bad percent-escapes, non-UTF-8, NUL, backslashes and '..';
    answers 404 for anything not inside ``root`` once symbolic links are resolved.
    """
    if BAD_ESCAPE.search(url_path):
        raise Refused(HTTPStatus.BAD_REQUEST, "the path has a malformed percent-escape (use %XX, X a hex digit)")
    try:
        path = unquote_to_bytes(url_path).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(HTTPStatus.BAD_REQUEST, "the path is not UTF-8 once its percent-escapes are decoded") from None
    segments = [s for s in path.split("/") if s and s != "."]
    if "\0" in path or "\\" in path or ".." in segments:
        raise Refused(HTTPStatus.BAD_REQUEST, "the path holds a NUL, a backslash or a '..' segment")
    target = root.joinpath(*segments)
    try:
        inside = target.resolve().is_relative_to(root.resolve())
        exists = inside and target.exists()
    except (OSError, RuntimeError):  # a name too long, a loop of symbolic links
        exists = False
    if not exists:
        raise Refused(HTTPStatus.NOT_FOUND, "no such page")
    return target, segments


def make_handler(site: LiveSite):
    class Handler(SimpleHTTPRequestHandler):
        timeout = 60  # seconds a client may take to send its request: an idle connection is closed
        default_request_version = "HTTP/1.0"  # else a garbled request line is answered without a status line

        def do_GET(self):  # noqa: N802 (http.server's naming)
            self._answer(body=True)

        def do_HEAD(self):  # noqa: N802
            self._answer(body=False)

        def _answer(self, body: bool) -> None:
            """Every request gets a status: a page, a redirect, or an error with a one-line reason."""
            self.body = body
            try:
                self._route()
            except Refused as refused:
                page = site.out / "site" / "404.html"
                if refused.status == HTTPStatus.NOT_FOUND and page.is_file():  # the site's own, as its host shows it
                    self._send(site.decorate(page.read_bytes()), "text/html; charset=utf-8", refused.status)
                else:
                    self._send(f"{refused}\n".encode(), "text/plain; charset=utf-8", refused.status)
            except (ConnectionError, TimeoutError):
                pass  # the client hung up or went quiet: nobody to answer
            except Exception as exc:  # a bug of ours: answer 500, say so in the terminal, keep serving
                site.echo(f"publish serve: {self.command} {self.path[:200]!r} failed ({type(exc).__name__}: {exc}); "
                          "please report this with the steps that led to it")
                self._send(b"internal error; see the terminal running publish serve\n", "text/plain; charset=utf-8",
                           HTTPStatus.INTERNAL_SERVER_ERROR)

        def _route(self) -> None:
            try:
                parts = urlsplit(self.path)
            except ValueError:
                raise Refused(HTTPStatus.BAD_REQUEST, "the request's address cannot be parsed") from None
            if parts.path == "/__publish/wait":
                versions = parse_qs(parts.query, keep_blank_values=True).get("version", ["-1"])
                if len(versions) != 1 or not VERSION.fullmatch(versions[0]):
                    raise Refused(HTTPStatus.BAD_REQUEST, "version must be one whole number, as in ?version=3")
                version = site.wait_for_change(int(versions[0]))
                return self._send(json.dumps({"version": version}).encode(), "application/json")
            root = site.out / "site"
            if not root.is_dir():  # no good build yet: show the errors
                return self._send(site.decorate(BARE_PAGE.encode()), "text/html; charset=utf-8",
                                  HTTPStatus.SERVICE_UNAVAILABLE)
            target, segments = site_file(root, parts.path)
            if target.is_dir():
                if not parts.path.endswith("/"):  # relative links in the page need the slash
                    return self._redirect("/" + "".join(quote(s, safe="") + "/" for s in segments)
                                          + (f"?{parts.query}" if parts.query else ""))
                target = target / "index.html"
            try:
                data = target.read_bytes()
            except OSError:  # a folder without index.html, or a file that went away meanwhile
                raise Refused(HTTPStatus.NOT_FOUND, "no such page") from None
            if target.suffix == ".html":
                return self._send(site.decorate(data), "text/html; charset=utf-8")
            return self._send(data, self.guess_type(str(target)))

        def _redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, data: bytes, media_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.body:
                self.wfile.write(data)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass  # quiet: the terminal shows builds, not every request

    return functools.partial(Handler, directory=str(site.out / "site"))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, echo: Callable[[str], None]) -> None:
        self.echo = echo
        super().__init__(address, handler)

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up is no news; anything else is one line, never a traceback."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            self.echo(f"publish serve: a request from {client_address[0]} failed ({type(exc).__name__}: {exc})")


def serve(project: Path, out: Path, host: str, port: int, build_options: dict, echo: Callable[[str], None],
          watched: list[Path]) -> None:
    """Serve until interrupted (Ctrl-C)."""
    import watchfiles

    site = LiveSite(project, out, build_options, echo)
    site.rebuild()
    server = Server((host, port), make_handler(site), echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f"Serving {out / 'site'} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
    stop, changed = threading.Event(), threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C, or a service manager stopping us
        signal.signal(signum, lambda *_: stop.set())

    def watch() -> None:  # in its own thread, so a change is seen while a build runs
        try:
            for _ in watchfiles.watch(*[p for p in watched if p.exists()], stop_event=stop, debounce=400,
                                      raise_interrupt=False):
                changed.set()
        except Exception as exc:  # the watched folders went away, or the system's watches ran out
            echo(f"publish serve: watching for changes failed ({type(exc).__name__}: {exc}); stopping")
            stop.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        while not stop.is_set():
            if changed.wait(timeout=0.25):
                changed.clear()
                site.rebuild(superseded=changed.is_set)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        watcher.join(timeout=5)
        echo("Stopped.")
