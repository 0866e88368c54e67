"""`publish serve`'s rebuilds: what the preview serves after each change is, byte for byte, what a
cold build of the same sources makes; a failed or superseded rebuild keeps the last good site.

The preview (serve.LiveSite) is driven through its library API, as `publish serve` drives it on
each change, and its folder is compared with `publish build --no-cache` of the same project.
test_serve.py covers the same from a running server.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, GOOD_FRONT_MATTER, copy_repo, edit_file, tree_bytes

from publisher.api import build
from publisher.serve import AFTER_PUBLISHING, FAILED, LiveSite

CHANNELS = None  # every channel, as `publish serve` builds by default
ARTICLE = "content/ketamine-therapy.md"
SECOND = ("---\n" + GOOD_FRONT_MATTER + "tags: [testing]\nplain_summary: This is a short page. It says one thing.\n"
          "---\n\nA short article about testing, with one paragraph.\n")


@pytest.fixture
def preview(tmp_path: Path):
    """(project, the preview, what it said) after its first build."""
    project = copy_repo(tmp_path / "proj")
    (project / "content" / "second.md").write_text(SECOND, encoding="utf-8")
    said: list[str] = []
    site = LiveSite(project, project / "build", {"channels": CHANNELS, "as_of": AS_OF}, said.append)
    site.rebuild()
    assert site.errors == [], site.errors
    return project, site, said


def assert_as_cold_build(project: Path, label: str) -> None:
    cold = project.parent / f"cold-{label}"
    build(project, cold, CHANNELS, AS_OF, use_cache=False)
    served, expected = tree_bytes(project / "build"), tree_bytes(cold)
    assert "site/pagefind/pagefind.js" in served and "site/second/index.html" in served or label == "removed"
    assert sorted(served) == sorted(expected), f"after the {label} change"
    differing = [name for name in expected if served[name] != expected[name]]
    assert differing == [], f"after the {label} change these differ from a cold build: {differing}"


CHANGES = {
    "article": lambda p: edit_file(p, ARTICLE, "title: The Potential Benefits", "title: The Edited Benefits"),
    "article body": lambda p: edit_file(p, "content/second.md", "with one paragraph.", "with one edited paragraph."),
    "disclaimer": lambda p: edit_file(p, "content/disclaimers/not-medical-advice.md", "\n---\n", "\n---\n\nEdited first.\n\n"),
    "layout template": lambda p: edit_file(p, "layouts/html/article.html", "</article>", "<p>Edited layout.</p>\n</article>"),
    "layout stylesheet": lambda p: edit_file(p, "layouts/html/style.css", "\n", "\n/* edited */\n"),
    "config": lambda p: edit_file(p, "publish.toml", 'title = "Health Library"', 'title = "Edited Library"'),
    "new article": lambda p: (p / "content" / "third.md").write_text(SECOND.replace("A Test Article", "A Third"),
                                                                     encoding="utf-8"),
    "tags": lambda p: edit_file(p, "content/second.md", "tags: [testing]", "tags: [testing, previews]"),
}


def test_each_rebuild_serves_what_a_cold_build_makes(preview):
    project, site, said = preview
    assert_as_cold_build(project, "first")
    for label, change in CHANGES.items():
        version = site.version
        change(project)
        site.rebuild()
        assert site.errors == [], (label, site.errors)
        assert site.version > version
        assert_as_cold_build(project, label)
    (project / "content" / "third.md").unlink()
    site.rebuild()
    assert_as_cold_build(project, "removed")
    assert not [p for p in project.iterdir() if p.name.startswith(".build.")]  # no staging folder is left


def test_a_rebuild_rendered_across_processes_serves_what_a_cold_build_makes(preview, monkeypatch):
    """Outside ``publish serve`` (no server thread), the library renders pages in forked processes
    from FANOUT_FROM articles on; what they keep unchanged must stay in the preview's folder."""
    project, site, said = preview
    monkeypatch.setattr("publisher.fanout.FANOUT_FROM", 2)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    for label in ("article", "article body"):
        CHANGES[label](project)
        site.rebuild()
        assert site.errors == [], site.errors
        assert_as_cold_build(project, f"forked {label}")


def test_a_rebuild_never_writes_through_a_link_planted_in_its_folder(preview, tmp_path):
    """A folder of the build replaced by a link out of the project (a delivered build/, say):
    the rebuild writes the page into a real folder of its own, and nothing outside."""
    project, site, said = preview
    outside = tmp_path / "outside"
    outside.mkdir()
    page_folder = project / "build/site/second"
    shutil.rmtree(page_folder)
    page_folder.symlink_to(outside, target_is_directory=True)
    CHANGES["article body"](project)
    site.rebuild()
    assert site.errors == [], site.errors
    assert list(outside.iterdir()) == []
    assert not page_folder.is_symlink()
    assert_as_cold_build(project, "planted link")


def test_a_failed_rebuild_keeps_the_last_good_site_and_shows_why(preview):
    project, site, said = preview
    before = tree_bytes(project / "build")
    edit_file(project, ARTICLE, "title: The Potential", "titel: The Potential")
    site.rebuild()
    assert tree_bytes(project / "build") == before  # the last good site, untouched
    assert "Build failed; still serving the last good pages." in said
    page = site.decorate((project / "build/site/ketamine-therapy/index.html").read_bytes()).decode("utf-8")
    assert FAILED in page and "content/ketamine-therapy.md" in page and "did you mean &#x27;title&#x27;?" in page
    edit_file(project, ARTICLE, "titel: The Potential", "title: The Potential")
    site.rebuild()
    assert site.errors == [] and FAILED not in site.decorate(b"<body></body>").decode()
    assert_as_cold_build(project, "fixed")


@pytest.mark.parametrize("stage", [1, 2, 3])  # after validating, after rendering, just before the swap
def test_a_rebuild_superseded_by_a_newer_save_keeps_the_last_good_site(preview, stage):
    project, site, said = preview
    before, version = tree_bytes(project / "build"), site.version
    edit_file(project, ARTICLE, "title: The Potential", "title: A Newer")
    asked = []
    site.rebuild(superseded=lambda: asked.append(1) or len(asked) >= stage)
    assert len(asked) == stage
    assert tree_bytes(project / "build") == before and site.version == version  # nothing swapped in, no reload
    assert said[-1] == "Changed again while building: building the newer sources."
    assert not [p for p in project.iterdir() if p.name.startswith(".build.")]  # its staging folder is gone
    site.rebuild(superseded=lambda: False)
    assert site.version == version + 1
    assert_as_cold_build(project, "superseded")


def test_a_rebuild_that_cannot_replace_the_search_index_serves_the_new_pages(preview, monkeypatch):
    """Pagefind fails after the new pages are in place: they stay served, with the error on them."""
    project, site, said = preview
    edit_file(project, ARTICLE, "title: The Potential", "title: A Newer")
    fake = project.parent / "pagefind"
    fake.write_text("#!/bin/sh\necho 'pagefind: out of memory' >&2\nexit 3\n", encoding="utf-8")
    os.chmod(fake, 0o755)
    monkeypatch.setattr("publisher.search.pagefind_executable", lambda: fake)
    site.rebuild()
    page = (project / "build/site/ketamine-therapy/index.html").read_text(encoding="utf-8")
    assert "<h1>A Newer Benefits of Ketamine Therapy</h1>" in page
    assert [d.code for d in site.errors] == ["search.index"] and "out of memory" in str(site.errors[0])
    assert "Search is not up to date; the pages are." in said
    assert AFTER_PUBLISHING in site.decorate(page.encode()).decode()
    assert (project / "build/site/pagefind/pagefind.js").is_file()  # the last index, whole
    assert not [p for p in project.iterdir() if p.name.startswith(".build.")]
