"""What shapes each output is declared once (publisher.inputs.DECLARED), and every part that
decides what of the last build may stand reads that declaration: the reuse of unchanged renders,
the leaflet cache, one-channel builds and the up-to-date check.

Seen from outside: after a change to one declared input, exactly the outputs of the channels that
declare it are made again (new files; the others keep the very files of the last build, same
inode, and the leaflets come from the cache), and the tree equals a cold build byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_repo, settle, tree_bytes, write_article

import publisher
import publisher.inputs
from publisher.inputs import Inputs

AS_OF = "2027-01-01"
SLUGS = ("ketamine-therapy", "walking", "sleep")
NOTICE = "layouts/shared/notice.html"


def pages(kind: str) -> list[str]:
    return {
        "html": [f"site/{slug}/index.html" for slug in SLUGS],
        "summary": [f"site/{slug}/summary/index.html" for slug in SLUGS] + [f"site/{slug}/summary.txt" for slug in SLUGS],
    }[kind]


def inodes(proj: Path, names: list[str]) -> dict[str, int]:
    return {name: (proj / "build" / name).stat().st_ino for name in names}


def edit(proj: Path, relpath: str, old: str, new: str) -> None:
    path = proj / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, relpath
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    settle(proj)


@pytest.fixture
def proj(tmp_path):
    """The repository's project, two more articles, and a layout file outside layouts/html that
    the article page includes."""
    proj = copy_repo(tmp_path / "proj")
    for slug in SLUGS[1:]:
        write_article(proj, slug, f"title: About {slug}\ndate: 2026-06-01\nauthor: A. Writer\n"
                      f"description: A short article about {slug}.\nplain_summary: {slug.title()} is good for you.\n",
                      f"Some words about {slug}.\n")
    (proj / NOTICE).parent.mkdir()
    (proj / NOTICE).write_text('<p class="notice">Reviewed by our editors.</p>\n', encoding="utf-8")
    edit(proj, "layouts/html/article.html", '<div class="article-body">',
         '{% include "shared/notice.html" %}\n<div class="article-body">')
    return proj


def assert_pages_say_and_equal_cold(proj: Path, text: str, tmp_path: Path) -> None:
    for name in pages("html"):
        assert text in (proj / "build" / name).read_text(encoding="utf-8"), name
    cold = publisher.build(proj, out=tmp_path / "cold", as_of=AS_OF, use_cache=False)
    assert tree_bytes(proj / "build") == tree_bytes(cold.out)


def assert_only_pages_rebuilt(proj, before, report, leaflets) -> None:
    after = inodes(proj, pages("html") + pages("summary"))
    assert [name for name in pages("html") if after[name] == before[name]] == [], "an article page was kept"
    assert [name for name in pages("summary") if after[name] != before[name]] == [], "a summary was made again"
    assert report.reused.get("html", 0) == 0 and report.reused["summary"] == len(pages("summary"))
    assert report.reused["pdf"] == leaflets  # the leaflets do not depend on it: all from the cache


def test_a_template_a_layout_includes_is_an_input_of_its_channel(proj, tmp_path):
    """No declaration needed: the templates a channel renders are followed to every template
    they extend, import or include, so a designer's new include is an input at once."""
    first = publisher.build(proj, as_of=AS_OF)
    before = inodes(proj, pages("html") + pages("summary"))
    edit(proj, NOTICE, "Reviewed by our editors.", "Reviewed by our medical editors.")
    report = publisher.build(proj, as_of=AS_OF)
    assert_only_pages_rebuilt(proj, before, report, first.outputs["pdf"] - 1)
    assert_pages_say_and_equal_cold(proj, "Reviewed by our medical editors.", tmp_path)


@pytest.fixture
def reads_a_notice(monkeypatch):
    """A new capability of the html channel: each article page shows content/notice.txt. The
    channel now reads a file no declaration names; returns a function that declares it."""
    from publisher.channels.html import HtmlChannel

    render = HtmlChannel.render

    def with_notice(self, entry, ctx):
        rendered = render(self, entry, ctx)
        notice = (ctx.content / "notice.txt").read_text(encoding="utf-8").strip()
        page = f"site/{entry.article.slug}/index.html"
        rendered.files[page] = rendered.files[page].replace(b"</main>", f"<p>{notice}</p></main>".encode(), 1)
        return rendered

    monkeypatch.setattr(HtmlChannel, "render", with_notice)
    html = publisher.inputs.DECLARED["html"]
    return lambda: monkeypatch.setitem(publisher.inputs.DECLARED, "html", html + Inputs(content=("notice.txt",)))


def test_a_new_declared_input_rebuilds_exactly_its_dependents(proj, tmp_path, reads_a_notice):
    (proj / "content" / "notice.txt").write_text("Updated in June.\n", encoding="utf-8")
    settle(proj)
    first = publisher.build(proj, as_of=AS_OF)
    assert "Updated in June." in (proj / "build" / pages("html")[0]).read_text(encoding="utf-8")

    # undeclared, a change to it is not seen: the pages are linked from the last build, stale
    edit(proj, "content/notice.txt", "June", "July")
    publisher.build(proj, as_of=AS_OF)
    assert "Updated in June." in (proj / "build" / pages("html")[0]).read_text(encoding="utf-8")

    # declared once, in the one table, it rebuilds exactly the pages that read it
    reads_a_notice()
    before = inodes(proj, pages("html") + pages("summary"))
    edit(proj, "content/notice.txt", "July", "August")
    report = publisher.build(proj, as_of=AS_OF)
    assert_only_pages_rebuilt(proj, before, report, first.outputs["pdf"] - 1)
    assert_pages_say_and_equal_cold(proj, "Updated in August.", tmp_path)


def test_an_input_no_other_channel_declares_changes_only_that_channel(proj, tmp_path):
    """[feed] limit is declared by the feeds alone: a rebuild links every page and summary and
    takes every leaflet from the cache."""
    first = publisher.build(proj, as_of=AS_OF)
    before = inodes(proj, pages("html") + pages("summary"))
    edit(proj, "publish.toml", "limit = 20", "limit = 2")
    report = publisher.build(proj, as_of=AS_OF)
    assert inodes(proj, pages("html") + pages("summary")) == before
    assert report.reused["pdf"] == first.outputs["pdf"] - 1
    cold = publisher.build(proj, out=tmp_path / "cold", as_of=AS_OF, use_cache=False)
    assert tree_bytes(proj / "build") == tree_bytes(cold.out)


def test_a_one_channel_build_also_rebuilds_a_channel_whose_inputs_changed(proj, tmp_path):
    """The hourly ``--channel rss`` after a layout edit: the article pages it would have kept
    are stale, so the html channel is built too, and said so; the summaries are kept."""
    publisher.build(proj, as_of=AS_OF)
    summaries = inodes(proj, pages("summary"))
    edit(proj, "layouts/html/article.html", '<div class="article-body">', '<div class="article-body" data-v="2">')
    report = publisher.build(proj, as_of=AS_OF, channels=["rss"])
    widened = [d for d in report.warnings if d.code == "build.widened"]
    assert widened and "html" in widened[0].message and "summary" not in widened[0].message
    assert set(report.outputs) == {"html", "rss"}
    assert inodes(proj, pages("summary")) == summaries
    assert_pages_say_and_equal_cold(proj, 'data-v="2"', tmp_path)


def test_a_one_channel_build_keeps_what_did_not_change(proj):
    publisher.build(proj, as_of=AS_OF)
    before = inodes(proj, pages("html") + pages("summary"))
    edit(proj, "publish.toml", "limit = 20", "limit = 2")
    report = publisher.build(proj, as_of=AS_OF, channels=["rss"])
    assert not [d for d in report.warnings if d.code == "build.widened"]
    assert set(report.outputs) == {"rss"}
    assert inodes(proj, pages("html") + pages("summary")) == before
