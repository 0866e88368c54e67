"""The content-health report (build/report/ in a full build; publish report): its table, its
report.json and report.csv agree; its charts are inline SVG; the bytes never change for the same
sources and as-of. The browser half (vnu, axe) is in test_browser.py.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, REPO, build_cli, failed, ok, parse_html, run_cli, set_front_matter, visible_text

FIXTURE = REPO / "tests" / "projects" / "editions"
HEADINGS = ["Article", "Language", "Status", "Reading level", "Words", "Long sentences", "Passive", "Claims to check",
            "Last review", "Review due", "Approvals", "Translations"]


def _project(dest: Path) -> Path:
    """The editions fixture with known review dates: hand-washing reviewed 2025-02-20 (due
    2026-03-27 with max_age_days = 400, so overdue on 2027-01-01), sleep reviewed 2026-10-01 (due
    2027-11-05), the Spanish translation with no review; and a draft with a 40-word sentence."""
    shutil.copytree(FIXTURE, dest)
    config = dest / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[review]\nrequired = false\n", "[review]\nrequired = false\nmax_age_days = 400\n"), encoding="utf-8")
    set_front_matter(dest / "content" / "hand-washing.md", "reviewed_on", "2025-02-20")
    set_front_matter(dest / "content" / "hand-washing.md", "reviewed_by", "Dr Ana Ruiz")
    set_front_matter(dest / "content" / "sleep.md", "reviewed_on", "2026-10-01")
    set_front_matter(dest / "content" / "sleep.md", "reviewed_by", "Dr Ben Ode")
    long = "Every " + " ".join(["word"] * 38) + " end."
    (dest / "content" / "draft-note.md").write_text(
        "---\ntitle: A note in progress\ndate: 2026-12-01\nauthor: Clinic nurses\ndescription: Not ready yet.\n"
        f"status: draft\n---\nThis note is short. {long}\n", encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    proj = _project(tmp / "proj")
    ok(build_cli(proj, "--out", str(tmp / "build")))
    return tmp / "build"


def _table(out: Path) -> tuple[list[str], list[list[str]]]:
    page = parse_html(out / "report" / "index.html")
    table = page.find("table")
    headings = [visible_text(th) for th in table.find("thead").find_all("th")]
    rows = [[visible_text(cell) for cell in tr.find_all(["th", "td"])] for tr in table.find("tbody").find_all("tr")]
    return headings, rows


def test_the_table_csv_and_json_agree(built):
    headings, rows = _table(built)
    assert headings == HEADINGS
    with (built / "report" / "report.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["slug", *HEADINGS]
    assert [row[1:] for row in table[1:]] == rows
    document = json.loads((built / "report" / "report.json").read_text(encoding="utf-8"))
    assert document["as_of"] == AS_OF
    articles = document["articles"]
    assert [a["slug"] for a in articles] == [row[0] for row in table[1:]] == [
        "draft-note", "es/lavado-de-manos", "hand-washing", "sleep"]
    for record, row in zip(articles, table[1:]):
        cells = dict(zip(["slug", *HEADINGS], row))
        assert cells["Article"] == record["title"]
        assert cells["Words"] == str(record["words"])
        assert cells["Long sentences"] == str(record["long_sentences"])
        assert cells["Status"] == record["status"]
        assert cells["Claims to check"] == str(record["claims_to_check"])
        assert cells["Review due"].split(" ")[0] == ("none" if record["review_due"] is None else record["review_due"])


def test_the_figures_are_the_articles_own(built):
    articles = {a["slug"]: a for a in json.loads((built / "report" / "report.json").read_text())["articles"]}
    washing, sleep, draft, spanish = (articles[s] for s in ("hand-washing", "sleep", "draft-note", "es/lavado-de-manos"))
    assert (washing["reviewed_on"], washing["review_due"], washing["review_overdue"]) == ("2025-02-20", "2026-03-27", True)
    assert washing["review_age_days"] == 680  # 2025-02-20 to 2027-01-01
    assert (sleep["review_due"], sleep["review_overdue"]) == ("2027-11-05", False)
    assert spanish["review_due"] is None and spanish["translation_of"] == "hand-washing"
    assert spanish["translation_current"] is True and spanish["grade"] is None and spanish["scale"] == "INFLESZ"
    assert washing["translations"] == [{"slug": "es/lavado-de-manos", "lang": "es", "current": True}]
    assert (draft["status"], draft["long_sentences"], draft["sentences"], draft["words"]) == ("draft", 1, 2, 44)
    assert washing["grade"] is not None and washing["summary_grade"] is not None
    _, rows = _table(built)
    by_title = {row[0]: row for row in rows}
    assert by_title["Washing your hands"][9] == "2026-03-27 (overdue)"
    assert by_title["Washing your hands"][8] == "2025-02-20 (680 days ago)"
    assert by_title["Lavarse las manos"][11] == "of hand-washing: up to date"


def test_a_stale_translation_shows_in_the_report(tmp_path):
    proj = _project(tmp_path / "proj")
    original = proj / "content" / "hand-washing.md"
    original.write_text(original.read_text(encoding="utf-8") + "\nDry your hands well.\n", encoding="utf-8")
    ok(run_cli(proj, "report", "--as-of", AS_OF, "--out", str(tmp_path / "out")))
    articles = {a["slug"]: a for a in json.loads((tmp_path / "out/report/report.json").read_text())["articles"]}
    assert articles["es/lavado-de-manos"]["translation_current"] is False
    assert articles["hand-washing"]["translations"][0]["current"] is False
    rows = {row[0]: row for row in _table(tmp_path / "out")[1]}
    assert rows["Washing your hands"][11] == "es: out of date"


def test_the_charts_are_inline_svg_with_names_and_their_own_ids(built):
    page = parse_html(built / "report" / "index.html")
    charts = page.select("figure svg")
    assert [svg["role"] for svg in charts] == ["img", "img"]
    assert all(svg["aria-label"] for svg in charts)
    ids = [element["id"] for element in page.select("[id]")]
    assert len(ids) == len(set(ids)), "two elements share an id"
    due = visible_text(charts[1])
    assert "Overdue" in due and "Nov 2027" in due and "Jan 2027" in due
    assert "Target: grade 8" in visible_text(charts[0])
    assert not page.select("script") and "<?xml" not in (built / "report/index.html").read_text()


def test_two_builds_and_publish_report_give_the_same_bytes(built, tmp_path):
    proj = _project(tmp_path / "proj")
    ok(build_cli(proj, "--out", str(tmp_path / "again"), "--no-cache"))
    ok(run_cli(proj, "report", "--as-of", AS_OF, "--out", str(tmp_path / "alone")))
    for name in ("index.html", "report.json", "report.csv"):
        made = (built / "report" / name).read_bytes()
        assert (tmp_path / "again" / "report" / name).read_bytes() == made, name
        if name != "index.html":  # the page links to the built articles, which "alone" has none of
            assert (tmp_path / "alone" / "report" / name).read_bytes() == made, name
    assert not parse_html(tmp_path / "alone/report/index.html").select("tbody a")
    assert len(parse_html(built / "report/index.html").select("tbody a")) == 3  # the draft has no page


def test_a_build_of_one_channel_keeps_the_report_and_report_replaces_it_whole(tmp_path):
    proj = _project(tmp_path / "proj")
    out = tmp_path / "build"
    ok(build_cli(proj, "--out", str(out)))
    before = {name: (out / "report" / name).read_bytes() for name in ("index.html", "report.json", "report.csv")}
    (proj / "content" / "sleep.md").write_text((proj / "content" / "sleep.md").read_text() + "\nSleep well.\n")
    ok(build_cli(proj, "--out", str(out), "--channel", "rss"))
    assert {name: (out / "report" / name).read_bytes() for name in before} == before
    ok(run_cli(proj, "report", "--as-of", AS_OF, "--out", str(out)))
    after = json.loads((out / "report" / "report.json").read_text())
    assert next(a for a in after["articles"] if a["slug"] == "sleep")["words"] > json.loads(
        before["report.json"])["articles"][3]["words"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "report", "site"]  # no staging left
    ok(build_cli(proj, "--out", str(out)))  # a build still owns a folder publish report wrote into


def test_report_on_a_broken_project_names_the_file_and_line(tmp_path):
    proj = _project(tmp_path / "proj")
    (proj / "content" / "broken.md").write_text("---\ntitle: Broken\ndate: someday\n---\nText.\n", encoding="utf-8")
    output = failed(run_cli(proj, "report", "--as-of", AS_OF, "--out", str(tmp_path / "out")))
    assert "content/broken.md:3: error:" in output and "date" in output, output
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()
