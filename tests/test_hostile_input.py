"""Hostile input, round two: what authors paste and agencies deliver, tried as an attacker would.

Each case starts from a copy of one good build (test_hostile.py's ``built_base``), changes the
project as the attack would, and runs ``publish build`` as a real process. A refused build must
exit 1 with a message naming the file, print no traceback, leave the previous build
byte-identical and write nothing outside the output folder. A build that is let through must
publish nothing active: every HTML page, feed, SVG and PDF it wrote is parsed back.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import AS_OF, REPO, tree_bytes
from pypdf import PdfReader
from test_hostile import (  # noqa: F401  (built_base is a fixture)
    GOOD_ARTICLE, _feed_html, _unsafe_in, build, built_base, copy_base, leftovers, ok, project_tree, publish,
)

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{}</svg>'
SAFE_SVG = SVG.format('<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
                      '<rect width="10" height="10" fill="url(#g)"/><text x="1" y="9">A</text>')


# --- helpers -------------------------------------------------------------------------------------


def article(title: str = "A Bundle Article", extra: str = "", body: str = "Water helps you.\n") -> str:
    """GOOD_ARTICLE without its id (each test article is new), with ``extra`` front matter lines."""
    text = GOOD_ARTICLE.replace("id: 6a1f3c2e-8b4d-4e5f-9a7b-1c2d3e4f5a6b\n", "")
    text = text.replace("title: Drinking Enough Water", f"title: {title}")
    text = text.replace("tags: [water, health]\n", f"tags: [water, health]\n{extra}")
    return text + "\n" + body


def bundle(project: Path, slug: str, body: str, files: dict[str, bytes | str]) -> Path:
    folder = project / "content" / slug
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(article(body=body), encoding="utf-8")
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return folder


class Attempt:
    """A copy of the good build, the state before the attack, and the checks after it."""

    def __init__(self, built_base: Path, tmp_path: Path):
        self.tmp = tmp_path
        self.project = copy_base(built_base, tmp_path / "proj")
        self.out = self.project / "build"
        self.before = tree_bytes(self.out)

    def snapshot(self) -> None:
        """Call once the attack is in place: what the project holds before the build."""
        self.sources = project_tree(self.project)

    def refused(self, run, *names: str, code: str | None = None) -> list[str]:
        """Exit 1, each of ``names`` printed at the start of an error line (with ``code``), no traceback,
        the previous build byte-identical, nothing written outside the output folder."""
        assert "Traceback" not in run.output, run.output
        assert run.code == 1, run.output
        lines = [line for line in run.stderr.splitlines() if ": error: " in line]
        for name in names:
            hits = [line for line in lines if line.startswith(f"{name}:") and (code is None or f"[{code}]" in line)]
            assert hits, f"no error naming {name} ({code}) in:\n{run.stderr}"
        assert tree_bytes(self.out) == self.before, "a refused build changed the previous build"
        self.untouched()
        return lines

    def untouched(self) -> None:
        assert project_tree(self.project) == self.sources, "the build wrote outside its output folder"
        assert leftovers(self.project) == []
        assert sorted(p.name for p in self.tmp.iterdir()) == ["proj"]


def refuses_front_matter(built_base: Path, tmp_path: Path, name: str, extra: str, code: str) -> None:
    """An article with ``extra`` front matter lines is refused with ``code``, naming its file."""
    attempt = Attempt(built_base, tmp_path)
    (attempt.project / "content" / f"{name}.md").write_text(article(extra=extra), encoding="utf-8")
    attempt.snapshot()
    attempt.refused(build(attempt.project), f"content/{name}.md", code=code)


def assert_nothing_active(out: Path) -> None:
    """Every page, feed, SVG and PDF of a build read back: no script, handler or active URL."""
    problems = []
    for page in sorted(out.rglob("*.html")):
        problems += _unsafe_in(BeautifulSoup(page.read_bytes(), "html5lib"), str(page.relative_to(out)),
                               allow_json_ld=True)
    for feed in [out / "site" / "feed.xml", out / "site" / "atom.xml"]:
        for text in _feed_html(feed):
            problems += _unsafe_in(BeautifulSoup(text, "html5lib"), feed.name)
    for drawing in out.rglob("*.svg"):
        soup = BeautifulSoup(drawing.read_bytes(), "xml")
        problems += [f"{drawing.name}: <{e.name}>" for e in soup.find_all(["script", "foreignObject"])]
        problems += [f"{drawing.name}: {a}=" for e in soup.find_all(True) for a in e.attrs if a.lower().startswith("on")]
    for leaflet in out.rglob("*.pdf"):
        data = leaflet.read_bytes()
        problems += [f"{leaflet.name}: {key}" for key in (b"/JavaScript", b"/JS ", b"/Launch", b"/OpenAction")
                     if key in data]
    assert not problems, problems


def without_summary(text: str) -> str:
    return re.sub(r"plain_summary: \|-\n(  .*\n)*", "", text)


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --- active content beyond the body ----------------------------------------------------------------

ACTIVE_SVGS = {
    "script": SVG.format("<script>alert(1)</script>"),
    "handler": SVG.format('<rect width="5" height="5" onclick="alert(1)"/>').replace("<svg ", '<svg onload="x()" '),
    "foreign-object": SVG.format('<foreignObject><body xmlns="http://www.w3.org/1999/xhtml">'
                                 "<iframe src='https://example.org'/></body></foreignObject>"),
    "javascript-link": SVG.format('<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="javascript:alert(1)">'
                                  "<text>x</text></a>"),
    "remote-image": SVG.format('<image href="https://tracker.example/pixel.png" width="1" height="1"/>'),
    "remote-style": SVG.format("<style>@import url(https://example.org/a.css);</style>"),
    "animated-link": SVG.format('<a href="#x"><set attributeName="href" to="javascript:alert(1)"/>x</a>'),
    "entities": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>' + SVG.format("<text>&a;</text>"),
}


@pytest.mark.parametrize("kind", sorted(ACTIVE_SVGS))
def test_active_svg_in_a_bundle_is_refused(built_base, tmp_path, kind):
    attempt = Attempt(built_base, tmp_path)
    bundle(attempt.project, "drawn", "![A drawing](drawing.svg)\n", {"drawing.svg": ACTIVE_SVGS[kind]})
    attempt.snapshot()
    lines = attempt.refused(build(attempt.project), "content/drawn/index.md", code="bundle.svg")
    assert any("content/drawn/drawing.svg" in line for line in lines)


@pytest.mark.parametrize("name", ["page.html", "page.htm", "page.xhtml", "code.js", "data.xml", "movie.swf", "noext"])
def test_active_file_types_are_refused(built_base, tmp_path, name):
    attempt = Attempt(built_base, tmp_path)
    bundle(attempt.project, "typed", f"See [the file]({name}).\n", {name: "<script>alert(1)</script>"})
    attempt.snapshot()
    lines = attempt.refused(build(attempt.project), "content/typed/index.md", code="bundle.type")
    assert any(f"content/typed/{name}" in line for line in lines)


def test_only_referenced_passive_files_are_published(built_base, tmp_path):
    """Unreferenced files of a bundle (even active ones) stay out of the site; a referenced safe SVG,
    PNG and PDF go beside the page byte for byte."""
    attempt = Attempt(built_base, tmp_path)
    files = {"drawing.svg": SAFE_SVG, "chart.png": _png(),
             "sheet.pdf": b"%PDF-1.4\n%%EOF\n", "evil.html": "<script>alert(1)</script>",
             "evil.svg": ACTIVE_SVGS["script"], "notes/draft.txt": "internal notes"}
    bundle(attempt.project, "pictures", "![A drawing](drawing.svg)\n\n![A chart](chart.png)\n\n[Sheet](sheet.pdf)\n", files)
    attempt.snapshot()
    ok(build(attempt.project))
    folder = attempt.out / "site" / "pictures"
    published = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert published == ["chart.png", "drawing.svg", "index.html", "pictures.pdf", "sheet.pdf",
                         "summary.txt", "summary/index.html"]
    assert (folder / "drawing.svg").read_text(encoding="utf-8") == SAFE_SVG
    assert_nothing_active(attempt.out)
    attempt.untouched()


@pytest.mark.parametrize("name", ["pictures.pdf", "pictures-print.pdf", "pictures-large.pdf", "summary.txt",
                                  "summary/index.html"])
@pytest.mark.parametrize("channels", [(), ("--channel", "html")])
def test_a_bundle_file_never_takes_an_outputs_address(built_base, tmp_path, name, channels):
    attempt = Attempt(built_base, tmp_path)
    bundle(attempt.project, "pictures", f"[A file]({name})\n", {name: b"%PDF-1.4\nforged\n"})
    attempt.snapshot()
    lines = attempt.refused(build(attempt.project, *channels), "content/pictures/index.md")
    assert any(f"content/pictures/{name}: its name would replace the article's own {name}" in line
               and line.endswith("[bundle.address]") for line in lines), lines


def _png() -> bytes:
    from conftest import tiny_png

    return tiny_png()


# --- text that reaches CSS, attributes and file names --------------------------------------------


def _disclaimer(short: str, body: str = "Call the help line at any hour.") -> str:
    return f'---\ntitle: Help at any hour\nshort: "{short}"\nplain: Call the help line.\n---\n\n{body}\n'


@pytest.mark.parametrize("short", [
    "Call 988 now.\\\"} @page { size: A0 } .disclaimer { display: none }",
    "Call 988 now.\\u2028\\\\\\\"; } body { display: none } /*",
    "Call 988 now.\\x0b\\x0c\\x85\\u0000 end '); } * { visibility: hidden } /*",
])
def test_disclaimer_short_text_cannot_restyle_the_leaflet(built_base, tmp_path, short):
    """The short text goes into the leaflet's running footer through CSS: whatever it holds, the
    leaflet keeps its A5 pages and shows the text (pdftotext), and the page carries it."""
    attempt = Attempt(built_base, tmp_path)
    (attempt.project / "content" / "disclaimers" / "help-line.md").write_text(_disclaimer(short), encoding="utf-8")
    (attempt.project / "content" / "helped.md").write_text(article("Help Lines", "disclaimers: [help-line]\n"),
                                                            encoding="utf-8")
    attempt.snapshot()
    ok(build(attempt.project))
    leaflet = attempt.out / "site" / "helped" / "helped.pdf"
    for page in PdfReader(leaflet).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (420, 595)
    for number in range(1, len(PdfReader(leaflet).pages) + 1):  # the running footer, on every page
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(leaflet), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "Call 988 now." in text, (number, text)
    assert_nothing_active(attempt.out)


@pytest.mark.parametrize("short", ["Call 988 now.\\r} @page { size: A0 }", "Call 988 now.\\n\\\"} * { color: white }",
                                   "Call\\r\\n988"])
def test_a_line_break_in_a_disclaimer_short_text_is_refused(built_base, tmp_path, short):
    """A carriage return once ended the CSS string of the leaflet's footer: it is a line break, and
    'short' is one line."""
    attempt = Attempt(built_base, tmp_path)
    (attempt.project / "content" / "disclaimers" / "help-line.md").write_text(_disclaimer(short), encoding="utf-8")
    (attempt.project / "content" / "helped.md").write_text(article("Help Lines", "disclaimers: [help-line]\n"),
                                                            encoding="utf-8")
    attempt.snapshot()
    lines = attempt.refused(build(attempt.project), "content/disclaimers/help-line.md:3", code="disclaimer.short")
    assert not any("unknown disclaimer" in line for line in lines), lines  # its own error says it all


def test_word_line_breaks_in_a_disclaimer_are_spaces_not_a_missing_disclaimer(built_base, tmp_path):
    """Word's line break (vertical tab) and page break (form feed) in a disclaimer's full text: the
    gate passes and every channel shows the words with spaces."""
    attempt = Attempt(built_base, tmp_path)
    body = "Call the help line\x0bat any hour.\x0cIt is free\x0b\x0bto call."
    (attempt.project / "content" / "disclaimers" / "help-line.md").write_text(
        _disclaimer("Call the help line at any hour.", body), encoding="utf-8")
    (attempt.project / "content" / "helped.md").write_text(article("Help Lines", "disclaimers: [help-line]\n"),
                                                            encoding="utf-8")
    attempt.snapshot()
    ok(build(attempt.project))
    page = BeautifulSoup((attempt.out / "site" / "helped" / "index.html").read_bytes(), "html5lib").get_text(" ")
    assert "Call the help line at any hour." in " ".join(page.split())
    assert "\x0b" not in page and "\x0c" not in page


def test_windows_1252_punctuation_and_controls_in_a_title(built_base, tmp_path):
    attempt = Attempt(built_base, tmp_path)
    (attempt.project / "content" / "quoted.md").write_text(
        article("Water\x92s \x07Role\x1b[31m Today"), encoding="utf-8")
    attempt.snapshot()
    ok(build(attempt.project))
    page = BeautifulSoup((attempt.out / "site" / "quoted" / "index.html").read_bytes(), "html5lib")
    assert page.h1.get_text() == "Water\u2019s  Role [31m Today"
    feed = (attempt.out / "site" / "feed.xml").read_text(encoding="utf-8")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", feed)


@pytest.mark.parametrize("field,value", [
    ("plain_summary", '"Drink \\ud800 water."'),
    ("title", '"Water \\udfff"'),
    ("tags", '["water", "\\ud83d"]'),
])
def test_lone_surrogate_escapes_are_refused(built_base, tmp_path, field, value):
    attempt = Attempt(built_base, tmp_path)
    text = article()
    text = re.sub(rf"(?m)^{field}: .*\n(  .*\n)*", lambda _: f"{field}: {value}\n", text)
    (attempt.project / "content" / "escaped.md").write_text(text, encoding="utf-8")
    attempt.snapshot()
    lines = attempt.refused(build(attempt.project), "content/escaped.md", code="frontmatter.yaml")
    line = next(i for i, row in enumerate(text.split("\n"), 1) if row.startswith(f"{field}:"))
    assert any(row.startswith(f"content/escaped.md:{line}:") and "escape" in row for row in lines), lines


@pytest.mark.parametrize("extra,code", [
    ('slug: "good-two\\n"\n', "frontmatter.slug"),
    ('lang: "en\\n"\n', "frontmatter.lang"),
    ("slug: " + "a" * 101 + "\n", "frontmatter.slug"),
    ('lang: "en-GB\\nX"\n', "frontmatter.lang"),
])
def test_values_that_name_files_and_attributes_match_in_full(built_base, tmp_path, extra, code):
    refuses_front_matter(built_base, tmp_path, "named", extra, code)


def test_a_file_name_too_long_for_a_slug(built_base, tmp_path):
    attempt = Attempt(built_base, tmp_path)
    name = "water-" * 40 + "notes"  # 245 characters: fits the file system, not '<slug>-print.pdf'
    (attempt.project / "content" / f"{name}.md").write_text(article(), encoding="utf-8")
    attempt.snapshot()
    lines = attempt.refused(build(attempt.project), f"content/{name}.md", code="frontmatter.slug")
    assert any("at most 100 characters" in line for line in lines)


@pytest.mark.parametrize("slug", ["abc\n", "Abc", "a" * 101, "../up", "a--b"])
def test_publish_new_refuses_a_bad_slug(built_base, tmp_path, slug):
    attempt = Attempt(built_base, tmp_path)
    attempt.snapshot()
    run = publish(attempt.project, "new", "A Title", "--slug", slug, "--as-of", AS_OF)
    assert run.code == 2 and "Traceback" not in run.output, run.output
    assert "slug" in run.stderr
    attempt.untouched()


@pytest.mark.parametrize("first,second", [("C++", "C-plus-plus"), ("Rest", "rest?"), ("Sleep", "Sleep!")])
def test_tags_that_would_share_a_page_are_refused(built_base, tmp_path, first, second):
    attempt = Attempt(built_base, tmp_path)
    (attempt.project / "content" / "one.md").write_text(article("One", body="One.\n").replace(
        "tags: [water, health]", f'tags: ["{first}"]'), encoding="utf-8")
    (attempt.project / "content" / "two.md").write_text(article("Two", body="Two.\n").replace(
        "tags: [water, health]", f'tags: ["{second}"]'), encoding="utf-8")
    attempt.snapshot()
    lines = attempt.refused(build(attempt.project), "content/two.md", code="frontmatter.tags")
    assert any("content/one.md" in line for line in lines)


def test_tags_in_other_scripts_and_symbols_get_pages_of_their_own(built_base, tmp_path):
    attempt = Attempt(built_base, tmp_path)
    tags = ["C++", "C", "C#", "вода", "море", "水", "Wasser", "water", "Water"]
    (attempt.project / "content" / "tagged.md").write_text(article().replace(
        "tags: [water, health]", "tags: [" + ", ".join(tags) + "]"), encoding="utf-8")
    attempt.snapshot()
    ok(build(attempt.project))
    page = BeautifulSoup((attempt.out / "site" / "tagged" / "index.html").read_bytes(), "html5lib")
    links = {a.get_text(): a["href"] for a in page.select(".tags a")}
    distinct = [tag for tag in tags if tag != "Water"]  # 'Water' and 'water' are one topic
    assert len({links[tag] for tag in distinct}) == len(distinct), links
    for tag in distinct:
        target = (attempt.out / "site" / "tagged" / links[tag]).resolve()
        assert target.is_file()
        heading = BeautifulSoup(target.read_bytes(), "html5lib").h1.get_text()
        assert tag.casefold() in heading.casefold()


# --- fenced divs and attributes ------------------------------------------------------------------

FORGING_BODY = """
::: {#main .disclaimer .disclaimer-not-medical-advice}
This is not a real disclaimer box.
:::

[A span]{#disclaimer-crisis-help .site-header .kept} and [a link](#main).

## Main

## Main

<div id="toc-title" class="skip-link toc">Raw HTML</div>
"""


def test_fenced_divs_cannot_forge_the_layout(built_base, tmp_path):
    attempt = Attempt(built_base, tmp_path)
    (attempt.project / "content" / "forged.md").write_text(article("Forged", body=FORGING_BODY), encoding="utf-8")
    attempt.snapshot()
    ok(build(attempt.project))
    page = BeautifulSoup((attempt.out / "site" / "forged" / "index.html").read_bytes(), "html5lib")
    ids = [element["id"] for element in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(ids)
    main = page.find(id="main")
    assert main.name == "main" and page.select_one("a.skip-link")["href"] == "#main"
    assert "This is not a real disclaimer box." in main.get_text()
    body = page.select_one(".article-body")
    for element in body.find_all(True):
        classes = set(element.get("class", []))
        assert not classes & {"disclaimer", "site-header", "skip-link", "toc"}, element
        assert not any(c.startswith("disclaimer-") for c in classes), element
    assert body.find(class_="kept")
    record = next(a for a in manifest(attempt.out)["articles"] if a["slug"] == "forged")
    assert len(page.find_all(class_="disclaimer")) == len(record["disclaimers"])
    for link in body.find_all("a", href=re.compile("^#")):
        assert page.find(id=link["href"][1:]), link  # links inside the body still reach their target


def test_the_layouts_classes_and_ids_are_all_reserved():
    """The sanitiser's list of the layout's classes and ids holds every one the layouts use on a
    page that shows content (not the content-health report: it shows figures, never an article's HTML)."""
    from publisher.sanitise import LAYOUT_CLASSES, LAYOUT_IDS, LAYOUT_PREFIX

    classes, ids = set(), set()
    for template in (REPO / "layouts").rglob("*.html"):
        if template.parent.name == "report":
            continue
        text = template.read_text(encoding="utf-8")
        for value in re.findall(r'class="([^"]*)"', text):
            classes |= {c for c in re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", value).split() if not c.endswith("-")}
        ids |= {v for v in re.findall(r'id="([^"{]*)"', text)}
    assert classes - LAYOUT_CLASSES == set()
    assert {i for i in ids if not i.startswith(LAYOUT_PREFIX)} - LAYOUT_IDS == set()


# --- outside the project ------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["content/leak.md", "content/disclaimers/leak.md", "content/leaky/index.md"])
def test_a_source_linked_from_outside_the_project_is_refused(built_base, tmp_path, where):
    attempt = Attempt(built_base, tmp_path)
    secret = tmp_path.parent / f"secret-{tmp_path.name}.md"
    secret.write_text(article("Secret") if "disclaimers" not in where else _disclaimer("Secret."), encoding="utf-8")
    link = attempt.project / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    attempt.snapshot()
    attempt.refused(build(attempt.project), where, code="file.outside")
    check = publish(attempt.project, "check", "--as-of", AS_OF, "--format", "json")
    assert check.code == 1, check.output
    assert any(d["path"] == where and d["code"] == "file.outside" for d in json.loads(check.stdout)["diagnostics"])


def test_a_bundle_folder_or_file_linked_from_outside_is_refused(built_base, tmp_path):
    attempt = Attempt(built_base, tmp_path)
    outside = tmp_path.parent / f"outside-{tmp_path.name}"
    outside.mkdir()
    (outside / "index.md").write_text(article("Elsewhere"), encoding="utf-8")
    (attempt.project / "content" / "elsewhere").symlink_to(outside)
    folder = bundle(attempt.project, "linked", "![x](secret.png)\n\n[notes](notes.txt)\n", {})
    (folder / "secret.png").symlink_to("/etc/passwd")
    (folder / "notes.txt").symlink_to(outside / "index.md")
    attempt.snapshot()
    lines = attempt.refused(build(attempt.project), "content/elsewhere/index.md", "content/linked/secret.png",
                            "content/linked/notes.txt")
    assert all("root:" not in line for line in lines)


def test_publish_new_never_writes_through_a_link(built_base, tmp_path):
    attempt = Attempt(built_base, tmp_path)
    victim = tmp_path.parent / f"victim-{tmp_path.name}.txt"
    (attempt.project / "content" / "a-title.md").symlink_to(victim)  # dangling: exists() would say no
    attempt.snapshot()
    run = publish(attempt.project, "new", "A Title", "--as-of", AS_OF)
    assert run.code == 1 and "Traceback" not in run.output, run.output
    assert "content/a-title.md" in run.stderr
    assert not victim.exists()
    attempt.untouched()


def test_publish_new_writes_a_whole_file_and_nothing_else(built_base, tmp_path):
    attempt = Attempt(built_base, tmp_path)
    run = publish(attempt.project, "new", "Fresh Water", "--as-of", AS_OF)
    assert run.code == 0, run.output
    written = attempt.project / "content" / "fresh-water.md"
    assert written.read_text(encoding="utf-8").startswith("---\nid: ")
    assert oct(written.stat().st_mode & 0o777) != "0o600"  # not the temporary file's private mode
    assert sorted(p.name for p in (attempt.project / "content").iterdir() if p.name.startswith(".")) == []


def test_summarize_write_never_writes_through_a_link(built_base, tmp_path):
    attempt = Attempt(built_base, tmp_path)
    target = attempt.project / "content" / "real.md"
    target.write_text(without_summary(article("Real")), encoding="utf-8")
    (attempt.project / "content" / "alias.md").symlink_to("real.md")
    config = attempt.project / "publish.toml"
    before = target.read_bytes()
    run = publish(attempt.project, "summarize", "alias", "--write")
    assert "Traceback" not in run.output, run.output
    assert run.code == 1 and "content/alias.md" in run.stderr and "symbolic link" in run.stderr, run.output
    assert target.read_bytes() == before
    assert config.exists()


def test_summarize_write_replaces_the_file_whole(built_base, tmp_path):
    attempt = Attempt(built_base, tmp_path)
    path = attempt.project / "content" / "plain.md"
    path.write_text(without_summary(article("Plain", body=(
        "Water helps your body. Drink a glass of water with each meal. Drink more on hot days.\n"))),
        encoding="utf-8")
    path.chmod(0o640)
    run = publish(attempt.project, "summarize", "plain", "--write")
    assert run.code == 0, run.output
    assert "plain_summary: |-" in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


# --- dates and numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("extra,code", [
    ("reviewed_by: Dr Lee\nreviewed_on: 2099-01-01\n", "review.future"),
    ("reviewed_by: Dr Lee\nreviewed_on: 2027-01-02\n", "review.future"),
    ("expires: 9999-12-31T23:59:59-12:00\n", "frontmatter.expires"),
    ("updated: 10000-01-01\n", "frontmatter.updated"),
])
def test_dates_out_of_reach_are_errors(built_base, tmp_path, extra, code):
    refuses_front_matter(built_base, tmp_path, "dated", extra, code)


def test_a_review_near_the_end_of_the_calendar_builds(built_base, tmp_path):
    """A review whose age limit falls after the year 9999 cannot overflow the build's schedule."""
    attempt = Attempt(built_base, tmp_path)
    config = attempt.project / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("required = false", "required = true"),
                      encoding="utf-8")
    for path in (attempt.project / "content").glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace(
            "tags:", "reviewed_by: Dr Lee\nreviewed_on: 9999-12-30\ntags:", 1), encoding="utf-8")
    attempt.snapshot()
    run = publish(attempt.project, "build", "--as-of", "9999-12-31")
    ok(run)
    assert manifest(attempt.out)["articles"]


@pytest.mark.parametrize("section,key,value", [
    ("feed", "limit", "-1"),
    ("feed", "limit", "0"),
    ("summary", "max_grade", "nan"),
    ("summary", "max_grade", "inf"),
    ("summary", "max_words", "0"),
    ("review", "max_age_days", "99999999999999999999"),
    ("review", "max_age_days", "-5"),
    ("pdf", "max_pages", "0"),
])
def test_config_values_out_of_range_are_errors(built_base, tmp_path, section, key, value):
    attempt = Attempt(built_base, tmp_path)
    config = attempt.project / "publish.toml"
    text = config.read_text(encoding="utf-8")
    text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
    if not count:
        text = text.replace(f"[{section}]\n", f"[{section}]\n{key} = {value}\n")
    config.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.split("\n"), 1) if row.startswith(f"{key} ="))
    attempt.snapshot()
    lines = attempt.refused(build(attempt.project), "publish.toml", code=f"config.{section}.{key}")
    assert any(row.startswith(f"publish.toml:{line}:") for row in lines)
    assert not any("[review.missing]" in row for row in lines)  # the rest of the file still counts


def test_an_svg_drawing_a_missing_file_is_a_warning_naming_the_drawing(built_base, tmp_path):
    """WeasyPrint leaves an SVG out of the leaflet whole when a file it draws is refused; a browser
    shows it without that file. Both are said, naming the drawing, the file and the line."""
    attempt = Attempt(built_base, tmp_path)
    drawing = SVG.format('<rect width="10" height="10" fill="#0b5cad"/><image href="parts/gone.png" width="5" height="5"/>')
    bundle(attempt.project, "drawn", "Some words.\n\n![A drawing](drawing.svg)\n", {"drawing.svg": drawing})
    run = build(attempt.project)
    ok(run)
    lines = run.stderr.splitlines()
    line = next(i for i, row in enumerate((attempt.project / "content/drawn/index.md").read_text().split("\n"), 1)
                if "drawing.svg" in row)
    assert [row for row in lines if "[bundle.svg-missing]" in row] == [
        f"content/drawn/index.md:{line}: warning: content/drawn/drawing.svg draws 'parts/gone.png', which is not in "
        "the bundle: the page shows the drawing without it and the leaflet leaves the drawing out; add the file, or "
        "export the drawing again without it [bundle.svg-missing]"], run.stderr
    [dropped] = [row for row in lines if "[pdf.dropped]" in row]
    assert dropped.startswith(f"content/drawn/index.md:{line}: warning: the leaflet leaves out the image "
                              "'drawing.svg': it draws 'gone.png', which the leaflet may not use (no such file)"), dropped
    assert (attempt.out / "site/drawn/drawing.svg").is_file()  # published: the page shows it


def test_an_svg_draws_images_of_its_own_bundle_and_each_is_checked(built_base, tmp_path):
    """An SVG's <image href="dot.svg"> is published with it; an active drawn image, or one outside
    the bundle, refuses the drawing."""
    attempt = Attempt(built_base, tmp_path)
    drawing = SVG.format('<image href="parts/dot.svg" width="5" height="5"/>')
    bundle(attempt.project, "drawn", "![A drawing](drawing.svg)\n",
           {"drawing.svg": drawing, "parts/dot.svg": SAFE_SVG})
    attempt.snapshot()
    ok(build(attempt.project))
    assert (attempt.out / "site" / "drawn" / "parts" / "dot.svg").read_text(encoding="utf-8") == SAFE_SVG
    assert_nothing_active(attempt.out)

    before = tree_bytes(attempt.out)
    folder = attempt.project / "content" / "drawn"
    for dot, problem in ((ACTIVE_SVGS["script"], "<script>"), (SAFE_SVG, "outside its bundle")):
        (folder / "parts" / "dot.svg").write_text(dot, encoding="utf-8")
        if problem == "outside its bundle":
            (folder / "drawing.svg").write_text(SVG.format('<image href="../good.md" width="5" height="5"/>'),
                                                encoding="utf-8")
        run = build(attempt.project)
        assert run.code == 1 and "Traceback" not in run.output, run.output
        assert any(line.startswith("content/drawn/index.md:") and problem in line and "[bundle.svg]" in line
                   for line in run.stderr.splitlines()), run.stderr
        assert tree_bytes(attempt.out) == before
