"""``publish serve``: build, serve the site on loopback, rebuild on every change, reload pages.

The reload script and the error box are added to HTML as it is served, never written to the
build. A build that fails keeps the last good pages served, with its errors on top of them and
in the terminal. Rebuilds are cheap because conversions and leaflets come from the cache.
"""

from __future__ import annotations

import functools
import html
import json
import signal
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from .errors import Diagnostic, PublishError, error
from .api import build

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
             '<strong>publish: the last build failed; these pages are from the build before.</strong>\n{}</div>')
BARE_PAGE = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body></body></html>"


class LiveSite:
    """The served folder, the current build's version and errors, and the waiters for a change."""

    def __init__(self, project: Path, out: Path, build_options: dict, echo: Callable[[str], None]) -> None:
        self.project, self.out, self.options, self.echo = project, out, build_options, echo
        self.version = 0
        self.errors: list[Diagnostic] = []
        self.changed = threading.Condition()

    def rebuild(self) -> None:
        try:
            report = build(self.project, self.out, **self.options)
            errors: list[Diagnostic] = []
            self.echo(f"Built {len(report.articles)} articles.")
        except PublishError as exc:
            errors = exc.diagnostics
        except Exception as exc:  # a bug of ours: keep serving, say what happened, and where to report it
            errors = [error(None, None, "build.internal", f"publish failed unexpectedly ({type(exc).__name__}: "
                                                          f"{exc}); please report this with the steps that led to it")]
        if errors:
            for diagnostic in errors:
                self.echo(str(diagnostic))
            self.echo("Build failed; still serving the last good pages.")
        with self.changed:
            self.version += 1
            self.errors = errors
            self.changed.notify_all()

    def wait_for_change(self, version: int, timeout: float = 25.0) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != version, timeout=timeout)
            return self.version

    def decorate(self, page: str) -> str:
        """The page with the reload script, and the errors of the last build when it failed."""
        extra = RELOAD_SCRIPT % self.version
        if self.errors:
            extra = ERROR_BOX.format(html.escape("\n".join(str(d) for d in self.errors))) + extra
        index = page.rfind("</body>")
        return page[:index] + extra + page[index:] if index != -1 else page + extra


def make_handler(site: LiveSite):
    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            if parts.path == "/__publish/wait":
                version = int(parse_qs(parts.query).get("version", ["-1"])[0])
                return self._send(json.dumps({"version": site.wait_for_change(version)}), "application/json")
            target = Path(self.translate_path(parts.path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                return self._send(site.decorate(target.read_text(encoding="utf-8")), "text/html; charset=utf-8")
            if not (site.out / "site").is_dir():  # no good build yet: show the errors
                return self._send(site.decorate(BARE_PAGE), "text/html; charset=utf-8", HTTPStatus.SERVICE_UNAVAILABLE)
            return super().do_GET()

        def _send(self, body: str, media_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass  # quiet: the terminal shows builds, not every request

    return functools.partial(Handler, directory=str(site.out / "site"))


def serve(project: Path, out: Path, host: str, port: int, build_options: dict, echo: Callable[[str], None],
          watched: list[Path]) -> None:
    """Serve until interrupted (Ctrl-C)."""
    import watchfiles

    site = LiveSite(project, out, build_options, echo)
    site.rebuild()
    server = ThreadingHTTPServer((host, port), make_handler(site))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f"Serving {out / 'site'} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C, or a service manager stopping us
        signal.signal(signum, lambda *_: stop.set())
    try:
        for _ in watchfiles.watch(*[p for p in watched if p.exists()], stop_event=stop, debounce=400,
                                  raise_interrupt=False):
            site.rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        echo("Stopped.")
