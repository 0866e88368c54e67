"""A rebuild with nothing changed is answered from the stamp of the last build, and only then.

Every case builds the repository's project, lets its files settle (their modification times
moved a minute back, as if edited earlier: files changed in the last two seconds are never
trusted), makes one change, and builds again: the second build must be a real one whose tree
equals a cold build of the changed project; with no change it must be "up to date" and leave
every file of the output as it was (same bytes, same inode).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import build_cli, copy_repo, edit_file, output_of, settle, tree_bytes, write_article

import publisher

CHANNELS = None  # every channel: a build of some channels widens to all when the articles change
AS_OF = "2027-01-01"
ARTICLE = "content/ketamine-therapy.md"



def build(proj: Path, **options):
    options = {"channels": CHANNELS, "as_of": AS_OF, **options}
    return publisher.build(proj, **options)


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*")}


@pytest.fixture
def built(tmp_path):
    proj = copy_repo(tmp_path / "proj")
    settle(proj)
    first = build(proj)
    assert not first.up_to_date
    return proj


def test_nothing_changed_is_up_to_date_and_writes_nothing(built):
    before, numbers = tree_bytes(built / "build"), inodes(built / "build")
    report = build(built)
    assert report.up_to_date
    assert report.articles == ["ketamine-therapy"]
    assert report.manifest == json.loads((built / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert tree_bytes(built / "build") == before
    assert inodes(built / "build") == numbers  # not one file replaced


def test_the_cli_says_up_to_date_and_repeats_the_warnings(built):
    first = output_of(build_cli(built, "--no-cache"))
    build(built)
    text = output_of(build_cli(built))
    assert "Up to date: nothing changed since the last build of 1 article into" in text
    warnings = sorted(line for line in first.splitlines() if ": warning: " in line)
    assert warnings and sorted(line for line in text.splitlines() if ": warning: " in line) == warnings
    report = json.loads(output_of(build_cli(built, "--format", "json")))
    assert report["up_to_date"] is True
    assert report["manifest"]["articles"][0]["slug"] == "ketamine-therapy"


CHANGES = {
    "article": lambda p: edit_file(p, ARTICLE, "ketamine", "ketamine (an anaesthetic)"),
    "article, same size": lambda p: edit_file(p, ARTICLE, "ketamine", "Ketamine"),
    "disclaimer": lambda p: edit_file(p, "content/disclaimers/crisis-help.md", "988", "9 8 8"),
    "layout": lambda p: edit_file(p, "layouts/html/base.html", "</body>", "<!-- changed --></body>"),
    "config": lambda p: edit_file(p, "publish.toml", "Health Library", "Health Library (test)"),
    "new article": lambda p: write_article(p, "walking", "title: Walking\ndate: 2026-06-01\nauthor: A\n"
                                           "description: Walk.\nplain_summary: Walk a bit every day.\n"),
    "removed glossary": lambda p: (p / "content" / "glossary.yaml").unlink(),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_changed_source_builds_again_and_equals_a_cold_build(change, built, tmp_path):
    before = tree_bytes(built / "build")
    size = (built / ARTICLE).stat().st_size
    CHANGES[change](built)
    if change == "article, same size":
        assert (built / ARTICLE).stat().st_size == size
    settle(built)  # even with old modification times: the inode or size or time differs from the stamp
    report = build(built)
    assert not report.up_to_date
    after = tree_bytes(built / "build")
    assert (after != before) is (change != "removed glossary")  # glossary words only warn
    assert after == tree_bytes(build(built, out=tmp_path / "cold", use_cache=False).out)
    assert build(built).up_to_date  # and then it is up to date again


@pytest.mark.parametrize("tamper", ["edit", "delete", "add"])
def test_a_touched_output_is_rebuilt(tamper, built):
    before = tree_bytes(built / "build")
    page = built / "build" / "site" / "ketamine-therapy" / "index.html"
    if tamper == "edit":
        page.write_text(page.read_text(encoding="utf-8").replace("988", "000"), encoding="utf-8")
    elif tamper == "delete":
        page.unlink()
    else:
        (page.parent / "stray.html").write_text("<p>not ours</p>", encoding="utf-8")
    report = build(built)
    assert not report.up_to_date
    assert tree_bytes(built / "build") == before


def test_a_file_changed_just_before_a_build_is_checked_again_by_the_next(built):
    """A write within the same clock tick as the stamp could keep size and time: not trusted."""
    edit_file(built, ARTICLE, "ketamine", "Ketamine")  # modified just now
    assert not build(built).up_to_date
    assert not build(built).up_to_date  # still within two seconds: the long way again
    settle(built)
    assert not build(built).up_to_date  # no stamp was kept for the racy builds
    assert build(built).up_to_date


def test_now_moving_within_the_span_is_up_to_date_and_past_a_scheduled_article_is_not(built):
    write_article(built, "later", "title: Later\ndate: 2027-03-01\nauthor: A\ndescription: Later.\n"
                  "plain_summary: This comes later.\n")
    settle(built)
    assert build(built, as_of="2027-01-01").articles == ["ketamine-therapy"]
    assert build(built, as_of="2027-02-28T23:59:59Z").up_to_date  # nothing appears before March
    report = build(built, as_of="2027-03-01")
    assert not report.up_to_date and report.articles == ["later", "ketamine-therapy"]
    assert not build(built, as_of="2026-12-31").up_to_date  # back before it: a real build again


def test_other_options_and_no_cache_never_reuse_the_stamp(built, tmp_path):
    assert not build(built, channels=["html"]).up_to_date  # another question, another stamp
    assert not build(built, drafts=True).up_to_date
    build(built)
    assert not build(built, use_cache=False).up_to_date
    assert not build(built, out=tmp_path / "elsewhere").up_to_date


def test_deleting_the_cache_builds_again(built):
    shutil.rmtree(built / ".cache")
    assert not build(built).up_to_date
    assert build(built).up_to_date


def test_a_review_growing_too_old_ends_the_span(built):
    """With review required, the day a review passes max_age_days is a change: no stamp covers it."""
    config = built / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("required = false\nmax_age_days = 365",
                                                                 "required = true\nmax_age_days = 40"), encoding="utf-8")
    edit_file(built, ARTICLE, "author: Editorial team\n", "author: Editorial team\nreviewed_by: Dr. A. Reviewer\n"
          "reviewed_on: 2026-12-01\n")
    settle(built)
    assert not build(built, as_of="2027-01-01").up_to_date
    assert build(built, as_of="2027-01-10T23:59:59Z").up_to_date  # 40 days and a bit: still in date
    with pytest.raises(publisher.PublishError) as raised:
        build(built, as_of="2027-01-11")  # 41 days: the review is stale, and the build says so
    assert [d.code for d in raised.value.diagnostics] == ["review.stale"]
