"""Site search: Pagefind indexes the staged site, before the swap, one index per language.

Pagefind (the PyPI package ``pagefind`` with its ``pagefind_bin`` binary) reads every page's
``<html lang>`` and writes a separate index per language into ``site/pagefind/``; the theme's
search page (``html/search.html`` and ``search.js``) loads the index of its own language, so the
Spanish search page finds Spanish articles only. Only article pages are indexed (the theme marks
them ``data-pagefind-body``). It runs sandboxed in time and output; a failure fails the build.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .addresses import PAGEFIND, SITE
from .errors import PublishError, error

PAGEFIND_SCRIPT = f"{PAGEFIND}/pagefind.js"  # what the search page imports
TIME_LIMIT = 600  # seconds: Pagefind indexes thousands of pages a second
MAX_INDEX_BYTES = 2 * 1024**3  # what the index may take on disk
# Pagefind's ready-made interfaces, which the theme's search page (search.js over pagefind.js)
# does not use: not published, 400 KB less per site.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        get_executable = None
    found = get_executable() if get_executable else None
    if found is None:
        raise PublishError([error(None, None, "search.missing", "Pagefind is not installed, so the site cannot be "
                                  "indexed for search: reinstall publisher (pip install publisher), which brings it")])
    return found


def _sort_entry(path: Path) -> None:
    """Pagefind lists the languages of pagefind-entry.json in hash-map order, which changes from run
    to run: sort them, so the same site gives the same bytes (the search reads them by name)."""
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    data["languages"] = dict(sorted(data.get("languages", {}).items()))
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


class SiteIndex:
    """Pagefind indexing ``site/`` of the staging folder, in the background while the gate reads
    the outputs back; ``files()`` waits for it. Always ``stop()`` it: a failed build leaves no
    Pagefind running."""

    def __init__(self, root: Path, bundle: Path | None = None) -> None:
        """Index ``root/site`` into ``root/site/pagefind``, or into ``bundle`` (the preview's fresh
        index of a site already served, see ``refresh_index``)."""
        self.root = Path(root).resolve()  # Pagefind runs in the output folder: no path relative to here
        self.bundle = bundle or self.root / PAGEFIND
        if bundle is None and self.bundle.exists():
            raise PublishError([error(PAGEFIND, None, "search.clash", f"{PAGEFIND}/ is already taken by another "
                                      "output; rename what writes there")])
        command = [str(pagefind_executable()), "--site", str(self.root / SITE), "--output-path", str(self.bundle),
                   "--silent"]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.root)}
        try:
            self.process = subprocess.Popen(command, cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        except OSError as exc:
            raise PublishError([error(SITE, None, "search.index", f"Pagefind could not be started ({exc}); nothing "
                                      "was published: reinstall publisher")]) from None

    def files(self) -> list[str]:
        """The files Pagefind wrote (paths relative to the output folder); raise with what it said."""
        return sorted(path.relative_to(self.root).as_posix() for path in self.wait())

    def wait(self) -> list[Path]:
        """Wait for Pagefind; the files it wrote, checked (no links, bounded in size)."""
        try:
            out, err = self.process.communicate(timeout=TIME_LIMIT)
        except subprocess.TimeoutExpired:
            self.stop()
            raise PublishError([error(SITE, None, "search.index", f"Pagefind did not finish indexing the site "
                                      f"within {TIME_LIMIT} s; nothing was published")]) from None
        said = (err or out or "").strip()
        if self.process.returncode != 0 or not (self.bundle / "pagefind.js").is_file():
            raise PublishError([error(SITE, None, "search.index", f"Pagefind could not index the site (exit "
                                      f"{self.process.returncode}): {said[-2000:] or 'no message'}; nothing was "
                                      "published")])
        _sort_entry(self.bundle / "pagefind-entry.json")
        for name in UNUSED:
            (self.bundle / name).unlink(missing_ok=True)
        written, total = [], 0
        for folder, _, names in os.walk(self.bundle):
            for name in sorted(names):
                path = Path(folder) / name
                if path.is_symlink():
                    raise PublishError([error(PAGEFIND, None, "search.index", "Pagefind wrote a link; refusing it")])
                total += path.stat().st_size
                written.append(path)
        if total > MAX_INDEX_BYTES:
            raise PublishError([error(PAGEFIND, None, "search.index", f"the search index takes {total} bytes, over "
                                      f"the limit of {MAX_INDEX_BYTES}; nothing was published")])
        return written

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def refresh_index(out: Path) -> None:
    """Bring the search index of a build already in place up to date (``publish serve``, which
    serves the new pages first): Pagefind indexes ``out/site`` into a fresh folder beside ``out``,
    which then replaces ``site/pagefind`` in one exchange, so a reader gets the old index or the
    new one, never half of each. The result is the index a full build writes."""
    import shutil
    import tempfile

    from .output import exchange

    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))  # a killed run's is removed
    try:
        bundle = scratch / "pagefind"
        index = SiteIndex(out, bundle)
        try:
            index.wait()
        finally:
            index.stop()
        os.chmod(bundle, 0o755)
        target = out / PAGEFIND
        if not exchange(bundle, target):
            shutil.rmtree(target, ignore_errors=True)
            os.rename(bundle, target)
    except OSError as exc:
        raise PublishError([error(PAGEFIND, None, "search.index", f"the search index could not be replaced "
                                  f"({exc.strerror or exc}); the pages are up to date, search is not: save again")]) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
