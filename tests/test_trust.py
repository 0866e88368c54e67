"""What a reader is owed beside the text, in every channel: the author's credentials, the date the
review falls due, where to send questions ([site] contact), and a funding or competing-interests
statement (a disclaimer of that kind). Read back with an HTML parser, pdftotext and feedparser.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest
from conftest import REPO, build_cli, failed, normalise, ok, parse_html, set_front_matter, visible_text

FIXTURE = REPO / "tests" / "projects" / "editions"
CONTACT = "write to library@example.org or call 0100 000 000"
FUNDING = "This article was paid for by the clinic's own budget. No company paid for it or saw it before it was published."


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The editions fixture with a contact line, a funding statement, a reviewed English article
    with credentials, and its Spanish translation (no review of its own, so no due date)."""
    tmp = tmp_path_factory.mktemp("trust")
    proj = tmp / "proj"
    shutil.copytree(FIXTURE, proj)
    config = proj / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'language = "en"\n', f'language = "en"\ncontact = "{CONTACT}"\n').replace(
        "[review]\nrequired = false\n", "[review]\nrequired = false\nmax_age_days = 400\n"), encoding="utf-8")
    disclaimers = proj / "content" / "disclaimers"
    (disclaimers / "funding.md").write_text(
        '---\ntitle: Who paid for this article\nshort: "Paid for by the clinic; no company funding."\n'
        'plain: "The clinic paid for this. No company did."\nkind: funding\n---\n' + FUNDING + "\n", encoding="utf-8")
    (disclaimers / "funding.es.md").write_text(
        '---\ntitle: Quién pagó este artículo\nshort: "Lo pagó la clínica; ninguna empresa."\n'
        'plain: "Lo pagó la clínica. Ninguna empresa."\n---\nLo pagó la clínica con su propio presupuesto.\n',
        encoding="utf-8")
    article = proj / "content" / "hand-washing.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "disclaimers: [urgent-help]", "disclaimers: [urgent-help, funding]"), encoding="utf-8")
    set_front_matter(article, "credentials", "RN, infection-control nurse")
    set_front_matter(article, "reviewed_by", "Dr Ana Ruiz")
    set_front_matter(article, "reviewed_on", "2025-02-20")
    spanish = proj / "content" / "es" / "lavado-de-manos.md"
    spanish.write_text(spanish.read_text(encoding="utf-8").replace(
        "disclaimers: [urgent-help]", "disclaimers: [urgent-help, funding]"), encoding="utf-8")
    result = build_cli(proj, "--out", str(tmp / "build"))
    ok(result)
    return tmp / "build"


DUE = "Next review due 27 March 2026."  # 2025-02-20 plus [review] max_age_days = 400


def test_the_page_shows_credentials_review_due_contact_and_funding(built):
    page = parse_html(built / "site/hand-washing/index.html")
    header = visible_text(page.select_one("article header"))
    assert "By Clinic nurses, RN, infection-control nurse." in header
    assert DUE in header
    assert page.select_one(".review-due time")["datetime"] == "2026-03-27"
    assert visible_text(page.select_one("article .contact")) == f"Questions or feedback: {CONTACT}"
    funding = page.select_one("aside.disclaimer-kind-funding")
    assert funding is not None and normalise(FUNDING) in visible_text(funding)
    assert [a["class"] for a in page.select("aside.disclaimer") if "disclaimer-kind-funding" in a["class"]] == [
        ["disclaimer", "disclaimer-funding", "disclaimer-kind-funding"]]
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["author"] == {"@type": "Person", "name": "Clinic nurses", "honorificSuffix": "RN, infection-control nurse"}


def test_the_leaflet_carries_the_same_trust_items(built):
    text = normalise(subprocess.run(["pdftotext", str(built / "site/hand-washing/hand-washing.pdf"), "-"],
                                    check=True, capture_output=True, text=True).stdout)
    for wanted in ("By Clinic nurses, RN, infection-control nurse.", DUE, f"Questions or feedback: {CONTACT}",
                   "Who paid for this article", normalise(FUNDING)):
        assert wanted in text, wanted


def test_the_summary_page_and_text_carry_them(built):
    page = parse_html(built / "site/hand-washing/summary/index.html")
    main = visible_text(page.find("main"))
    assert DUE in main and f"Questions or feedback: {CONTACT}" in main
    assert "The clinic paid for this. No company did." in main
    text = normalise((built / "site/hand-washing/summary.txt").read_text(encoding="utf-8"))
    assert DUE in text and f"Questions or feedback: {CONTACT}" in text
    assert "The clinic paid for this. No company did." in text
    assert all(len(line) <= 72 for line in (built / "site/hand-washing/summary.txt").read_text().splitlines())


def test_the_feed_items_carry_them(built):
    feed = feedparser.parse((built / "site/feed.xml").read_bytes())
    item = next(e for e in feed.entries if e.title == "Washing your hands")
    content = normalise(re.sub(r"<[^>]+>", " ", item.content[0].value))
    for wanted in ("By Clinic nurses, RN, infection-control nurse.", DUE, f"Questions or feedback: {CONTACT}",
                   normalise(FUNDING)):
        assert wanted in content, wanted
    assert "Paid for by the clinic; no company funding." in item.description


def test_the_spanish_edition_says_them_in_spanish_without_a_due_date_it_lacks(built):
    page = parse_html(built / "site/es/lavado-de-manos/index.html")
    main = visible_text(page.find("main"))
    assert f"Preguntas o comentarios: {CONTACT}" in main
    assert "Lo pagó la clínica con su propio presupuesto." in main
    assert page.select_one(".review-due") is None  # the translation has no review of its own
    assert page.select_one("aside.disclaimer-kind-funding") is not None  # the kind is the original's


def test_a_translation_cannot_change_a_disclaimers_kind(tmp_path):
    proj = tmp_path / "proj"
    shutil.copytree(FIXTURE, proj)
    translated = proj / "content" / "disclaimers" / "urgent-help.es.md"
    set_front_matter(translated, "kind", "funding")
    output = failed(build_cli(proj, "--out", str(tmp_path / "build")))
    assert "content/disclaimers/urgent-help.es.md:2: error: 'kind' is 'funding' here but 'warning'" in output, output


def test_an_unknown_disclaimer_kind_is_an_error_naming_the_line(tmp_path):
    proj = tmp_path / "proj"
    shutil.copytree(FIXTURE, proj)
    set_front_matter(proj / "content" / "disclaimers" / "urgent-help.md", "kind", "sponsor")
    output = failed(build_cli(proj, "--out", str(tmp_path / "build")))
    assert "content/disclaimers/urgent-help.md:2: error:" in output and "'kind'" in output, output
    assert "funding" in output and "interests" in output, output
