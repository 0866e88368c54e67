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


def index_site(staging) -> list[str]:
    """Index ``site/`` of the staging folder; return the files Pagefind wrote (paths relative to
    the output folder), or raise with what Pagefind said."""
    root = Path(staging.root).resolve()  # Pagefind runs in the staging folder: no path may be relative to here
    site = root / SITE
    bundle = root / PAGEFIND
    if bundle.exists():
        raise PublishError([error(PAGEFIND, None, "search.clash", f"{PAGEFIND}/ is already taken by another output; "
                                  "rename what writes there")])
    command = [str(pagefind_executable()), "--site", str(site), "--output-subdir", "pagefind", "--silent"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root)}
    try:
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                              timeout=TIME_LIMIT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise PublishError([error(SITE, None, "search.index", f"Pagefind did not finish indexing the site within "
                                  f"{TIME_LIMIT} s; nothing was published")]) from None
    except OSError as exc:
        raise PublishError([error(SITE, None, "search.index", f"Pagefind could not be started ({exc}); nothing "
                                  "was published: reinstall publisher")]) from None
    said = (done.stderr or done.stdout or "").strip()
    if done.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise PublishError([error(SITE, None, "search.index", f"Pagefind could not index the site (exit "
                                  f"{done.returncode}): {said[-2000:] or 'no message'}; nothing was published")])
    _sort_entry(bundle / "pagefind-entry.json")
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    written, total = [], 0
    for folder, _, files in os.walk(bundle):
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink():
                raise PublishError([error(PAGEFIND, None, "search.index", "Pagefind wrote a link; refusing it")])
            total += path.stat().st_size
            written.append(path.relative_to(root).as_posix())
    if total > MAX_INDEX_BYTES:
        raise PublishError([error(PAGEFIND, None, "search.index", f"the search index takes {total} bytes, over the "
                                  f"limit of {MAX_INDEX_BYTES}; nothing was published")])
    return sorted(written)
