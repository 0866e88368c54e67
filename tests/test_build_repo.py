"""Build the repository's own content and read the result the way its readers do."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from urllib.parse import urlparse

import pytest
from conftest import (
    AS_OF,
    FIXTURES,
    REPO,
    build_cli,
    copy_repo,
    normalise,
    parse_html,
    tree_bytes,
    visible_text,
)

SLUG = "ketamine-therapy"
PAGE = f"site/{SLUG}/index.html"
TITLE = "The Potential Benefits of Ketamine Therapy"
TOP = ["not-medical-advice", "crisis-help"]
BOTTOM = ["ketamine-off-label"]
DISCLAIMER_IDS = ["not-medical-advice", "ketamine-off-label", "crisis-help"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(project, out, CLI result) for one build of the repository's content."""
    base = tmp_path_factory.mktemp("repo-build")
    proj = copy_repo(base / "proj")
    out = base / "out"
    result = build_cli(proj, "--out", str(out))
    return proj, out, result


@pytest.fixture(scope="module")
def manifest(built):
    _, out, result = built
    assert result.exit_code == 0, result.output
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(built):
    _, out, result = built
    assert result.exit_code == 0, result.output
    return parse_html(out / PAGE)


@pytest.fixture(scope="module")
def main_text(page):
    return visible_text(page.find("main"))


def _record(manifest):
    records = [a for a in manifest["articles"] if a["slug"] == SLUG]
    assert len(records) == 1, manifest
    return records[0]


def _source_lines():
    return (FIXTURES / "ketamine-therapy-article.txt").read_text(encoding="utf-8").splitlines()


def _is_heading(line: str) -> bool:
    return bool(line.strip()) and not re.search(r"[.!?:]$", line.strip())


def _source_sentences():
    sentences = []
    for line in _source_lines():
        line = re.sub(r"^\s*\d+\.\s+", "", line)  # '1. ' is the list's numbering, shown by <ol>
        for sentence in re.split(r"(?<=[.!?:])\s+", line.strip()):
            if sentence:
                sentences.append(normalise(sentence))
    return sentences


def _disclaimer_text(ident: str) -> str:
    text = (REPO / "content" / "disclaimers" / f"{ident}.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    return normalise(body.replace("**", ""))


# --- the build and its manifest -------------------------------------------------------------


def test_build_exits_zero(built):
    _, out, result = built
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert (out / "manifest.json").is_file()


def test_manifest_lists_the_article(manifest):
    record = _record(manifest)
    assert {"slug", "title", "source", "date", "disclaimers", "outputs"} <= set(record)
    assert record["title"] == TITLE
    assert record["source"] == "content/ketamine-therapy.md"
    assert record["date"] == "2026-11-28"
    assert record["outputs"]["html"] == PAGE


def test_manifest_disclaimers_carry_sha256_of_their_files(manifest):
    record = _record(manifest)
    assert [d["id"] for d in record["disclaimers"]] and all(set(d) == {"id", "sha256"} for d in record["disclaimers"])
    assert sorted(d["id"] for d in record["disclaimers"]) == sorted(DISCLAIMER_IDS)
    for d in record["disclaimers"]:
        text = (REPO / "content" / "disclaimers" / f"{d['id']}.md").read_text(encoding="utf-8")
        assert d["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest(), d["id"]


def test_manifest_site_outputs(built, manifest):
    _, out, _ = built
    assert manifest["index"] == "site/index.html"
    assert "feeds" in manifest
    assert (out / manifest["index"]).is_file()
    for record in manifest["articles"]:
        for path in record["outputs"].values():
            assert (out / path).is_file(), path


# --- the article page -----------------------------------------------------------------------


def test_page_language_and_single_h1(page):
    assert page.find("html").get("lang") == "en"
    h1s = page.find_all("h1")
    assert len(h1s) == 1
    assert normalise(h1s[0].get_text(" ")) == TITLE


def test_page_meta_description_and_canonical(page):
    meta = page.find("meta", attrs={"name": "description"})
    assert meta is not None and meta.get("content", "").strip()
    canonical = page.find_all("link", rel="canonical")
    assert len(canonical) == 1
    url = urlparse(canonical[0]["href"])
    assert url.scheme in ("http", "https") and url.netloc, canonical[0]["href"]
    assert SLUG in url.path


def test_page_opengraph(page):
    og = {m["property"]: m.get("content", "") for m in page.find_all("meta", property=True)}
    for key in ("og:title", "og:description", "og:url", "og:type"):
        assert og.get(key, "").strip(), key
    assert og["og:title"] == TITLE
    assert og["og:url"] == page.find("link", rel="canonical")["href"]
    assert urlparse(og["og:url"]).scheme in ("http", "https")


def test_page_json_ld(page):
    scripts = page.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    data = json.loads(scripts[0].string)
    assert data["@type"] == "MedicalWebPage"
    assert data["headline"] == TITLE


def test_page_has_no_external_scripts_or_stylesheets(page):
    for link in page.find_all("link"):
        if "stylesheet" in (link.get("rel") or []):
            href = link.get("href", "")
            assert href and not urlparse(href).scheme and not href.startswith("//") and not href.startswith("/"), href
    for script in page.find_all("script", src=True):
        src = script["src"]
        assert not urlparse(src).scheme and not src.startswith("//") and not src.startswith("/"), src


def test_page_stylesheet_resolves(built, page):
    _, out, _ = built
    sheets = [l for l in page.find_all("link") if "stylesheet" in (l.get("rel") or [])]
    assert sheets
    for link in sheets:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(PAGE), link["href"]))
        assert (out / target).is_file(), target


def test_every_sentence_of_the_original_is_on_the_page(main_text):
    sentences = _source_sentences()
    assert len(sentences) > 40
    missing = [s for s in sentences if s not in main_text]
    assert not missing, missing


def test_section_headings_are_h2(page):
    headings = [normalise(l) for l in _source_lines() if _is_heading(l)]
    assert "Managing Chronic Pain" in headings and len(headings) == 5
    h2s = [normalise(h.get_text(" ")) for h in page.select(".article-body h2")]
    assert h2s == headings


def test_numbered_list_is_an_ol_of_five(page):
    ols = page.select(".article-body ol")
    assert len(ols) == 1
    items = ols[0].find_all("li", recursive=False)
    assert len(items) == 5
    expected = [re.sub(r"^\d+\.\s+", "", l).strip() for l in _source_lines() if re.match(r"^\d+\.\s", l)]
    assert [visible_text(li) for li in items] == [normalise(e) for e in expected]


@pytest.mark.parametrize("ident", DISCLAIMER_IDS)
def test_full_disclaimer_text_is_on_the_page(main_text, ident):
    assert _disclaimer_text(ident) in main_text


@pytest.mark.parametrize("ident", TOP + BOTTOM)
def test_disclaimer_placement(page, main_text, ident):
    body_text = visible_text(page.select_one("main .article-body"))
    body_at = main_text.find(body_text)
    assert body_at > 0
    at = main_text.find(_disclaimer_text(ident))
    assert at >= 0
    if ident in TOP:
        assert at + len(_disclaimer_text(ident)) <= body_at
        assert main_text.find(TITLE) < at  # after the title, before the body
    else:
        assert at >= body_at + len(body_text)


# --- the index page -------------------------------------------------------------------------


def test_index_links_to_the_article(built):
    _, out, _ = built
    index = parse_html(out / "site" / "index.html")
    assert index.find("html").get("lang") == "en"
    hrefs = [a["href"] for a in index.find_all("a", href=True)]
    to_article = [h for h in hrefs if SLUG in h]
    assert to_article, hrefs
    for href in to_article:
        assert not urlparse(href).scheme and not href.startswith("/"), href
        target = (out / "site" / href).resolve()
        if target.is_dir():
            target = target / "index.html"
        assert target.is_file(), href
        assert target == (out / PAGE).resolve()


# --- reproducibility ------------------------------------------------------------------------


def test_two_builds_into_two_folders_are_byte_identical(project, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert build_cli(project, "--out", str(a)).exit_code == 0
    assert build_cli(project, "--out", str(b)).exit_code == 0
    first, second = tree_bytes(a), tree_bytes(b)
    assert PAGE in first and "manifest.json" in first
    assert first == second


def test_building_twice_into_one_folder_is_byte_identical(project, tmp_path):
    out = tmp_path / "out"
    assert build_cli(project, "--out", str(out)).exit_code == 0
    first = tree_bytes(out)
    result = build_cli(project, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert tree_bytes(out) == first
    # no staging or old folders are left next to the output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "proj"]


def test_repository_sample_is_dated_before_as_of(manifest):
    assert _record(manifest)["date"] < AS_OF


def test_every_page_parses_as_html5_without_errors(built):
    import html5lib

    _, out, _ = built
    pages = sorted((out / "site").rglob("*.html"))
    assert pages
    for path in pages:
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(path.read_bytes())  # strict mode raises on the first parse error
        assert parser.errors == [], path
