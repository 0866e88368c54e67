"""Raw HTML in any source field never reaches any output: sanitised once, before any channel.

Every field an author, an agency or a settings file fills (the body, the plain summary, a
disclaimer's full, short and plain texts and its title, an article's title, description, author,
tags and sources, the glossary, the site's title and description) carries script, style, iframe,
meta refresh, event-handler and javascript: payloads, each marked PWNED. The build must pass its
gate and no output may hold the marker, nor any active element or attribute, read back as each
channel's reader reads it: pages and feed contents with an HTML parser, feeds with feedparser,
leaflets with pypdf (text and link annotations), the plain-text summary as text.
"""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import build_cli, copy_repo, ok, write_article
from test_hostile import theme_search_script
from pypdf import PdfReader

MARK = "PWNED"
HTML_PAYLOAD = (
    f'<script>{MARK}()</script><style>body {{ display: none }} /* {MARK} */</style>'
    f'<iframe src="javascript:{MARK}()"></iframe>'
    f'<meta http-equiv="refresh" content="0;url=javascript:{MARK}()">'
    f'<b onmouseover="{MARK}()">bold</b> <a href="javascript:{MARK}()">click</a>'
)
# the same payload as one YAML string, for text fields
YAML_PAYLOAD = "'Safe words " + HTML_PAYLOAD.replace("'", "''") + "'"


def hostile_project(root: Path) -> Path:
    proj = copy_repo(root, auto_summary=True)
    config = proj / "publish.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('title = "Health Library"', 'title = "Health Library <script>PWNED()</script>"')
    config.write_text(text, encoding="utf-8")
    (proj / "content" / "disclaimers" / "hostile.md").write_text(
        f"---\ntitle: {YAML_PAYLOAD}\nshort: {YAML_PAYLOAD}\nplain: {YAML_PAYLOAD}\nplacement: bottom\n---\n\n"
        f"Talk to your doctor. {HTML_PAYLOAD}\n\n{HTML_PAYLOAD}\n", encoding="utf-8")
    glossary = proj / "content" / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        "chronic pain: long-lasting pain", f"chronic pain: long-lasting pain <script>{MARK}()</script>"),
        encoding="utf-8")
    write_article(proj, "hostile-fields", (
        f"title: {YAML_PAYLOAD}\n"
        "date: 2026-06-01\n"
        f"author: {YAML_PAYLOAD}\n"
        f"description: {YAML_PAYLOAD}\n"
        "id: 0b8e2f4a-6c1d-4e3f-8a9b-0c1d2e3f4a5b\n"
        "disclaimers: [hostile]\n"
        f"tags: [{YAML_PAYLOAD}]\n"
        f"sources:\n  - title: {YAML_PAYLOAD}\n    url: https://example.org/study\n    publisher: {YAML_PAYLOAD}\n"
        "plain_summary: |-\n"
        f"  Drink water each day. It helps you feel well. {HTML_PAYLOAD}\n"
    ), f"\nWater helps your body. {HTML_PAYLOAD}\n\n{HTML_PAYLOAD}\n\n## More\n\nDrink a glass with each meal.\n")
    write_article(proj, "drafted-summary", (
        "title: Living With Pain\ndate: 2026-06-02\nauthor: A. Writer\n"
        "description: Small steps that help with pain.\ndisclaimers: [hostile]\n"
    ), "\nMany people live with chronic pain every day.\n\n"
       "## Help\n\nA doctor can help you plan small steps each week.\n")
    return proj


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    proj = hostile_project(tmp_path_factory.mktemp("hostile") / "proj")
    ok(build_cli(proj))
    return proj / "build" / "site"


def _assert_inert(soup: BeautifulSoup, where: str) -> None:
    for script in [s for s in soup.find_all("script") if not theme_search_script(s, where)]:
        assert script.get("type") == "application/ld+json", f"{where}: {script}"
    assert not soup.find_all(["iframe", "style", "object", "embed"]), where
    assert not soup.find_all("meta", attrs={"http-equiv": True}), where
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), f"{where}: {element.name} has {name}"
            values = value if isinstance(value, list) else [value]
            assert not any(str(v).strip().lower().startswith("javascript:") for v in values), f"{where}: {element}"


def test_every_channel_was_built(built):
    names = {p.name for p in built.rglob("*") if p.is_file()}
    assert {"index.html", "summary.txt", "hostile-fields.pdf", "drafted-summary.pdf", "feed.xml", "atom.xml"} <= names


def test_no_page_holds_the_payload(built):
    pages = sorted(built.rglob("*.html"))
    assert len(pages) > 8
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        assert MARK not in raw, page
        _assert_inert(BeautifulSoup(raw, "html5lib"), str(page))
    article = BeautifulSoup((built / "hostile-fields" / "index.html").read_bytes(), "html5lib")
    assert "Water helps your body." in article.get_text(" ")  # the words stay; only the markup goes
    assert "Safe words" in article.find("h1").get_text()


def test_no_feed_holds_the_payload(built):
    for name in ("feed.xml", "atom.xml"):
        data = (built / name).read_bytes()
        assert MARK.encode() not in data, name
        feed = feedparser.parse(data)
        assert not feed.bozo, name
        assert len(feed.entries) >= 2
        for item in feed.entries:
            for part in [item.get("summary", ""), *(c.value for c in item.get("content", []))]:
                _assert_inert(BeautifulSoup(part, "html5lib"), f"{name}: {item.title}")
            assert MARK not in item.title


def test_no_text_summary_holds_the_payload(built):
    for text in built.rglob("summary.txt"):
        content = text.read_text(encoding="utf-8")
        assert MARK not in content and "<script" not in content, text


def test_no_leaflet_holds_the_payload(built):
    leaflets = sorted(built.rglob("*.pdf"))
    assert leaflets
    for leaflet in leaflets:
        reader = PdfReader(io.BytesIO(leaflet.read_bytes()))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert MARK not in text and "<script" not in text, leaflet
        assert "/JavaScript" not in str(reader.trailer["/Root"]), leaflet
        for page in reader.pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A")
                uri = str(action.get_object().get("/URI", "")) if action else ""
                assert not uri.lower().startswith("javascript:"), (leaflet, uri)


def test_a_drafted_summary_takes_the_glossary_words_without_their_markup(built):
    page = BeautifulSoup((built / "drafted-summary" / "summary" / "index.html").read_bytes(), "html5lib")
    assert "long-lasting pain" in page.get_text(" ")
