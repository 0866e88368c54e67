"""The built site in a real browser: layout at phone and desktop widths, links, axe-core, vnu.

The repository's sample content is built once into a temporary folder and served over HTTP on
127.0.0.1. Headless Chromium (Debian's ``chromium``, driven by the Python ``playwright`` package;
never a browser downloaded by a test tool) loads the pages; axe-core
(``node_modules/axe-core``) checks them against WCAG 2.0, 2.1 and 2.2 A/AA, and the Nu HTML
Checker (``node_modules/vnu-jar``, run with ``java``) validates every HTML file. ``npm ci``
puts both checkers in ``node_modules/``.

A missing tool fails the tests that need it, with the reason: ``make test`` installs every one
(``make test-deps``), so no test can pass by skipping.

``UPDATE_SCREENSHOTS=1`` also writes docs/article-1280.png and docs/article-375.png (the README
shows them); a normal run writes nothing outside its temporary folder.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from conftest import AS_OF, REPO, copy_repo

SLUG = "ketamine-therapy"
ARTICLE = f"{SLUG}/index.html"
# Pages every build of the sample content has, checked one by one; "other pages" covers every
# further .html file the build writes (found on disk, so a new kind of page is never missed).
PAGES = {
    "index": "index.html",
    "article": ARTICLE,
    "summary": f"{SLUG}/summary/index.html",
    "leaflets": "leaflets/index.html",
}
OTHERS = "other pages"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# (width, height): a desktop window and a small phone (iPhone SE).
VIEWPORTS = {1280: (1280, 800), 375: (375, 667)}

AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"


# ---------------------------------------------------------------------------------------------
# What the tests need, and skip-or-fail when it is missing


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


_NEEDS = {
    "chromium": (
        lambda: _chromium() is not None,
        "chromium is not installed (Debian: apt-get install chromium; or set CHROMIUM=/path)",
    ),
    "playwright": (
        lambda: importlib.util.find_spec("playwright") is not None,
        "the Python package playwright is not installed (pip install -e '.[test]')",
    ),
    "axe-core": (lambda: AXE_JS.is_file(), f"{AXE_JS.relative_to(REPO)} is missing (run npm ci)"),
    "vnu-jar": (lambda: VNU_JAR.is_file(), f"{VNU_JAR.relative_to(REPO)} is missing (run npm ci)"),
    "java": (lambda: shutil.which("java") is not None, "java is not on PATH (Debian: default-jre-headless)"),
}


def require(*names: str) -> None:
    """Fail the calling test, with the reason, when a tool it reads outputs with is missing."""
    missing = [reason for name in names for ok, reason in [_NEEDS[name]] if not ok()]
    if missing:
        pytest.fail(f"{'; '.join(missing)}; 'make test-deps' installs it", pytrace=False)


# ---------------------------------------------------------------------------------------------
# The built, served site


@dataclass(frozen=True)
class Site:
    root: Path  # <tmp>/build/site
    base_url: str  # http://127.0.0.1:<port>/
    manifest: dict

    def url(self, relative: str) -> str:
        return urljoin(self.base_url, relative)

    def html_files(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.html"))

    def other_pages(self) -> list[str]:
        return [p for p in self.html_files() if p not in PAGES.values()]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def _served(proj: Path, out: Path):
    """Build ``proj`` into ``out`` with the CLI, and serve its site/ on 127.0.0.1."""
    script = Path(sys.executable).with_name("publish")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "publisher"]
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.run(
        [*command, "-C", str(proj), "build", "--as-of", AS_OF, "--out", str(out), "--quiet"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, f"publish build failed:\n{proc.stdout}\n{proc.stderr}"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    with _serving(out / "site", manifest) as served:
        yield served


@contextlib.contextmanager
def _serving(root: Path, manifest: dict):
    """Serve the folder ``root`` on 127.0.0.1 while the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Site(root=root, base_url=f"http://127.0.0.1:{server.server_address[1]}/", manifest=manifest)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    tmp = tmp_path_factory.mktemp("browser")
    with _served(copy_repo(tmp / "proj"), tmp / "build") as served:
        yield served


@pytest.fixture(scope="module")
def editions_site(tmp_path_factory) -> Site:
    """The fixture project with a Spanish edition (tests/projects/editions)."""
    tmp = tmp_path_factory.mktemp("editions")
    proj = tmp / "proj"
    shutil.copytree(REPO / "tests" / "projects" / "editions", proj)
    with _served(proj, tmp / "build") as served:
        yield served


@pytest.fixture(scope="module")
def editions_report(editions_site) -> Site:
    """The content-health report the editions fixture's full build wrote (build/report/), served."""
    with _serving(editions_site.root.parent / "report", {}) as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    require("chromium", "playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser):
    """open_page(url, width) -> a loaded page in a fresh context with that viewport."""
    contexts = []

    def _open(url: str, width: int = 1280):
        w, h = VIEWPORTS[width]
        context = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        return page

    yield _open
    for context in contexts:
        context.close()


def _fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # our own server on 127.0.0.1
        return response.status, response.read()


# ---------------------------------------------------------------------------------------------
# Layout


@pytest.mark.parametrize("width", sorted(VIEWPORTS, reverse=True))
def test_article_has_no_horizontal_scroll(site, open_page, width):
    page = open_page(site.url(ARTICLE), width)
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if UPDATE_SCREENSHOTS:
        docs = REPO / "docs"
        docs.mkdir(exist_ok=True)
        page.screenshot(path=str(docs / f"article-{width}.png"))
    if scroll_width > inner_width:
        too_wide = page.evaluate(
            """() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 15)
                .map(e => `${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''}`
                          + ` right=${Math.round(e.getBoundingClientRect().right)}`)"""
        )
        pytest.fail(
            f"at {width} px the article scrolls sideways: scrollWidth {scroll_width} > "
            f"innerWidth {inner_width}; elements past the right edge:\n  " + "\n  ".join(too_wide)
        )


def test_first_disclaimer_is_on_the_first_phone_screen(site, open_page):
    width, height = VIEWPORTS[375]
    page = open_page(site.url(ARTICLE), 375)
    assert page.evaluate("window.scrollY") == 0
    title = page.locator("main h1").first.bounding_box()
    disclaimer = page.locator("aside.disclaimer").first
    assert disclaimer.is_visible(), "the first aside.disclaimer is not visible"
    box = disclaimer.bounding_box()
    assert title is not None and box is not None
    # It comes under the title ...
    assert box["y"] >= title["y"] + title["height"], (title, box)
    # ... and starts on the first screen, so nobody has to scroll to find it.
    assert box["y"] < height, (
        f"at {width}x{height} the first disclaimer starts at y={box['y']:.0f}, below the first "
        f"screen (the title ends at y={title['y'] + title['height']:.0f})"
    )


def test_article_links_to_leaflet_summary_and_feeds_resolve(site, open_page):
    page = open_page(site.url(ARTICLE), 1280)
    # Absolute addresses, as the browser resolved them against the page.
    anchors = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)")
    feeds = page.eval_on_selector_all("head link[rel~=alternate]", "els => els.map(e => [e.type, e.href])")
    article = next(a for a in site.manifest["articles"] if a["slug"] == SLUG)
    expected = {kind: site.url(article["outputs"][kind].removeprefix("site/")) for kind in ("pdf", "summary_html")}

    def _same(url: str, target: str) -> bool:
        path, target_path = urlparse(url).path, urlparse(target).path
        return path == target_path or path.rstrip("/") + "/index.html" == target_path

    links = {}
    for kind, target in expected.items():
        found = [a for a in anchors if _same(a, target)]
        assert found, f"the article has no link to its {kind} ({target}); its links: {anchors}"
        links[kind] = found[0]
    types = {t for t, _ in feeds}
    assert {"application/rss+xml", "application/atom+xml"} <= types, feeds
    for feed_type, href in feeds:
        links[feed_type] = href

    for kind, url in links.items():
        assert urlparse(url).netloc == urlparse(site.base_url).netloc, f"{kind}: {url} is not local"
        status, body = _fetch(url)
        assert status == 200, f"{kind}: {url} -> HTTP {status}"
        assert body, f"{kind}: {url} is empty"
        if kind == "pdf":
            assert body.startswith(b"%PDF-"), f"{url} is not a PDF"
        elif kind.endswith("+xml"):
            root = b"<rss" if kind == "application/rss+xml" else b"<feed"
            assert b"<?xml" in body[:100] and root in body, f"{url} is not a feed of its kind"


# ---------------------------------------------------------------------------------------------
# axe-core

# Known violations, one entry per page key of PAGES (or OTHERS), marked xfail(strict=True) until
# the layout is fixed: strict, so the fix makes the test fail until its entry here is removed.
AXE_KNOWN: dict[str, str] = {}


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: JSON.stringify(n.target), html: n.html})),
            }));
        }""",
        AXE_TAGS,
    )


def _axe_report(found: dict[str, list[dict]]) -> str:
    lines = []
    for path, violations in found.items():
        for v in violations:
            lines.append(f"{path}: {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            for node in v["nodes"]:
                lines.append(f"    {node['target']}  {node['html'][:200]}")
    return "\n".join(lines)


def _params(known: dict[str, str]) -> list:
    return [
        pytest.param(key, id=key, marks=[pytest.mark.xfail(strict=True, reason=known[key])] if key in known else [])
        for key in [*PAGES, OTHERS]
    ]


@pytest.mark.parametrize("key", _params(AXE_KNOWN))
def test_axe_finds_no_violations(site, open_page, key):
    require("axe-core")
    paths = site.other_pages() if key == OTHERS else [PAGES[key]]
    for path in paths:
        assert (site.root / path).is_file(), f"the build has no {path}"
    found = {}
    for path in paths:
        violations = _axe(open_page(site.url(path), 1280))
        if violations:
            found[path] = violations
    if found:
        report = _axe_report(found)
        pytest.fail(f"axe-core ({', '.join(AXE_TAGS)}) found violations:\n{report}", pytrace=False)


# ---------------------------------------------------------------------------------------------
# The Nu HTML Checker

# Known errors, one entry per page key of PAGES (or OTHERS); see AXE_KNOWN.
VNU_KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def vnu_messages(site) -> dict[str, list[dict]]:
    return _vnu_report(site)


def _vnu_report(site: Site) -> dict[str, list[dict]]:
    """vnu's messages for every .html file of the site, by path relative to site/."""
    require("java", "vnu-jar")
    files = site.html_files()
    proc = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *(str(site.root / f) for f in files)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # vnu writes its JSON report to standard error; exit status 1 means "errors found".
    text = proc.stderr.strip() or proc.stdout.strip()
    try:
        report = json.loads(text)
    except json.JSONDecodeError:
        pytest.fail(f"vnu did not print a JSON report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    by_file: dict[str, list[dict]] = {f: [] for f in files}
    for message in report.get("messages", []):
        url = message.get("url", "")
        path = Path(urlparse(url).path) if url.startswith("file:") else None
        try:
            key = path.resolve().relative_to(site.root.resolve()).as_posix() if path else ""
        except ValueError:
            key = ""
        by_file.setdefault(key, []).append(message)  # "" : messages about no page (vnu itself)
    return by_file


@pytest.mark.parametrize("key", _params(VNU_KNOWN))
def test_vnu_finds_no_errors(site, vnu_messages, key):
    paths = site.other_pages() if key == OTHERS else [PAGES[key]]
    _fail_on_vnu(site, vnu_messages, paths)


def _fail_on_vnu(site: Site, vnu_messages: dict, paths: list[str]) -> None:
    for path in paths:
        assert (site.root / path).is_file(), f"the build has no {path}"
    lines = []
    for path in ["", *paths]:  # "": a message vnu could not tie to a file fails every page
        for m in vnu_messages.get(path, []):
            where = f"{path or '(vnu)'}:{m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}"
            lines.append(f"{where}: {m.get('type')}: {m.get('message')}")
            if m.get("extract"):
                lines.append(f"    {' '.join(m['extract'].split())[:200]}")
    if lines:
        pytest.fail("vnu found errors:\n" + "\n".join(lines), pytrace=False)


# ---------------------------------------------------------------------------------------------
# A site with a Spanish edition: every page valid and accessible, search per language


def test_every_page_of_a_site_with_editions_passes_vnu(editions_site):
    pages = editions_site.html_files()
    assert "es/lavado-de-manos/index.html" in pages and "es/search/index.html" in pages, pages
    _fail_on_vnu(editions_site, _vnu_report(editions_site), pages)


def test_every_page_of_a_site_with_editions_passes_axe(editions_site, open_page):
    require("axe-core")
    found = {}
    for path in editions_site.html_files():
        violations = _axe(open_page(editions_site.url(path), 1280))
        if violations:
            found[path] = violations
    if found:
        pytest.fail(f"axe-core ({', '.join(AXE_TAGS)}) found violations:\n{_axe_report(found)}", pytrace=False)


def _search(open_page, site: Site, search_page: str, query: str) -> tuple[list[str], str]:
    """Type ``query`` into a search page as a reader would: (the paths of the results, the status line)."""
    page = open_page(site.url(search_page), 1280)
    page.fill("#search-query", query)
    page.click("form.search button[type=submit]")
    page.wait_for_function("document.getElementById('search-status').textContent.length > 0", timeout=30_000)
    found = page.eval_on_selector_all("#search-results li a", "els => els.map(e => new URL(e.href).pathname)")
    return found, page.inner_text("#search-status")


def test_the_spanish_search_page_finds_the_spanish_article_and_not_the_english_one(editions_site, open_page):
    found, status = _search(open_page, editions_site, "es/search/index.html", "jabón")
    assert found == ["/es/lavado-de-manos/"], (found, status)
    assert status == "1 artículo coincide con “jabón”.", status
    found, status = _search(open_page, editions_site, "es/search/index.html", "soap")  # in the English article only
    assert found == [] and status == "Ningún artículo coincide con “soap”.", (found, status)


def test_the_english_search_page_finds_english_articles_only(editions_site, open_page):
    found, status = _search(open_page, editions_site, "search/index.html", "soap")
    assert found == ["/hand-washing/"], (found, status)
    found, status = _search(open_page, editions_site, "search/index.html", "jabón")
    assert found == [] and status == "No article matches “jabón”.", (found, status)


def test_search_works_under_publish_serve(tmp_path, open_page):
    """The same search page, served by the preview (which adds its reload script to pages)."""
    from conftest import free_port, wait_for_page

    proj = tmp_path / "proj"
    shutil.copytree(REPO / "tests" / "projects" / "editions", proj)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "-C", str(proj), "serve", "--port", str(port), "--channel", "html"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1798761600"},
    )
    try:
        preview = Site(root=proj / "build" / "site", base_url=f"http://127.0.0.1:{port}/", manifest={})
        assert wait_for_page(preview.url("es/search/"), "<h1>", 60) is not None, "the preview never served the page"
        found, status = _search(open_page, preview, "es/search/index.html", "jabón")
        assert found == ["/es/lavado-de-manos/"], (found, status)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# The content-health report (build/report/): valid and accessible, like the site's pages


def test_the_content_health_report_passes_vnu_and_axe(editions_report, open_page):
    require("axe-core")
    assert editions_report.html_files() == ["index.html"], editions_report.html_files()
    _fail_on_vnu(editions_report, _vnu_report(editions_report), ["index.html"])
    for width in (1280, 375):
        violations = _axe(open_page(editions_report.url("index.html"), width))
        if violations:
            pytest.fail(f"axe-core ({', '.join(AXE_TAGS)}) found violations at {width} px:\n"
                        f"{_axe_report({'report/index.html': violations})}", pytrace=False)
