"""A site with a Spanish edition (tests/projects/editions), built and read as its readers read it:
pages with an HTML parser, the leaflet with pdftotext, the feeds with feedparser.

The browser half (vnu, axe, the search pages in Chromium) is in test_browser.py.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import pytest
from conftest import AS_OF, REPO, build_cli, failed, normalise, ok, parse_html, visible_text

FIXTURE = REPO / "tests" / "projects" / "editions"
BASE = "https://example.org/"
ES_PAGE = "site/es/lavado-de-manos/index.html"
EN_PAGE = "site/hand-washing/index.html"


def _body(path: Path) -> str:
    """A disclaimer file's full text, below its front matter, in one line."""
    return normalise(path.read_text(encoding="utf-8").split("---", 2)[2])


def _front(path: Path, key: str) -> str:
    line = next(l for l in path.read_text(encoding="utf-8").splitlines() if l.startswith(f"{key}:"))
    return line.split(":", 1)[1].strip().strip('"')


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("editions")
    proj = tmp / "proj"
    shutil.copytree(FIXTURE, proj)
    ok(build_cli(proj, "--out", str(tmp / "build")))
    return tmp / "build"


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    dest = tmp_path / "proj"
    shutil.copytree(FIXTURE, dest)
    return dest


def _on_disk(out: Path, href: str) -> Path:
    """The file a public address names in the build: 'https://example.org/es/x/' -> site/es/x/index.html."""
    assert href.startswith(BASE), href
    path = urlparse(href).path.lstrip("/")
    return out / "site" / (path + "index.html" if path.endswith("/") or not path else path)


def test_the_spanish_page_is_in_spanish_with_its_disclaimers_in_full(built):
    page = parse_html(built / ES_PAGE)
    assert page.html["lang"] == "es"
    text = normalise(visible_text(page.find("main")))
    disclaimers = FIXTURE / "content" / "disclaimers"
    for ident in ("not-medical-advice", "urgent-help"):
        assert _body(disclaimers / f"{ident}.es.md") in text, ident
        assert _body(disclaimers / f"{ident}.md") not in text, ident  # not the English wording
    assert "Publicado el 5 de marzo de 2025" in text  # the date as Spanish writes it (Babel)
    footer = normalise(visible_text(page.find("footer", class_="site-footer")))
    assert _front(disclaimers / "urgent-help.es.md", "short") in footer
    nav = [a.get_text() for a in page.select("nav.site-nav a")]
    assert nav == ["Artículos", "Temas", "Folletos para imprimir", "Buscar"]
    assert page.title.get_text() == "Lavarse las manos | Biblioteca de la clínica"


def test_hreflang_links_resolve_both_ways_with_an_x_default(built):
    for page_path, own in ((ES_PAGE, "es"), (EN_PAGE, "en")):
        page = parse_html(built / page_path)
        links = {link["hreflang"]: link["href"] for link in page.select('head link[rel="alternate"][hreflang]')}
        assert set(links) == {"en", "es", "x-default"}, links
        assert links["x-default"] == links["en"] == f"{BASE}hand-washing/"
        assert _on_disk(built, links[own]) == built / page_path  # it names itself
        other = "es" if own == "en" else "en"
        target = parse_html(_on_disk(built, links[other]))
        back = {link["hreflang"]: link["href"] for link in target.select('head link[rel="alternate"][hreflang]')}
        assert _on_disk(built, back[own]) == built / page_path, (page_path, back)
    switcher = parse_html(built / EN_PAGE).select("nav.languages a")
    assert [(a.get_text(), a["hreflang"], a["href"]) for a in switcher] == [
        ("Español", "es", "../es/lavado-de-manos/index.html")]


def test_each_edition_has_its_own_index_topics_and_leaflets_pages(built):
    index = parse_html(built / "site/es/index.html")
    assert index.html["lang"] == "es"
    assert [a.get_text() for a in index.select("main h2 a")] == ["Lavarse las manos"]
    english = parse_html(built / "site/index.html")
    assert [a.get_text() for a in english.select("main h2 a")] == ["Washing your hands", "Sleeping well"]
    tags = parse_html(built / "site/es/tags/index.html")
    assert [a.get_text() for a in tags.select("main li a")] == ["Higiene"]
    assert "(1 artículo)" in visible_text(tags.find("main"))
    leaflets = parse_html(built / "site/es/leaflets/index.html")
    assert [a["href"] for a in leaflets.select("main a[download]")] == ["../lavado-de-manos/lavado-de-manos.pdf"]
    sitemap = (built / "site/sitemap.xml").read_text(encoding="utf-8")
    assert f'<loc>{BASE}es/</loc>' in sitemap
    assert f'hreflang="es" href="{BASE}es/lavado-de-manos/"' in sitemap


def test_the_spanish_feeds_hold_only_spanish_items_with_spanish_disclaimers(built):
    short = _front(FIXTURE / "content/disclaimers/urgent-help.es.md", "short")
    for name in ("feed.xml", "atom.xml"):
        spanish = feedparser.parse((built / "site/es" / name).read_bytes())
        if name == "feed.xml":
            assert spanish.feed.language == "es"
        assert [e.title for e in spanish.entries] == ["Lavarse las manos"]
        assert all(urlparse(e.link).path.startswith("/es/") for e in spanish.entries)
        assert short in normalise(visible_text(parse_html_text(spanish.entries[0].content[0].value)))
        english = feedparser.parse((built / "site" / name).read_bytes())
        assert [e.title for e in english.entries] == ["Washing your hands", "Sleeping well"]
    index = parse_html(built / "site/es/index.html")
    feeds = {link["type"]: link["href"] for link in index.select('head link[rel="alternate"][type]')}
    assert feeds == {"application/rss+xml": "feed.xml", "application/atom+xml": "atom.xml"}


def parse_html_text(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_the_spanish_summary_shows_a_spanish_readability_figure(built):
    page = parse_html(built / "site/es/lavado-de-manos/summary/index.html")
    assert page.html["lang"] == "es"
    figure = visible_text(page.find("p", class_="readability"))
    assert figure.startswith("Facilidad de lectura: ") and "escala INFLESZ (Szigriszt-Pazos)" in figure, figure
    assert "Fernández-Huerta" in figure and "Flesch-Kincaid" not in figure, figure
    text = (built / "site/es/lavado-de-manos/summary.txt").read_text(encoding="utf-8")
    assert "IMPORTANTE" in text
    assert normalise(_front(FIXTURE / "content/disclaimers/urgent-help.es.md", "plain")) in normalise(text)
    english = visible_text(parse_html(built / "site/hand-washing/summary/index.html").find("p", class_="readability"))
    assert "Flesch-Kincaid" in english


def test_the_spanish_leaflet_is_in_spanish_with_its_disclaimers_in_full(built):
    text = subprocess.run(["pdftotext", "-layout", str(built / "site/es/lavado-de-manos/lavado-de-manos.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = normalise(text)
    for ident in ("not-medical-advice", "urgent-help"):
        assert _body(FIXTURE / "content/disclaimers" / f"{ident}.es.md") in flat, ident
    assert "página 1 de 1" in text
    assert "Publicado el 5 de marzo de 2025" in flat


def test_the_manifest_lists_each_edition(built):
    import json

    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    slugs = [a["slug"] for a in manifest["articles"]]
    assert slugs == ["es/lavado-de-manos", "hand-washing", "sleep"]
    spanish = manifest["articles"][0]
    assert spanish["outputs"]["html"] == ES_PAGE
    assert [d["id"] for d in spanish["disclaimers"]] == ["not-medical-advice", "urgent-help"]
    assert manifest["es/feeds"] == {"rss": "site/es/feed.xml", "atom": "site/es/atom.xml"}


def test_a_missing_spanish_disclaimer_fails_the_build_naming_it_and_the_article(proj, tmp_path):
    (proj / "content/disclaimers/urgent-help.es.md").unlink()
    result = build_cli(proj, "--out", str(tmp_path / "out"))
    output = failed(result)
    assert "content/es/lavado-de-manos.md" in output
    assert "'urgent-help'" in output and "content/disclaimers/urgent-help.es.md" in output
    assert "[disclaimer.untranslated]" in output
    assert not (tmp_path / "out").exists()


def test_editing_the_original_makes_the_translation_warn_out_of_date(proj, tmp_path):
    original = proj / "content/hand-washing.md"
    original.write_text(original.read_text(encoding="utf-8").replace("about 20 seconds", "at least 20 seconds"),
                        encoding="utf-8")
    output = ok(build_cli(proj, "--out", str(tmp_path / "out")))
    assert "content/es/lavado-de-manos.md" in output and "translation out of date" in output, output
    assert "[translation.stale]" in output
    config = proj / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[languages]\nstrict = true\n", encoding="utf-8")
    assert "[translation.stale]" in failed(build_cli(proj, "--out", str(tmp_path / "out2")))


def test_an_article_in_a_language_the_site_lacks_is_an_error(proj, tmp_path):
    article = proj / "content/es/lavado-de-manos.md"
    article.write_text(article.read_text(encoding="utf-8").replace("lang: es", "lang: fr"), encoding="utf-8")
    output = failed(build_cli(proj, "--out", str(tmp_path / "out")))
    assert "content/es/lavado-de-manos.md:7" in output and "[languages.fr]" in output and "[frontmatter.lang]" in output


def test_a_language_without_a_catalogue_of_the_themes_strings_is_an_error(proj, tmp_path):
    config = proj / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[languages.de]\ntitle = "Bibliothek"\n',
                      encoding="utf-8")
    output = failed(build_cli(proj, "--out", str(tmp_path / "out")))
    assert "layouts/i18n/de.toml: error: no catalogue of the theme's strings in 'de'" in output, output


def test_a_projects_catalogue_changes_single_strings_but_keeps_their_fields(proj, tmp_path):
    (proj / "layouts/i18n").mkdir(parents=True)
    catalogue = proj / "layouts/i18n/es.toml"
    catalogue.write_text('nav_articles = "Publicaciones"\n', encoding="utf-8")  # one word; the theme's file has the rest
    ok(build_cli(proj, "--out", str(tmp_path / "out")))
    nav = [a.get_text() for a in parse_html(tmp_path / "out" / ES_PAGE).select("nav.site-nav a")]
    assert nav == ["Publicaciones", "Temas", "Folletos para imprimir", "Buscar"]
    catalogue.write_text('published = "Publicado"\n', encoding="utf-8")  # {date} dropped
    output = failed(build_cli(proj, "--out", str(tmp_path / "out")))
    assert "layouts/i18n/es.toml" in output and "'published' must use the fields ['date']" in output, output


def test_the_same_sources_give_the_same_bytes(built, tmp_path):
    from conftest import tree_bytes

    proj = tmp_path / "proj"
    shutil.copytree(FIXTURE, proj)
    ok(build_cli(proj, "--out", str(tmp_path / "again"), "--no-cache"))
    again, first = tree_bytes(tmp_path / "again"), tree_bytes(built)
    assert sorted(again) == sorted(first)
    assert [path for path in again if again[path] != first[path]] == []


def test_a_search_index_that_fails_fails_the_build_and_keeps_the_last_one(proj, tmp_path, monkeypatch):
    from conftest import tree_bytes

    out = tmp_path / "out"
    ok(build_cli(proj, "--out", str(out)))
    before = tree_bytes(out)
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: out of disk space' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setattr("publisher.search.pagefind_executable", lambda: broken)
    (proj / "content/sleep.md").write_text((proj / "content/sleep.md").read_text(encoding="utf-8")
                                           .replace("A dark, quiet", "A dark, calm"), encoding="utf-8")
    output = failed(build_cli(proj, "--out", str(out)))
    assert "Pagefind could not index the site (exit 3): Error: out of disk space" in output, output
    assert "[search.index]" in output
    assert tree_bytes(out) == before  # nothing was swapped in
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []  # no staging folder left


def test_publish_translate_writes_a_draft_that_follows_the_original(proj, tmp_path):
    from conftest import run_cli

    output = ok(run_cli(proj, "translate", "sleep", "--lang", "es", "--slug", "dormir-bien", "--as-of", AS_OF))
    assert "Wrote content/es/dormir-bien.md (status: draft)" in output, output
    assert "content/disclaimers/not-medical-advice.es.md" not in output  # it is translated already
    out = tmp_path / "out"
    built = ok(build_cli(proj, "--out", str(out), "--drafts"))
    assert "translation out of date" not in built  # it follows the original as it is
    page = parse_html(out / "site/es/dormir-bien/index.html")
    assert page.html["lang"] == "es"
    links = {link["hreflang"]: link["href"] for link in page.select('head link[rel="alternate"][hreflang]')}
    assert links == {"en": f"{BASE}sleep/", "es": f"{BASE}es/dormir-bien/", "x-default": f"{BASE}sleep/"}
    assert "Built 3 articles" in ok(build_cli(proj, "--out", str(tmp_path / "published")))  # a draft: not published


def test_publish_translate_refuses_what_it_cannot_do(proj):
    from conftest import run_cli

    assert run_cli(proj, "translate", "sleep", "--lang", "es", "--slug", "Not A Slug").exit_code == 2
    output = failed(run_cli(proj, "translate", "sleep", "--lang", "fr"))
    assert "the site has no edition in 'fr'" in output and "[translate.lang]" in output
    output = failed(run_cli(proj, "translate", "hand-washing", "--lang", "es", "--slug", "lavado-de-manos"))
    assert "content/es/lavado-de-manos.md: error: a file of this name exists" in output
    assert "[translate.slug]" in failed(run_cli(proj, "translate", "es/lavado-de-manos", "--lang", "es"))


def test_a_translation_has_a_review_copy_of_its_own(proj, tmp_path):
    from conftest import run_cli

    output = ok(run_cli(proj, "review", "es/lavado-de-manos", "--out", str(tmp_path / "out"), "--as-of", AS_OF))
    copy = tmp_path / "out" / "review" / "es.lavado-de-manos.docx"
    assert copy.is_file(), output
    ok(build_cli(proj, "--out", str(tmp_path / "out")))
    assert copy.is_file()  # a build keeps it


def test_check_built_verifies_each_editions_feeds(proj, tmp_path):
    from conftest import run_cli

    out = tmp_path / "out"
    ok(build_cli(proj, "--out", str(out)))
    ok(run_cli(proj, "check", "--built", str(out), "--as-of", AS_OF))
    feed = out / "site/es/feed.xml"
    short = _front(FIXTURE / "content/disclaimers/urgent-help.es.md", "short")
    feed.write_text(feed.read_text(encoding="utf-8").replace(short, "Nada que ver."), encoding="utf-8")
    output = failed(run_cli(proj, "check", "--built", str(out), "--as-of", AS_OF))
    assert "site/es/feed.xml" in output and "lacks the short text of disclaimer 'urgent-help'" in output, output


def test_risky_phrases_of_a_language_are_found_in_its_articles(proj, tmp_path):
    article = proj / "content/es/lavado-de-manos.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "elimina la mayoría.", "elimina la mayoría: un remedio milagroso."), encoding="utf-8")
    english = proj / "content/sleep.md"
    english.write_text(english.read_text(encoding="utf-8").replace("helps too.", "helps too (milagroso)."),
                       encoding="utf-8")
    output = failed(build_cli(proj, "--out", str(tmp_path / "out")))
    assert "content/es/lavado-de-manos.md:" in output and "risky claim 'milagroso'" in output, output
    assert "content/sleep.md" not in output  # a Spanish phrase is not a claim in an English article


def test_structured_data_links_the_translation_and_its_original(built):
    import json

    def data(path: str) -> dict:
        script = parse_html(built / path).find("script", type="application/ld+json")
        return json.loads(script.string)

    spanish, english = data(ES_PAGE), data(EN_PAGE)
    assert spanish["inLanguage"] == "es"
    assert spanish["translationOfWork"] == {"@type": "MedicalWebPage", "url": f"{BASE}hand-washing/", "inLanguage": "en"}
    assert english["workTranslation"] == [{"@type": "MedicalWebPage", "url": f"{BASE}es/lavado-de-manos/",
                                           "inLanguage": "es"}]
    assert "workTranslation" not in data("site/sleep/index.html")
