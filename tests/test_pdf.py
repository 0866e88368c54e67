"""The PDF leaflet channel, read the way its readers and printers see it.

Leaflets are read with poppler (``pdftotext``, ``pdfinfo``, ``pdffonts``) and pypdf, never
through the HTML they are rendered from. The repository's leaflet is built once per module.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pypdf
import pytest
import yaml
from conftest import (
    FIXTURES,
    GOOD_FRONT_MATTER,
    REPO,
    build_cli,
    copy_repo,
    failed,
    normalise,
    ok,
    parse_html,
    tree_bytes,
    write_article,
)

SLUG = "ketamine-therapy"
SOURCE = "content/ketamine-therapy.md"
PDF = f"site/{SLUG}/{SLUG}.pdf"
PRINT_PDF = f"site/{SLUG}/{SLUG}-print.pdf"
PAGE = f"site/{SLUG}/index.html"
LEAFLETS = "site/leaflets/index.html"
DISCLAIMER_IDS = ["not-medical-advice", "ketamine-off-label", "crisis-help"]
WEB_ADDRESS = "http://localhost:8000/ketamine-therapy/"
MM = 72 / 25.4  # points per millimetre
A5 = (148 * MM, 210 * MM)  # 419.5 x 595.3 pt


# --- helpers --------------------------------------------------------------------------------


def copy_project(dest: Path, pdf_settings: str = "") -> Path:
    """A copy of the repository's content, layouts and publish.toml; ``pdf_settings`` go in [pdf]."""
    copy_repo(dest)
    if pdf_settings:
        add_pdf_settings(dest, pdf_settings)
    return dest


def add_pdf_settings(project: Path, settings: str) -> None:
    """Put ``settings`` ("key = value" lines) into [pdf], replacing those keys' current values."""
    config = project / "publish.toml"
    text = config.read_text(encoding="utf-8")
    keys = [line.split("=")[0].strip() for line in settings.splitlines() if "=" in line]
    text = "\n".join(line for line in text.split("\n") if line.split("=")[0].strip() not in keys)
    if "[pdf]" in text:
        text = text.replace("[pdf]\n", f"[pdf]\n{settings}\n", 1)
    else:
        text += f"\n[pdf]\n{settings}\n"
    config.write_text(text, encoding="utf-8")


def line_with(text: str, needle: str) -> str:
    lines = [l for l in text.splitlines() if needle in l]
    assert lines, f"no line holds {needle!r} in:\n{text}"
    return lines[0]


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))


def shorts() -> list[str]:
    """The one-line `short` text of each resolved disclaimer, as written in its front matter."""
    return [normalise(front_matter(REPO / "content" / "disclaimers" / f"{i}.md")["short"]) for i in DISCLAIMER_IDS]


def disclaimer_body(ident: str) -> str:
    text = (REPO / "content" / "disclaimers" / f"{ident}.md").read_text(encoding="utf-8")
    return normalise(text.split("\n---\n", 1)[1].replace("**", ""))


def source_sentences() -> list[str]:
    """The fixture's sentences, split and normalised as tests/test_build_repo.py does."""
    sentences = []
    for line in (FIXTURES / "ketamine-therapy-article.txt").read_text(encoding="utf-8").splitlines():
        line = re.sub(r"^\s*\d+\.\s+", "", line)  # '1. ' is the list's numbering
        for sentence in re.split(r"(?<=[.!?:])\s+", line.strip()):
            if sentence:
                sentences.append(normalise(sentence))
    return sentences


def pdftotext(path: Path, page: int | None = None) -> str:
    """Text of the PDF (or of one page) in reading order, lines joined with spaces, quotes and
    whitespace normalised. Compare with ``holds``: pdftotext joins a word broken after its own
    hyphen ('long-' / 'term') into 'longterm'."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return normalise(subprocess.run(args + [str(path), "-"], check=True, capture_output=True, text=True).stdout)


def _unhyphenated(text: str) -> str:
    return re.sub(r"(?<=\w)-(?=\w)", "", text)


def holds(text: str, needle: str) -> bool:
    """``needle`` is in ``text``, ignoring hyphens inside words (see ``pdftotext``)."""
    return _unhyphenated(needle) in _unhyphenated(text)


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", "-isodates", "-enc", "UTF-8", str(path)],
                         check=True, capture_output=True, text=True).stdout
    info = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_count(path: Path) -> int:
    return int(pdfinfo(path)["Pages"])


def page_size(path: Path) -> tuple[float, float]:
    match = re.match(r"([\d.]+) x ([\d.]+) pts", pdfinfo(path)["Page size"])
    assert match, pdfinfo(path)["Page size"]
    return float(match[1]), float(match[2])


def page_body(text: str) -> str:
    """A page's text (hyphens inside words dropped) without its running footer, the short
    disclaimers and 'page N of M' that pdftotext gives last on each page."""
    flat = _unhyphenated(text)
    cut = min(flat.rfind(_unhyphenated(s)) for s in shorts())
    assert cut >= 0, text
    return flat[:cut].strip()


def leaflet_text_without_footers(path: Path) -> str:
    return " ".join(page_body(pdftotext(path, n)) for n in range(1, page_count(path) + 1))


def content_hash(path: Path) -> str:
    last = pdftotext(path, page_count(path))
    match = re.search(r"\bcontent ([0-9a-f]{10})\b", last)
    assert match, last
    return match[1]


def link_target(out: Path, page: str, href: str) -> Path:
    """Where a relative link on ``page`` (a path in the build folder) leads."""
    assert not urlparse(href).scheme and not href.startswith("/"), href
    return ((out / page).parent / href.split("#")[0]).resolve()


# --- module-scoped builds of the repository's content -----------------------------------------


@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory):
    """(project, out, result): `publish build --channel pdf` of a copy of the repository."""
    base = tmp_path_factory.mktemp("pdf-only")
    proj = copy_project(base / "proj")
    out = base / "out"
    return proj, out, build_cli(proj, "--out", str(out), "--channel", "pdf")


@pytest.fixture(scope="module")
def leaflet(pdf_build) -> Path:
    _, out, result = pdf_build
    ok(result)
    return out / PDF


@pytest.fixture(scope="module")
def pages(leaflet) -> list[str]:
    """Normalised text of each page, first page first."""
    return [pdftotext(leaflet, n) for n in range(1, page_count(leaflet) + 1)]


@pytest.fixture(scope="module")
def full_build(tmp_path_factory):
    """(out, manifest) of a build of every channel."""
    base = tmp_path_factory.mktemp("all-channels")
    proj = copy_project(base / "proj")
    out = base / "out"
    ok(build_cli(proj, "--out", str(out)))
    return out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def print_build(tmp_path_factory):
    """(out, manifest) of a build with [pdf] print_marks = true."""
    base = tmp_path_factory.mktemp("print-marks")
    proj = copy_project(base / "proj", "print_marks = true")
    out = base / "out"
    ok(build_cli(proj, "--out", str(out), "--channel", "pdf"))
    return out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --- 1. the build and the manifest ------------------------------------------------------------


def test_pdf_channel_build_writes_the_leaflet(pdf_build):
    _, out, result = pdf_build
    ok(result)
    assert (out / PDF).is_file()
    assert (out / PDF).read_bytes().startswith(b"%PDF-")


def test_manifest_points_to_the_leaflet(pdf_build, leaflet):
    _, out, _ = pdf_build
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [record] = [a for a in manifest["articles"] if a["slug"] == SLUG]
    assert record["outputs"]["pdf"] == PDF
    assert (out / record["outputs"]["pdf"]).resolve() == leaflet.resolve()


def test_pdf_only_build_has_no_html_index(pdf_build, leaflet):
    _, out, _ = pdf_build
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert not (out / "site" / "index.html").exists()
    assert "index" not in manifest
    [record] = [a for a in manifest["articles"] if a["slug"] == SLUG]
    assert "html" not in record["outputs"]


# --- 2. every page carries the short disclaimers and its page number ---------------------------


def test_leaflet_has_four_pages(leaflet):
    assert page_count(leaflet) == 4


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_every_page_shows_each_short_disclaimer(pages, number):
    text = pages[number - 1]
    missing = [s for s in shorts() if not holds(text, s)]
    assert not missing, (number, missing)


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_every_page_shows_page_n_of_m(pages, number):
    total = len(pages)
    text = pages[number - 1]
    assert f"page {number} of {total}" in text
    assert [n for n in range(1, total + 1) if f"page {n} of {total}" in text] == [number]


# --- 3. the whole article and every disclaimer in full -----------------------------------------


def test_every_sentence_of_the_article_is_in_the_leaflet(leaflet):
    text = leaflet_text_without_footers(leaflet)
    sentences = source_sentences()
    assert len(sentences) > 40
    missing = [s for s in sentences if not holds(text, s)]
    assert not missing, missing


@pytest.mark.parametrize("ident", DISCLAIMER_IDS)
def test_full_disclaimer_text_is_in_the_leaflet(leaflet, ident):
    assert holds(leaflet_text_without_footers(leaflet), disclaimer_body(ident))


# --- 4. metadata, tagging, fonts, page size ----------------------------------------------------


def test_document_metadata(leaflet):
    article = front_matter(REPO / SOURCE)
    info = pdfinfo(leaflet)
    assert info["Title"] == article["title"]
    assert info["Author"] == article["author"]
    assert normalise(info["Subject"]) == normalise(article["description"])
    assert [k.strip() for k in info["Keywords"].split(",")] == article["tags"]
    assert info["CreationDate"].startswith("2026-11-28"), info["CreationDate"]
    assert info["Tagged"] == "yes"


def test_default_page_size_is_a5(leaflet):
    assert page_size(leaflet) == pytest.approx(A5, abs=0.5)
    assert page_size(leaflet) == pytest.approx((419.5, 595.3), abs=0.1)


@pytest.mark.parametrize("size, points", [("A4", (595, 842)), ("Letter", (612, 792))])
def test_page_size_setting(tmp_path, size, points):
    proj = copy_project(tmp_path / "proj", f'page_size = "{size}"')
    ok(build_cli(proj, "--out", str(tmp_path / "out"), "--channel", "pdf"))
    path = tmp_path / "out" / PDF
    assert page_size(path) == pytest.approx(points, abs=1)
    for number in range(1, page_count(path) + 1):  # still a footer on every page
        assert f"page {number} of {page_count(path)}" in pdftotext(path, number)


def test_every_font_is_embedded(leaflet):
    out = subprocess.run(["pdffonts", str(leaflet)], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]  # after the header and the ---- line
    assert rows, out
    for row in rows:
        # name type encoding emb sub uni object-number generation; the name and type may hold spaces
        assert row.split()[-5] == "yes", row


def test_catalog_language_and_marked(leaflet):
    root = pypdf.PdfReader(leaflet).trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"]) is True


# --- 5. reproducibility -----------------------------------------------------------------------


def test_two_builds_give_byte_identical_pdfs(leaflet, tmp_path):
    # A second copy of the project, in another folder: nothing is reused from the first build.
    proj = copy_project(tmp_path / "elsewhere" / "proj")
    again = tmp_path / "again"
    ok(build_cli(proj, "--out", str(again), "--channel", "pdf"))
    assert (again / PDF).read_bytes() == leaflet.read_bytes()


# --- 6. references the leaflet may not follow ------------------------------------------------


def _good_build_then(project: Path, tmp_path: Path, change) -> tuple[str, dict, Path]:
    """Build ``project`` into tmp_path/out, apply ``change``, build again; return (output, old tree, out)."""
    out = tmp_path / "out"
    ok(build_cli(project, "--out", str(out)))
    before = tree_bytes(out)
    assert PDF in before
    change()
    text = failed(build_cli(project, "--out", str(out)))
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in ("proj", "secret.png")) == ["out"]
    return text, before, out


@pytest.mark.parametrize("case", ["http", "file", "outside"])
def test_unsafe_image_reference_fails(project, tmp_path, server, case):
    port = server.server_address[1]
    reference = {
        "http": f"http://127.0.0.1:{port}/pixel.png",
        "file": "file:///etc/passwd",
        "outside": "../../secret.png",
    }[case]
    secret = project.parent / "secret.png"  # what ../../secret.png names from content/
    secret.write_bytes(b"\x89PNG\r\n\x1a\nnot for the leaflet")
    if case == "outside":
        assert (project / "content" / reference).resolve() == secret.resolve()

    def add_article():
        write_article(project, "unsafe", GOOD_FRONT_MATTER, f"Text.\n\n![x]({reference})\n")

    text, _, _ = _good_build_then(project, tmp_path, add_article)
    line = line_with(text, reference)
    assert "content/unsafe.md" in line
    assert server.seen == []


def test_missing_local_image_fails(project, tmp_path):
    def add_article():
        write_article(project, "unsafe", GOOD_FRONT_MATTER, "Text.\n\n![x](missing.png)\n")

    text, _, _ = _good_build_then(project, tmp_path, add_article)
    line = line_with(text, "missing.png")
    assert "content/unsafe.md" in line


@pytest.mark.parametrize("case", ["import", "background"])
def test_layout_css_cannot_reach_the_network(project, tmp_path, server, case):
    port = server.server_address[1]
    reference = {"import": f"http://127.0.0.1:{port}/x.css", "background": f"http://127.0.0.1:{port}/bg.png"}[case]
    css = project / "layouts" / "pdf" / "leaflet.css"

    def change_css():
        original = css.read_text(encoding="utf-8")
        if case == "import":  # @import must come before every other rule
            css.write_text(f'@import url("{reference}");\n' + original, encoding="utf-8")
        else:
            css.write_text(original + f"\nbody {{ background: url({reference}); }}\n", encoding="utf-8")

    text, _, _ = _good_build_then(project, tmp_path, change_css)
    assert reference in text
    assert server.seen == []


def test_layout_css_reference_error_names_the_layout(project, tmp_path):
    css = project / "layouts" / "pdf" / "leaflet.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { background: url(http://127.0.0.1:9/bg.png); }\n",
                   encoding="utf-8")
    text = failed(build_cli(project, "--out", str(tmp_path / "out"), "--channel", "pdf"))
    assert "layouts/pdf/leaflet.css" in line_with(text, "http://127.0.0.1:9/bg.png")


# --- 7. max_pages -----------------------------------------------------------------------------


def test_max_pages_exceeded_fails(tmp_path):
    proj = copy_project(tmp_path / "proj", "max_pages = 2")
    text = failed(build_cli(proj, "--out", str(tmp_path / "out")))
    line = line_with(text, SOURCE)
    assert re.search(r"\b4 pages\b", line), line
    assert "max_pages" in line and re.search(r"\b2\b", line), line
    assert not (tmp_path / "out").exists()


# --- 8. the print version ---------------------------------------------------------------------


def test_print_marks_writes_a_print_version(print_build):
    out, manifest = print_build
    [record] = [a for a in manifest["articles"] if a["slug"] == SLUG]
    assert record["outputs"]["pdf_print"] == PRINT_PDF
    assert record["outputs"]["pdf"] == PDF
    assert (out / PRINT_PDF).read_bytes().startswith(b"%PDF-")


def test_print_version_has_3mm_bleed_and_room_for_crop_marks_beyond_it(print_build):
    out, _ = print_build
    page = pypdf.PdfReader(out / PRINT_PDF).pages[0]
    for box, mm in ((page.bleedbox, 3), (page.mediabox, 6)):  # the marks are drawn between the two
        outside = mm * MM
        assert float(page.trimbox.left) - float(box.left) == pytest.approx(outside, abs=0.1)
        assert float(page.trimbox.bottom) - float(box.bottom) == pytest.approx(outside, abs=0.1)
        assert float(box.right) - float(page.trimbox.right) == pytest.approx(outside, abs=0.1)
        assert float(box.top) - float(page.trimbox.top) == pytest.approx(outside, abs=0.1)
    assert (float(page.trimbox.width), float(page.trimbox.height)) == pytest.approx(A5, abs=0.5)


def test_normal_leaflet_beside_the_print_version_is_plain_a5(print_build):
    out, _ = print_build
    page = pypdf.PdfReader(out / PDF).pages[0]
    media = page.mediabox
    assert (float(media.left), float(media.bottom)) == pytest.approx((0, 0), abs=0.01)
    assert (float(media.width), float(media.height)) == pytest.approx(A5, abs=0.5)


# --- 9. links from the site --------------------------------------------------------------------


def test_article_page_links_to_the_leaflet(full_build):
    out, manifest = full_build
    [record] = [a for a in manifest["articles"] if a["slug"] == SLUG]
    assert record["outputs"]["pdf"] == PDF
    page = parse_html(out / PAGE)
    targets = [link_target(out, PAGE, a["href"]) for a in page.find_all("a", href=True)
               if not urlparse(a["href"]).scheme and not a["href"].startswith("#")]
    assert (out / PDF).resolve() in targets
    assert (out / PDF).is_file()


def test_leaflets_page_lists_the_leaflet(full_build):
    out, manifest = full_build
    assert manifest["leaflets"] == LEAFLETS
    page = parse_html(out / LEAFLETS)
    links = [a for a in page.find_all("a", href=True) if a["href"].endswith(".pdf")]
    assert len(links) == 1
    link = links[0]
    assert link_target(out, LEAFLETS, link["href"]) == (out / PDF).resolve()
    row = link.find_parent("tr")
    assert row is not None
    cells = [normalise(c.get_text(" ")) for c in row.find_all(["td", "th"])]
    title = front_matter(REPO / SOURCE)["title"]
    assert any(title in c for c in cells), cells
    assert "4" in cells, cells
    sizes = [int(m[1]) for c in cells if (m := re.fullmatch(r"(\d+) KB", c))]
    assert len(sizes) == 1, cells
    assert abs(sizes[0] - (out / PDF).stat().st_size / 1024) <= 1


@pytest.mark.parametrize("page", ["site/index.html", PAGE])
def test_site_pages_link_to_the_leaflets_page(full_build, page):
    out, _ = full_build
    soup = parse_html(out / page)
    targets = [link_target(out, page, a["href"]) for a in soup.find_all("a", href=True)
               if not urlparse(a["href"]).scheme and not a["href"].startswith("#")]
    assert (out / LEAFLETS).resolve() in targets


# --- 10. version line, content hash, web address ------------------------------------------------


def test_last_page_has_the_version_line(pages):
    last = pages[-1]
    # 'Leaflet version: 2026-11-28; medical review: not recorded; content 6d11397c40.'
    line = re.search(r"version\b[^.]*?2026-11-28[^.]*?medical review: not recorded[^.]*?\b([0-9a-f]{10})\b", last, re.I)
    assert line, last


def test_web_address_is_on_the_first_page(pages):
    assert holds(pages[0], WEB_ADDRESS)  # under the title, beside the QR code


def test_changing_a_disclaimer_changes_the_content_hash(leaflet, tmp_path):
    proj = copy_project(tmp_path / "proj")
    path = proj / "content" / "disclaimers" / "crisis-help.md"
    text = path.read_text(encoding="utf-8")
    assert "please reach\nout now" in text
    path.write_text(text.replace("please reach\nout now", "please reach\nout today"), encoding="utf-8")
    ok(build_cli(proj, "--out", str(tmp_path / "out"), "--channel", "pdf"))
    changed = tmp_path / "out" / PDF
    assert holds(leaflet_text_without_footers(changed), "please reach out today")
    assert content_hash(changed) != content_hash(leaflet)


# --- 11. configuration errors -----------------------------------------------------------------


def test_unknown_page_size_fails(tmp_path):
    proj = copy_project(tmp_path / "proj", 'page_size = "B5"')
    text = failed(build_cli(proj, "--out", str(tmp_path / "out"), "--channel", "pdf"))
    line = line_with(text, "page_size")
    assert "publish.toml" in line
    assert not (tmp_path / "out").exists()


# --- the disclaimer gate ----------------------------------------------------------------------


def test_leaflet_layout_that_drops_a_disclaimer_fails(tmp_path):
    proj = copy_project(tmp_path / "proj")
    template = proj / "layouts" / "pdf" / "leaflet.html"
    text = template.read_text(encoding="utf-8")
    assert "{% for disclaimer, text in bottom %}" in text
    template.write_text(text.replace("{% for disclaimer, text in bottom %}",
                                     "{% for disclaimer, text in bottom if false %}"), encoding="utf-8")
    result = build_cli(proj, "--out", str(tmp_path / "out"), "--channel", "pdf")
    if result.exit_code == 0:  # show what went out
        assert holds(leaflet_text_without_footers(tmp_path / "out" / PDF), disclaimer_body("ketamine-off-label"))
    text = failed(result)
    assert "ketamine-off-label" in text
    assert not (tmp_path / "out").exists()


def test_a_missing_image_with_a_short_name_is_blamed_on_the_line_that_shows_it(tmp_path):
    """'x' is in 'text' on line 8 too: the message points at line 10, where the image is."""
    proj = copy_project(tmp_path / "proj")
    write_article(proj, "imgx", "title: Image X\ndate: 2026-11-01\nauthor: Clinic nurses\ndescription: An image.\n"
                  "plain_summary: Look at it. Ask your nurse.\n", "Some text.\n\n<img src=\"x\" alt=\"an x\">\n\nMore.\n")
    output = failed(build_cli(proj, "--out", str(tmp_path / "out"), "--channel", "pdf"))
    assert "content/imgx.md:10: error: 'x': no such file [content.reference]" in output, output


def test_a_refused_reference_of_the_print_css_names_the_css(tmp_path):
    """The project's leaflet.css draws a file outside the project: the message names that file,
    not the article (whose text says 'hosts' too) nor the template."""
    proj = copy_project(tmp_path / "proj")
    write_article(proj, "hosts", "title: Hosts\ndate: 2026-11-01\nauthor: Clinic nurses\ndescription: Hosts.\n"
                  "plain_summary: Hosts visit. Ask your nurse.\n", "Our hosts welcome you.\n")
    from publisher.layouts import Layouts

    css = Layouts(proj / "layouts", proj).find("pdf/leaflet.css").read_text(encoding="utf-8")
    (proj / "layouts" / "pdf").mkdir(parents=True, exist_ok=True)
    (proj / "layouts" / "pdf" / "leaflet.css").write_text(
        css + '\n.title-block { background: url("/etc/hosts"); }\n', encoding="utf-8")
    output = failed(build_cli(proj, "--out", str(tmp_path / "out"), "--channel", "pdf"))
    assert re.search(r"^layouts/pdf/leaflet\.css: error: the leaflet of content/\S+ refers to 'file:///etc/hosts': it points "
                     r"outside the project's content/ and layouts/ folders \[pdf\.reference\]$", output, re.M), output
