"""Hundreds of articles are rendered by one process per core; the result is the one-process result.

Built twice, once with the pages rendered across processes (the default from 200 articles) and
once in a single process: the trees, the manifest and the warnings (in order) must be the same,
and a summary that fails its readability check, wherever it falls in the shares, must fail the
build, named, before any render starts (the plan checks every summary first).
"""

from __future__ import annotations

import os

import pytest
from conftest import copy_repo, tree_bytes, write_article

import publisher
import publisher.fanout

pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="renders fan out only with two or more cores")
AS_OF = "2027-01-01"
COUNT = 210
CHANNELS = ["html", "rss", "summary"]  # leaflets are rendered by their own pool: not this


def many(tmp_path, hard: int | None = None, count: int = COUNT):
    proj = copy_repo(tmp_path / "proj")
    for number in range(count):
        summary = (f"Note {number} is about chronic pain." if number % 7 == 0  # a glossary term: a warning
                   else f"Note {number} is short.")
        if number == hard:
            summary = ("Notwithstanding considerable methodological heterogeneity, contemporaneous "
                       "investigations substantiate multidimensional pharmacological interventions.")
        write_article(proj, f"note-{number:03d}", f"title: Note {number}\ndate: 2026-06-{number % 28 + 1:02d}\n"
                      f"author: A. Writer\ndescription: Note {number}.\ntags: [notes]\nplain_summary: {summary}\n",
                      f"Note number {number}, with *some* emphasis.\n"
                      + ("Your plan was made by the team. It was checked by a nurse.\n" if number % 5 == 0 else ""))
    return proj


@pytest.fixture(autouse=True)
def forks(monkeypatch) -> list:
    """The children started, so a test cannot pass without rendering across processes."""
    started, fork = [], publisher.fanout._fork
    monkeypatch.setattr(publisher.fanout, "_fork", lambda work, label: started.append(label) or fork(work, label))
    return started


def build_both(proj, tmp_path, monkeypatch):
    fanned = publisher.build(proj, out=tmp_path / "fanned", as_of=AS_OF, channels=CHANNELS)
    monkeypatch.setattr(publisher.fanout, "FANOUT_FROM", 10**9)
    single = publisher.build(proj, out=tmp_path / "single", as_of=AS_OF, channels=CHANNELS)
    return fanned, single


def test_pages_rendered_across_processes_equal_one_process(tmp_path, monkeypatch, forks):
    proj = many(tmp_path)
    fanned, single = build_both(proj, tmp_path, monkeypatch)
    # the [plain] checks and the gate's reading of the pages go across them too
    assert sorted(set(forks)) == ["_disclaimers_missing", "_plain_of", "html", "summary"]
    assert len(fanned.articles) == COUNT + 1
    assert tree_bytes(fanned.out) == tree_bytes(single.out)
    assert [str(w) for w in fanned.warnings] == [str(w) for w in single.warnings]
    assert sum("summary.glossary" in str(w) for w in fanned.warnings) == len(range(0, COUNT, 7))
    passive = [str(w) for w in fanned.warnings if "[plain.passive]" in str(w) and str(w).startswith("content/note-")]
    assert len(passive) == len(range(0, COUNT, 5))  # found across them
    assert fanned.outputs == single.outputs


@pytest.mark.parametrize("hard", [3, COUNT - 2])  # in this process's share, and in a child's
def test_a_summary_too_hard_to_read_in_any_share_fails_the_build(hard, tmp_path, monkeypatch, forks):
    proj = many(tmp_path, hard=hard)
    failures = []
    for fan in (True, False):
        if not fan:
            monkeypatch.setattr(publisher.fanout, "FANOUT_FROM", 10**9)
        with pytest.raises(publisher.PublishError) as raised:
            publisher.build(proj, out=tmp_path / f"out-{fan}", as_of=AS_OF, channels=CHANNELS)
        failures.append([str(d) for d in raised.value.diagnostics])
        assert not (tmp_path / f"out-{fan}").exists()
    assert failures[0] == failures[1]
    assert set(forks) == {"_plain_of"}  # refused by the plan (which checks across processes): no page was rendered
    assert [line for line in failures[0] if "[summary.readability]" in line][0].startswith(
        f"content/note-{hard:03d}.md:")


def test_a_rebuild_across_processes_links_unchanged_pages(tmp_path, forks):
    proj = many(tmp_path)
    publisher.build(proj, as_of=AS_OF, channels=CHANNELS)
    page = proj / "build" / "site" / "note-200" / "index.html"
    before = page.stat().st_ino
    (proj / "content" / "note-010.md").write_text(
        (proj / "content" / "note-010.md").read_text(encoding="utf-8").replace("some", "more"), encoding="utf-8")
    report = publisher.build(proj, as_of=AS_OF, channels=CHANNELS)
    assert page.stat().st_ino == before  # linked from the last build by whichever process had it
    assert report.reused["html"] == COUNT  # every page but the edited one
    assert forks.count("html") == 2


def test_a_render_process_that_dies_fails_the_build_and_keeps_the_last_one(tmp_path, monkeypatch, forks):
    """A child killed mid-render (out of memory, say) must not leave a half-made build."""
    proj = many(tmp_path)
    publisher.build(proj, as_of=AS_OF, channels=CHANNELS, use_cache=False)
    before = tree_bytes(proj / "build")
    from publisher.channels.html import HtmlChannel

    render, parent = HtmlChannel.render, os.getpid()

    def dies_in_a_child(self, entry, ctx):
        if os.getpid() != parent and entry.article.slug == "note-200":
            os._exit(9)
        return render(self, entry, ctx)

    monkeypatch.setattr(HtmlChannel, "render", dies_in_a_child)
    with pytest.raises(publisher.PublishError) as raised:
        publisher.build(proj, as_of=AS_OF, channels=CHANNELS, use_cache=False)
    [problem] = raised.value.diagnostics
    assert problem.code == "build.render-process" and "exit status 9" in problem.message
    assert tree_bytes(proj / "build") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]
    assert sorted(p.name for p in proj.iterdir() if p.name.startswith(".")) == []  # no staging folder left


# --- the gate reads the outputs back across processes too ---------------------------------------


def _without_disclaimers(proj, template: str, slug: str) -> None:
    """The project's own layout drops every disclaimer block for one article (a layout mistake)."""
    path = proj / "layouts" / template
    text = path.read_text(encoding="utf-8")
    for place in ("top", "bottom"):
        text = text.replace(f"{{% for disclaimer, text in {place} %}}",
                            f"{{% for disclaimer, text in {place} if article.slug != {slug!r} %}}")
    path.write_text(text, encoding="utf-8")


def _refused_both_ways(proj, tmp_path, monkeypatch, channels, least_name, least) -> list[list[str]]:
    failures = []
    for fan in (True, False):
        if not fan:
            monkeypatch.setattr(least_name, least)
        with pytest.raises(publisher.PublishError) as raised:
            publisher.build(proj, out=tmp_path / f"out-{fan}", as_of=AS_OF, channels=channels, use_cache=False)
        failures.append([str(d) for d in raised.value.diagnostics])
        assert not (tmp_path / f"out-{fan}").exists()
    return failures


def test_a_page_without_its_disclaimers_in_a_childs_share_fails_the_gate(tmp_path, monkeypatch, forks):
    proj = many(tmp_path)
    _without_disclaimers(proj, "html/article.html", "note-000")  # dated last: in the second share
    failures = _refused_both_ways(proj, tmp_path, monkeypatch, ["html"], "publisher.fanout.FANOUT_FROM", 10**9)
    assert "_disclaimers_missing" in forks  # read back across processes, the first time
    assert failures[0] == failures[1]
    gate = [line for line in failures[0] if "[verify.disclaimer]" in line]
    assert gate and all(line.startswith("site/note-000/index.html:") and "'note-000'" in line for line in gate), failures[0]


def test_a_leaflet_without_its_disclaimers_in_a_childs_share_fails_the_gate(tmp_path, monkeypatch, forks):
    proj = many(tmp_path, count=9)
    _without_disclaimers(proj, "pdf/leaflet.html", "note-000")  # dated last: in the second share
    failures = _refused_both_ways(proj, tmp_path, monkeypatch, ["pdf"],
                                  "publisher.checks.compliance.READ_ACROSS_FROM", 10**9)
    assert forks == ["read_leaflet"]  # the ten leaflets read back in two shares, the first time only
    assert failures[0] == failures[1]
    gate = [line for line in failures[0] if "[verify.disclaimer]" in line]
    assert gate and all(line.startswith("site/note-000/note-000.pdf:") and "lacks the full text" in line
                        for line in gate), failures[0]


def test_a_reading_process_that_dies_fails_the_build_and_keeps_the_last_one(tmp_path, monkeypatch, forks):
    proj = many(tmp_path, count=9)
    publisher.build(proj, as_of=AS_OF, channels=["pdf"])
    before = tree_bytes(proj / "build")
    from publisher.checks import compliance

    read, parent = compliance.read_leaflet, os.getpid()

    def dies_in_a_child(job):
        if os.getpid() != parent:
            os._exit(9)
        return read(job)

    monkeypatch.setattr(compliance, "read_leaflet", dies_in_a_child)
    with pytest.raises(publisher.PublishError) as raised:
        publisher.build(proj, as_of=AS_OF, channels=["pdf"], use_cache=False)
    [problem] = raised.value.diagnostics
    assert problem.code == "build.read-process" and "exit status 9" in problem.message
    assert tree_bytes(proj / "build") == before
    assert sorted(p.name for p in proj.iterdir() if p.name.startswith(".")) == [".cache"]  # no staging folder left
