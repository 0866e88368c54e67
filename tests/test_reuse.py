"""An unchanged article is not rendered again: its page and summary are linked from the last build.

Seen from outside: after a change, the files of articles the change does not touch are the very
files of the last build (same inode: hard links into the new tree), the CLI counts them as
reused, the files of articles it touches are new, and the tree equals a cold build byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_cli, copy_repo, output_of, settle, tree_bytes, write_article

import publisher

AS_OF = "2027-01-01"
OTHERS = ("walking", "sleep")



def article_files(slug: str) -> list[str]:
    return [f"site/{slug}/index.html", f"site/{slug}/summary/index.html", f"site/{slug}/summary.txt"]


def inode(proj: Path, relpath: str) -> int:
    return (proj / "build" / relpath).stat().st_ino


@pytest.fixture
def proj(tmp_path):
    proj = copy_repo(tmp_path / "proj")
    for slug in OTHERS:
        write_article(proj, slug, f"title: About {slug}\ndate: 2026-06-01\nauthor: A. Writer\n"
                      f"description: A short article about {slug}.\nplain_summary: {slug.title()} is good for you.\n",
                      f"Some words about {slug}.\n")
    settle(proj)
    publisher.build(proj, as_of=AS_OF)
    return proj


def edit_article(proj: Path, slug: str) -> None:
    path = proj / "content" / f"{slug}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Some words", "A few words"), encoding="utf-8")
    settle(proj)


def test_editing_one_article_renders_only_that_article(proj, tmp_path):
    before = {name: inode(proj, name) for slug in ("ketamine-therapy", *OTHERS) for name in article_files(slug)}
    edit_article(proj, "walking")
    text = output_of(build_cli(proj, "--as-of", AS_OF))
    assert "html: " in text and "2 reused" in text.split("html: ")[1].split(",")[1], text
    for slug in ("ketamine-therapy", "sleep"):
        for name in article_files(slug):
            assert inode(proj, name) == before[name], f"{name} was written again"
    for name in article_files("walking"):
        assert inode(proj, name) != before[name], f"{name} was not rendered again"
    assert "A few words about walking" in (proj / "build" / "site" / "walking" / "index.html").read_text(encoding="utf-8")
    cold = publisher.build(proj, out=tmp_path / "cold", as_of=AS_OF, use_cache=False)
    assert tree_bytes(proj / "build") == tree_bytes(cold.out)


@pytest.mark.parametrize("change", ["layout", "disclaimer", "config"])
def test_a_shared_change_renders_every_article_again(change, proj, tmp_path):
    before = {name: inode(proj, name) for slug in ("ketamine-therapy", *OTHERS) for name in article_files(slug)}
    path, old, new = {
        "layout": ("layouts/html/article.html", "</article>", "</article>\n<!-- changed -->"),
        "disclaimer": ("content/disclaimers/not-medical-advice.md", "medical advice", "medical advice at all"),
        "config": ("publish.toml", "Health Library", "Health Library (test)"),
    }[change]
    text = (proj / path).read_text(encoding="utf-8")
    assert old in text
    (proj / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    settle(proj)
    publisher.build(proj, as_of=AS_OF)
    pages = [name for slug in ("ketamine-therapy", *OTHERS) for name in article_files(slug)]
    if change == "layout":  # the article page's layout: the summaries do not use it
        pages = [name for name in pages if name.endswith("/index.html") and "/summary/" not in name]
    assert all(inode(proj, name) != before[name] for name in pages)
    cold = publisher.build(proj, out=tmp_path / "cold", as_of=AS_OF, use_cache=False)
    assert tree_bytes(proj / "build") == tree_bytes(cold.out)


def test_an_output_changed_in_the_build_folder_is_rendered_again(proj):
    page = proj / "build" / "site" / "sleep" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("medical advice", "advice"), encoding="utf-8")
    edit_article(proj, "walking")  # so the build is not up to date
    publisher.build(proj, as_of=AS_OF)
    assert "medical advice" in page.read_text(encoding="utf-8")


def test_no_cache_renders_everything(proj):
    before = inode(proj, "site/sleep/index.html")
    edit_article(proj, "walking")
    publisher.build(proj, as_of=AS_OF, use_cache=False)
    assert inode(proj, "site/sleep/index.html") != before
