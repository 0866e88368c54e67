"""The build cache (``.cache/publisher/``) is correct, not just fast.

The acceptance point: changing a disclaimer's text, a layout, a config value or the source of
one article changes exactly the outputs that depend on it, and the rebuilt tree equals a cold
build byte for byte.

One project is built once per module (the repository's content, two more articles and a page
bundle with an image). Each case copies it (sources, warm ``.cache/`` and ``build/``), makes a
warm build (every leaflet reused), applies one change, rebuilds with the warm cache, and then:

* compares the rebuilt tree with a cold build (``--no-cache``, another ``--out``) of the
  changed sources: byte-identical;
* compares the set of files that changed with the set worked out below from what each output
  shows (written out per case);
* reads the CLI line: only the leaflets whose inputs changed are rendered again.

The leaflets page shows each leaflet's page count and size in KB, so it is expected to change
also when one of those does (``listing_changed``). The copies' cache entries were written in the
base project's folder; the one change that depends on where they were written (an image drawn
by an embedded image) is tested both in a project built in place and in such a copy.

What each output shows (from the layouts and channels), which the expected sets follow:

* article page: site title, the article, each disclaimer's title and full text at its
  placement, and every disclaimer's ``short`` in the footer;
* leaflet: site title, the article, its summary ("Key points"), each disclaimer in full, the
  ``short`` texts in the running footer (leaflet.css), a hash of the article and disclaimer
  files, the page size, and the images the article embeds;
* summary page: site title, the summary, each disclaimer's title, ``plain`` and full text, the
  ``short`` texts in the footer; summary text: title, address, summary, ``plain`` texts only;
* index: site title and description, each article's title, date, author and description, and
  the ``short`` text of the disclaimers every article shares (here: not-medical-advice);
* leaflets page: site title, page size, each leaflet's title, date, pages and size in KB;
* feeds: feed title (the site title), each article in full with its disclaimers in full and
  short;
* the content-health report (report/): the site title (page and JSON), each article's title,
  body figures (words, sentences, reading grade), its summary's grade (JSON and chart), its
  review and approvals; not its disclaimers;
* manifest.json: slugs, titles, sources, dates, ids, summary sources, each disclaimer's id and
  the sha256 of its file, each article's fingerprint (of its title, description, body, plain
  summary and disclaimer texts: what an approval covers) and the output paths.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest
from conftest import build_cli, copy_repo, ok, tree_bytes, write_article

# --- the project ------------------------------------------------------------------------------

KETAMINE = "ketamine-therapy"  # the repository's article: not-medical-advice, crisis-help, ketamine-off-label
SLEEP = "sleep-and-mood"  # adds crisis-help
WALKING = "walking-for-health"  # only the default disclaimer
PIC = "pic-article"  # a page bundle with an image; only the default disclaimer
SLUGS = (KETAMINE, SLEEP, WALKING, PIC)
WITH_CRISIS_HELP = (KETAMINE, SLEEP)

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="60" height="30" viewBox="0 0 60 30">'
       '<rect width="60" height="30" fill="#1f77b4"/><image href="dot.svg" x="40" y="5" width="20" height="20"/></svg>\n')
SVG_CHANGED = SVG.replace("#1f77b4", "#d62728")
DOT = ('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
       '<circle cx="10" cy="10" r="8" fill="#2ca02c"/></svg>\n')  # drawn by pic.svg, not named by the article
DOT_CHANGED = DOT.replace("#2ca02c", "#9467bd")
MARK = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10" fill="#0b5cad"/></svg>\n')  # named by leaflet.css, not a template
MARK_CSS = '\n.colophon { background: url("mark.svg") no-repeat right top; background-size: 3mm 3mm; }\n'

SLEEP_BODY = (
    "Sleep and mood are closely linked. People who sleep well often feel calmer during the day.\n\n"
    "## Habits that help\n\n"
    "Go to bed and get up at the same time each day. Keep the bedroom dark and quiet.\n\n"
    "## When to get help\n\n"
    "If low mood lasts for more than two weeks, talk to a clinician.\n"
)


def page(slug: str) -> str:
    return f"site/{slug}/index.html"


def leaflet(slug: str) -> str:
    return f"site/{slug}/{slug}.pdf"


def summary_page(slug: str) -> str:
    return f"site/{slug}/summary/index.html"


def summary_text(slug: str) -> str:
    return f"site/{slug}/summary.txt"


INDEX = "site/index.html"
LEAFLETS = "site/leaflets/index.html"
MANIFEST = "manifest.json"
FEEDS = {"site/feed.xml", "site/atom.xml"}
REPORT_PAGE, REPORT_JSON, REPORT_CSV = "report/index.html", "report/report.json", "report/report.csv"
REPORT = {REPORT_PAGE, REPORT_JSON, REPORT_CSV}
PIC_SVG = f"site/{PIC}/pic.svg"
PIC_DOT = f"site/{PIC}/dot.svg"
ALL_PAGES = {page(s) for s in SLUGS}
ALL_LEAFLETS = {leaflet(s) for s in SLUGS}
ALL_SUMMARY_PAGES = {summary_page(s) for s in SLUGS}
NOT_FOUND = "site/404.html"
TAGS_INDEX = "site/tags/index.html"
SEARCH_PAGE = "site/search/index.html"
# Stands for the search index (site/pagefind/): Pagefind names its files by their contents, so a
# case says whether the index changes (the text of some article page's <article> did), not which files.
SEARCH_INDEX = "the search index"


def tag_pages_showing(tree: dict[str, bytes], text: str) -> set[str]:
    """Tag pages (site/tags/<tag>/index.html) whose HTML holds ``text``."""
    return {name for name, data in tree.items()
            if name.startswith("site/tags/") and name != TAGS_INDEX and text.encode() in data}


def site_pages(tree: dict[str, bytes]) -> set[str]:
    """Pages besides articles that carry the site's header and footer: tag pages, topics, 404, search."""
    return {name for name in tree if name.startswith("site/tags/")} | {NOT_FOUND, SEARCH_PAGE}


def make_project(dest: Path) -> Path:
    """As conftest's ``project`` fixture (the repository's content, layouts, publish.toml with
    [summary] auto = true), plus two articles and a page bundle with an image."""
    copy_repo(dest, auto_summary=True)
    write_article(dest, SLEEP, (
        "id: 3c5e9a4b-7d21-4f0e-9b6a-2e8c1d4f5a70\n"
        "title: Sleep and Mood\n"
        "date: 2026-10-15\n"
        "author: A. Writer\n"
        "description: How sleep and mood affect each other.\n"
        "disclaimers: [crisis-help]\n"
        "plain_summary: Good sleep helps your mood. Go to bed at the same time each night. "
        "If you feel low for a long time, talk to a doctor.\n"
    ), SLEEP_BODY)
    write_article(dest, WALKING, (
        "id: 8f2d6b1e-4a93-4c7d-a5e0-6b9f3c2d1e84\n"
        "title: Walking for Health\n"
        "date: 2026-09-01\n"
        "author: B. Writer\n"
        "description: Why a short daily walk is good for you.\n"
        "plain_summary: A short walk each day is good for you. It helps your heart. It can also lift your mood.\n"
    ), "Walking is a simple kind of exercise. A daily walk helps the heart and the lungs.\n\n"
       "## Getting started\n\n"
       "Start with ten minutes a day, then walk a little longer each week.\n")
    write_article(dest, f"{PIC}/index", (
        "id: 5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n"
        "title: A Picture of Blood Pressure\n"
        "date: 2026-08-01\n"
        "author: C. Writer\n"
        "description: A chart that explains blood pressure readings.\n"
        "plain_summary: Blood pressure has two numbers. The chart shows what they mean.\n"
    ), "Blood pressure is written as two numbers.\n\n"
       "![A bar chart of blood pressure ranges](pic.svg)\n\n"
       "Ask your nurse what your numbers mean.\n")
    (dest / "content" / PIC / "pic.svg").write_text(SVG, encoding="utf-8")
    (dest / "content" / PIC / "dot.svg").write_text(DOT, encoding="utf-8")
    (dest / "layouts" / "pdf" / "mark.svg").write_text(MARK, encoding="utf-8")
    with (dest / "layouts" / "pdf" / "leaflet.css").open("a", encoding="utf-8") as css:
        css.write(MARK_CSS)
    return dest


# --- helpers ----------------------------------------------------------------------------------


def pdf_line(text: str) -> tuple[int, int]:
    """(files, reused) of the pdf channel in the CLI's last line ('pdf: 5 files, 4 reused')."""
    match = re.search(r"\bpdf: (\d+) files(?:, (\d+) reused)?", text)
    assert match, text
    return int(match.group(1)), int(match.group(2) or 0)


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def leaflet_listing(tree: dict[str, bytes]) -> dict[str, tuple[int, int]]:
    """What the leaflets page shows of each leaflet besides title and date: pages, size in KB."""
    from io import BytesIO

    return {name: (len(pypdf.PdfReader(BytesIO(data)).pages), round(len(data) / 1024))
            for name, data in tree.items() if name.endswith(".pdf")}


def listing_changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """The leaflets page, if a leaflet's page count or rounded size (which it shows) changed."""
    return {LEAFLETS} if leaflet_listing(before) != leaflet_listing(after) else set()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def cold_tree(proj: Path, out: Path) -> dict[str, bytes]:
    text = ok(build_cli(proj, "--no-cache", "--out", str(out)))
    assert pdf_line(text) == (len(SLUGS) + 1, 0), text  # nothing reused: really cold
    return tree_bytes(out)


# --- the shared, warm project -----------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """(project with a warm cache and a build/, that build's tree, a cold build's tree)."""
    root = tmp_path_factory.mktemp("cache-base")
    proj = make_project(root / "proj")
    text = ok(build_cli(proj))
    assert pdf_line(text) == (len(SLUGS) + 1, 0), text  # first build: nothing to reuse
    warm = tree_bytes(proj / "build")
    cold = cold_tree(proj, root / "cold")
    return proj, warm, cold


@pytest.fixture
def warm(base, tmp_path):
    """A copy of the base project (sources, .cache/ and build/) and its warm build's tree."""
    proj = tmp_path / "proj"
    shutil.copytree(base[0], proj, symlinks=True)
    text = ok(build_cli(proj))
    assert pdf_line(text) == (len(SLUGS) + 1, len(SLUGS)), text  # (a) every leaflet from the cache
    return proj, tree_bytes(proj / "build")


def test_first_build_equals_a_cold_build(base):
    _, warm_tree, cold = base
    assert set(warm_tree) == set(cold)
    assert warm_tree == cold
    assert {page(s) for s in SLUGS} | {leaflet(s) for s in SLUGS} | {PIC_SVG, PIC_DOT, INDEX, LEAFLETS, MANIFEST} | FEEDS \
        <= set(cold)


# --- 1. the acceptance point: each change changes exactly what depends on it -----------------


def _set_config(proj: Path, old: str, new: str) -> None:
    edit(proj / "publish.toml", old, new)


CASES = {
    # 1. One article's body text (its summary is authored, so no summary output changes; the
    #    title, description and date are untouched, so the index does not); the manifest (the
    #    article's fingerprint).
    "article-body": (
        lambda p: edit(p / "content" / f"{SLEEP}.md", "Keep the bedroom dark and quiet.",
                       "Keep the bedroom dark, cool and quiet, and put screens away an hour before bed."),
        {page(SLEEP), leaflet(SLEEP), MANIFEST, SEARCH_INDEX} | FEEDS | REPORT,
    ),
    # 1b. One article's title: everything that shows it (its page, leaflet, summary page and
    #     text, the index, the leaflets page, the feeds) and the manifest (it lists titles).
    "article-title": (
        lambda p: edit(p / "content" / f"{WALKING}.md", "title: Walking for Health", "title: Walking for Better Health"),
        {page(WALKING), leaflet(WALKING), summary_page(WALKING), summary_text(WALKING)} | FEEDS
        | {INDEX, LEAFLETS, MANIFEST, SEARCH_INDEX} | REPORT,
    ),
    # 1c. One article's plain_summary: its summary page and text, and its leaflet (the "Key
    #     points" box), the manifest (the article's fingerprint) and report.json (the summary's
    #     grade; it stays in its chart bar, and the table and CSV show no summary grade). Not its
    #     page or the feeds.
    "article-summary": (
        lambda p: edit(p / "content" / f"{SLEEP}.md", "Go to bed at the same time each night.",
                       "Go to bed and get up at the same time each day."),
        {summary_page(SLEEP), summary_text(SLEEP), leaflet(SLEEP), MANIFEST, REPORT_JSON},
    ),
    # 2. crisis-help's full text: the pages, leaflets, summary pages of the articles carrying it,
    #    the feeds (full text in each item's content), and the manifest (its file's sha256).
    #    Not the summary texts (plain words only), not the index (crisis-help is not shared by
    #    every article, so its footer does not show it), nothing of the other articles.
    "crisis-help-body": (
        lambda p: edit(p / "content" / "disclaimers" / "crisis-help.md",
                       "it is free, confidential and open 24 hours a day.",
                       "it is free, confidential and open 24 hours a day, every day of the year."),
        {page(s) for s in WITH_CRISIS_HELP} | {leaflet(s) for s in WITH_CRISIS_HELP}
        | {summary_page(s) for s in WITH_CRISIS_HELP} | FEEDS | {MANIFEST, SEARCH_INDEX},
    ),
    # 3. not-medical-advice's short text: every page footer, every leaflet's running footer,
    #    every summary page footer, the feeds, the index footer (every article carries it), and
    #    the manifest (sha256 of the file). Not the summary texts (they show `plain`).
    "not-medical-advice-short": (
        lambda p: edit(p / "content" / "disclaimers" / "not-medical-advice.md",
                       "talk to a qualified clinician before starting",
                       "please talk to a qualified clinician before starting"),
        ALL_PAGES | ALL_LEAFLETS | ALL_SUMMARY_PAGES | FEEDS | {INDEX, MANIFEST},
    ),
    # 4a. The print stylesheet: only the leaflets.
    "leaflet-css": (
        lambda p: edit(p / "layouts" / "pdf" / "leaflet.css",
                       "h1 { font-size: 17pt; line-height: 1.15; margin: 0 0 2mm; color: #0b3d73; }",
                       "h1 { font-size: 17pt; line-height: 1.15; margin: 0 0 2mm; color: #6a1b9a; }"),
        ALL_LEAFLETS,
    ),
    # 4c. A file in layouts/pdf that is no template (an image the print CSS names): only the
    #     leaflets.
    "leaflet-css-image": (
        lambda p: (p / "layouts" / "pdf" / "mark.svg").write_text(MARK.replace("#0b5cad", "#c62828"), encoding="utf-8"),
        ALL_LEAFLETS,
    ),
    # 4b. The article page template: only the article pages.
    "article-template": (
        lambda p: edit(p / "layouts" / "html" / "article.html",
                       '<div class="article-body">', '<div class="article-body" data-layout="2">'),
        ALL_PAGES,
    ),
    # 5a. [pdf] page_size: the leaflets, and the leaflets page (it names the size).
    "pdf-page-size": (
        lambda p: _set_config(p, 'page_size = "A5"', 'page_size = "A4"'),
        ALL_LEAFLETS | {LEAFLETS},
    ),
    # 5b. [site] title: every HTML page (article, summary, index, leaflets page), every leaflet
    #     (printed above the title) and the feeds (their title defaults to it). Not the
    #     summary texts, the manifest, the stylesheet or the copied image.
    "site-title": (
        lambda p: _set_config(p, 'title = "Health Library"', 'title = "Community Health Library"'),
        ALL_PAGES | ALL_LEAFLETS | ALL_SUMMARY_PAGES | FEEDS | {INDEX, LEAFLETS, REPORT_PAGE, REPORT_JSON},
    ),
    # 6. An image embedded in a bundle article: its leaflet and the copied image. Not its page
    #    or the feeds (they link to the image by its unchanged address).
    "bundle-image": (
        lambda p: (p / "content" / PIC / "pic.svg").write_text(SVG_CHANGED, encoding="utf-8"),
        {leaflet(PIC), PIC_SVG},
    ),
}


# The site's other pages (tag pages, the topics page, the 404 page) show the site title and the
# footer with the disclaimers every article shares; tag pages also list their articles' titles.
EXTRA = {case: (lambda before: set()) for case in CASES}
EXTRA["not-medical-advice-short"] = site_pages
EXTRA["site-title"] = site_pages
EXTRA["article-title"] = lambda before: tag_pages_showing(before, "Walking for Health")


@pytest.mark.parametrize("case", list(CASES))
def test_a_change_changes_exactly_its_dependents(case, warm, tmp_path):
    proj, before = warm
    change, expected = CASES[case]
    change(proj)  # (b)
    text = ok(build_cli(proj))  # (c) warm cache
    after = tree_bytes(proj / "build")
    cold = cold_tree(proj, tmp_path / "cold")  # (d)
    assert set(after) == set(cold)
    assert [n for n in sorted(after) if after[n] != cold[n]] == [], "the warm rebuild differs from a cold build"
    expected = set(expected) | listing_changed(before, after) | EXTRA[case](before)  # (e)
    index = {name for name in changed(before, after) if name.startswith("site/pagefind/")}
    assert bool(index) == (SEARCH_INDEX in expected), f"the search index changed: {sorted(index)}"
    expected = (expected - {SEARCH_INDEX}) | index
    assert sorted(changed(before, after)) == sorted(expected)
    # Only the leaflets whose inputs changed were rendered again; the rest came from the cache.
    rerendered = {n for n in expected if n.endswith(".pdf")}
    assert pdf_line(text) == (len(SLUGS) + 1, len(SLUGS) - len(rerendered)), text


def test_an_image_drawn_by_an_embedded_image_is_an_input_of_the_leaflet(tmp_path):
    """dot.svg is drawn by pic.svg, and the article names only pic.svg: changing dot.svg must
    still change the bundle's leaflet (and the copied dot.svg), in a project built where it is."""
    proj = make_project(tmp_path / "proj")
    ok(build_cli(proj))
    before = tree_bytes(proj / "build")
    (proj / "content" / PIC / "dot.svg").write_text(DOT_CHANGED, encoding="utf-8")
    text = ok(build_cli(proj))
    after = tree_bytes(proj / "build")
    assert after == cold_tree(proj, tmp_path / "cold")
    assert sorted(changed(before, after)) == sorted({leaflet(PIC), PIC_DOT} | listing_changed(before, after))
    assert pdf_line(text) == (len(SLUGS) + 1, len(SLUGS) - 1), text


def test_a_copied_project_notices_a_changed_image_drawn_by_an_embedded_image(warm, tmp_path):
    proj, before = warm  # a copy of the base project, with the base project's .cache/
    (proj / "content" / PIC / "dot.svg").write_text(DOT_CHANGED, encoding="utf-8")
    ok(build_cli(proj))
    after = tree_bytes(proj / "build")
    assert PIC_DOT in changed(before, after)  # the page's copy of the image did change
    cold = cold_tree(proj, tmp_path / "cold")
    assert [n for n in sorted(after) if after[n] != cold[n]] == []


def test_a_change_then_its_undo_gives_the_first_tree_again(warm):
    """Changing a source back reuses the first leaflet and gives the first bytes again."""
    proj, before = warm
    source = proj / "content" / "disclaimers" / "crisis-help.md"
    original = source.read_bytes()
    source.write_text(original.decode("utf-8").replace("24 hours a day", "all day and all night"), encoding="utf-8")
    ok(build_cli(proj))
    assert tree_bytes(proj / "build") != before
    source.write_bytes(original)
    text = ok(build_cli(proj))
    assert pdf_line(text) == (len(SLUGS) + 1, len(SLUGS)), text
    assert tree_bytes(proj / "build") == before


# --- 2. no-op rebuilds, deleting the cache ------------------------------------------------------


def test_a_no_op_rebuild_is_up_to_date_and_changes_nothing(warm):
    proj, before = warm
    text = ok(build_cli(proj))
    assert "Up to date: nothing changed since the last build" in text
    assert tree_bytes(proj / "build") == before


def test_a_no_op_rebuild_without_its_stamp_reuses_every_leaflet_and_changes_nothing(warm):
    proj, before = warm
    shutil.rmtree(proj / ".cache" / "publisher" / "stamps")  # the long way: load, convert, render, verify
    text = ok(build_cli(proj))
    assert pdf_line(text) == (len(SLUGS) + 1, len(SLUGS)), text
    assert f"pdf: {len(SLUGS) + 1} files, {len(SLUGS)} reused" in text
    assert tree_bytes(proj / "build") == before


def test_deleting_the_cache_gives_the_same_bytes(warm, base):
    proj, before = warm
    shutil.rmtree(proj / ".cache")
    text = ok(build_cli(proj))
    assert pdf_line(text) == (len(SLUGS) + 1, 0), text  # really rendered afresh
    assert tree_bytes(proj / "build") == before == base[2]
    assert (proj / ".cache" / "publisher").is_dir()  # and filled again
    shutil.rmtree(proj / ".cache" / "publisher" / "stamps", ignore_errors=True)  # not up to date: from the cache
    text = ok(build_cli(proj))
    assert pdf_line(text) == (len(SLUGS) + 1, len(SLUGS)), text
    assert tree_bytes(proj / "build") == before


def test_deleting_the_cache_after_a_change_gives_the_cold_bytes(warm, tmp_path):
    proj, _ = warm
    edit(proj / "content" / f"{WALKING}.md", "Start with ten minutes a day", "Start with fifteen minutes a day")
    ok(build_cli(proj))
    warm_after = tree_bytes(proj / "build")
    shutil.rmtree(proj / ".cache")
    ok(build_cli(proj))
    assert tree_bytes(proj / "build") == warm_after


def test_no_cache_neither_reads_nor_fills_the_cache(base, tmp_path):
    proj = make_project(tmp_path / "proj")
    ok(build_cli(proj, "--no-cache"))
    assert not (proj / ".cache").exists()
    assert tree_bytes(proj / "build") == base[2]


# --- 3. a damaged cache entry never damages the output ------------------------------------------


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _entries(proj: Path, kind: str, ext: str) -> list[Path]:
    """Cache entries of a kind: files in its folder, or its one pack file (ext 'pack')."""
    if ext == "pack":
        pack = proj / ".cache" / "publisher" / f"{kind}.pack"
        return [pack] if pack.is_file() else []
    return sorted((proj / ".cache" / "publisher" / kind).glob(f"*.{ext}"))


def forget_stamps(proj: Path) -> None:
    """Without its stamp a build cannot be 'up to date': it loads, converts and renders, using
    the damaged cache (the sources did not change, so the stamp would rightly skip all that)."""
    shutil.rmtree(proj / ".cache" / "publisher" / "stamps")


@pytest.mark.parametrize("kind, ext", [
    ("markdown", "pack"),
    ("leaflets", "bin"), ("leaflets", "json"),
    ("readability", "pack"),
])
def test_every_truncated_entry_of_a_kind_is_not_used(kind, ext, warm, base):
    proj, _ = warm
    entries = [p for p in _entries(proj, kind, ext) if p.stat().st_size > 1]
    assert entries, f"no {kind} entries"
    for path in entries:
        _truncate(path)
    forget_stamps(proj)
    result = build_cli(proj)
    ok(result)
    after = tree_bytes(proj / "build")
    assert [n for n in sorted(after) if after.get(n) != base[2].get(n)] == []
    assert after == base[2]


@pytest.mark.parametrize("cut", ["half", "empty", "one byte"])
def test_a_truncated_pack_of_conversions_is_not_used(cut, warm, base):
    """The cached HTML of every article's body, cut short: the pages must still be whole."""
    proj, _ = warm
    [path] = _entries(proj, "markdown", "pack")
    data = path.read_bytes()
    assert b"Start with ten minutes a day" in data
    path.write_bytes({"half": data[: len(data) // 2], "empty": b"", "one byte": data[:-1]}[cut])
    forget_stamps(proj)
    ok(build_cli(proj))
    after = tree_bytes(proj / "build")
    assert [n for n in sorted(after) if after.get(n) != base[2].get(n)] == []


def test_a_truncated_leaflet_is_not_used(warm, base):
    proj, _ = warm
    for path in _entries(proj, "leaflets", "bin"):
        path.write_bytes(path.read_bytes()[:-200])  # the end of the file (trailer, %%EOF) lost
    forget_stamps(proj)
    text = ok(build_cli(proj))
    assert pdf_line(text) == (len(SLUGS) + 1, 0), text  # every leaflet rendered again
    assert tree_bytes(proj / "build") == base[2]

