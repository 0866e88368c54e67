"""The ``publish`` command and the library function it is thin over."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
import yaml
from conftest import AS_OF, build_cli, ok, output_of, run_cli, tree_bytes, write_article

import publisher
from publisher import PublishError

SAMPLE = "ketamine-therapy"


def fm(title: str, date: str, *extra: str) -> str:
    return f"title: {title}\ndate: {date}\nauthor: A. Writer\ndescription: A test article.\n" + "".join(
        line + "\n" for line in extra)


def published(project: Path, out: Path | None = None) -> list[str]:
    manifest = json.loads(((out or project / "build") / "manifest.json").read_text(encoding="utf-8"))
    return [a["slug"] for a in manifest["articles"]]


# --- help and usage errors ------------------------------------------------------------------


def test_help():
    result = run_cli(None, "--help")
    ok(result)
    assert "build" in result.output and "list" in result.output and "new" in result.output


def test_build_help(project):
    result = run_cli(project, "build", "--help")
    ok(result)
    for option in ("--as-of", "--drafts", "--future", "--channel", "--out", "--quiet"):
        assert option in result.output


def test_unknown_channel_is_a_usage_error(project):
    result = build_cli(project, "--channel", "nope")
    assert result.exit_code == 2, output_of(result)
    assert "nope" in result.output and "--channel" in result.output
    assert not (project / "build").exists()


def test_bad_as_of_is_a_usage_error(project):
    result = run_cli(project, "build", "--as-of", "notadate")
    assert result.exit_code == 2, output_of(result)
    assert "--as-of" in result.output and "notadate" in result.output
    assert not (project / "build").exists()


@pytest.mark.parametrize("as_of", ["2027-01-01", "2027-01-01T10:00:00Z", "2027-01-01T10:00:00+02:00",
                                   "2027-01-01T10:00:00"])
def test_as_of_forms(project, as_of):
    result = run_cli(project, "build", "--as-of", as_of)
    ok(result)
    assert published(project) == [SAMPLE]


# --- which articles a build publishes -------------------------------------------------------


def test_future_articles_need_future(project):
    write_article(project, "later", fm("Later", "2027-06-01"))
    ok(build_cli(project))
    assert published(project) == [SAMPLE]
    ok(build_cli(project, "--future"))
    assert published(project) == ["later", SAMPLE]  # newest first


def test_drafts_need_drafts(project):
    write_article(project, "draft", fm("Draft", "2026-06-01", "status: draft"))
    ok(build_cli(project))
    assert published(project) == [SAMPLE]
    assert not (project / "build" / "site" / "draft").exists()
    ok(build_cli(project, "--drafts"))
    assert published(project) == [SAMPLE, "draft"]
    assert (project / "build" / "site" / "draft" / "index.html").is_file()


@pytest.mark.parametrize("flags", [[], ["--drafts"], ["--future"], ["--drafts", "--future"]])
def test_expired_articles_never_appear(project, flags):
    write_article(project, "expired-before", fm("Expired before", "2026-01-01", "expires: 2026-12-01"))
    write_article(project, "expires-now", fm("Expires now", "2026-01-01", "expires: 2027-01-01"))
    write_article(project, "expired-draft", fm("Expired draft", "2026-01-01", "status: draft", "expires: 2026-12-01"))
    write_article(project, "expires-later", fm("Expires later", "2026-01-01", "expires: 2027-06-01"))
    ok(build_cli(project, *flags))
    slugs = published(project)
    assert "expires-later" in slugs
    for slug in ("expired-before", "expires-now", "expired-draft"):
        assert slug not in slugs
        assert not (project / "build" / "site" / slug).exists()


def test_as_of_offset_is_respected(project):
    write_article(project, "nine-utc", fm("Nine UTC", "2027-01-01T09:00:00Z"))
    ok(build_cli(project, "--as-of", "2027-01-01T10:00:00+02:00"))  # 08:00 UTC
    assert "nine-utc" not in published(project)
    ok(build_cli(project, "--as-of", "2027-01-01T10:00:00Z"))
    assert "nine-utc" in published(project)
    ok(build_cli(project, "--as-of", "2027-01-01T10:00:00"))  # no zone: UTC
    assert "nine-utc" in published(project)




def test_expires_at_the_same_instant_as_as_of_is_expired(project):
    write_article(project, "expires-midnight", fm("Expires midnight", "2026-01-01", "expires: 2027-01-01T00:00:00Z"))
    ok(build_cli(project, "--as-of", "2027-01-01"))
    assert "expires-midnight" not in published(project)


def test_dated_at_the_same_instant_as_as_of_is_published(project):
    write_article(project, "midnight", fm("Midnight", "2027-01-01T00:00:00Z"))
    ok(build_cli(project, "--as-of", "2027-01-01"))
    assert "midnight" in published(project)


# --- publish list ---------------------------------------------------------------------------


def _list_rows(output: str) -> dict[str, list[str]]:
    rows = {}
    for line in output.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) == 4 and cells[0] != "SLUG":
            rows[cells[0]] = cells[1:]
    return rows


def test_list_shows_status_date_and_title(project):
    write_article(project, "a-draft", fm("A Draft", "2026-06-01", "status: draft"))
    write_article(project, "a-scheduled", fm("A Scheduled", "2027-06-01"))
    write_article(project, "an-expired", fm("An Expired", "2026-01-01", "expires: 2026-12-01"))
    result = run_cli(project, "list", "--as-of", AS_OF)
    ok(result)
    rows = _list_rows(result.output)
    assert rows == {
        SAMPLE: ["published", "2026-11-28", "The Potential Benefits of Ketamine Therapy"],
        "a-draft": ["draft", "2026-06-01", "A Draft"],
        "a-scheduled": ["scheduled", "2027-06-01", "A Scheduled"],
        "an-expired": ["expired", "2026-01-01", "An Expired"],
    }
    # relative to --as-of: before the sample's date it is scheduled too
    rows = _list_rows(run_cli(project, "list", "--as-of", "2026-11-01").output)
    assert rows[SAMPLE][0] == "scheduled"
    assert rows["an-expired"][0] == "published"


# --- publish new ----------------------------------------------------------------------------

NEW_TITLE = "Côte d'Ivoire: A Test"
NEW_SLUG = "cote-d-ivoire-a-test"


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("\n---\n", 1)[0][4:])


def test_new_writes_a_draft_that_list_and_build_see(project):
    result = run_cli(project, "new", NEW_TITLE, "--author", "A. Writer", "--as-of", "2026-12-01")
    ok(result)
    path = project / "content" / f"{NEW_SLUG}.md"
    assert path.is_file(), sorted(p.name for p in (project / "content").iterdir())
    data = _front_matter(path)
    assert str(uuid.UUID(data["id"])) == data["id"]
    assert data["status"] == "draft"
    assert data["title"] == NEW_TITLE
    assert data["author"] == "A. Writer"

    rows = _list_rows(run_cli(project, "list", "--as-of", AS_OF).output)
    assert rows[NEW_SLUG][0] == "draft"
    assert rows[NEW_SLUG][2] == NEW_TITLE

    ok(build_cli(project))
    assert NEW_SLUG not in published(project)
    ok(build_cli(project, "--drafts"))
    assert NEW_SLUG in published(project)
    manifest = json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))
    record = next(a for a in manifest["articles"] if a["slug"] == NEW_SLUG)
    assert record["title"] == NEW_TITLE
    assert (project / "build" / record["outputs"]["html"]).is_file()


def test_new_refuses_an_existing_slug(project):
    ok(run_cli(project, "new", NEW_TITLE, "--author", "A. Writer", "--as-of", "2026-12-01"))
    path = project / "content" / f"{NEW_SLUG}.md"
    first = path.read_bytes()
    result = run_cli(project, "new", NEW_TITLE, "--author", "A. Writer", "--as-of", "2026-12-01")
    assert result.exit_code == 1, output_of(result)
    assert "Traceback" not in output_of(result)
    assert "error:" in result.output
    assert path.read_bytes() == first


def test_new_ids_are_unique(project):
    ok(run_cli(project, "new", "First Title", "--author", "A. Writer", "--as-of", "2026-12-01"))
    ok(run_cli(project, "new", "Second Title", "--author", "A. Writer", "--as-of", "2026-12-01"))
    first = _front_matter(project / "content" / "first-title.md")["id"]
    second = _front_matter(project / "content" / "second-title.md")["id"]
    assert first != second


# --- output ---------------------------------------------------------------------------------


def test_quiet_build_prints_only_warnings(project):
    result = build_cli(project, "--quiet")
    ok(result)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines, "the sample article's risky-claim warnings are still shown"
    assert all(": warning: " in line for line in lines), result.output  # no summary line, no progress
    assert published(project) == [SAMPLE]


def test_build_reports_what_it_built(project):
    result = build_cli(project)
    ok(result)
    assert "Built 1 article" in result.output
    assert "\r" not in result.output  # not a terminal: no progress lines


# --- library API ----------------------------------------------------------------------------


def test_library_build(project, tmp_path):
    out = tmp_path / "out"
    report = publisher.build(project, out, channels=["html"], as_of="2027-01-01")
    assert report.articles == [SAMPLE]
    assert published(project, out) == [SAMPLE]


def test_library_refuses_a_foreign_folder(project, tmp_path):
    out = tmp_path / "someone-elses"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n", encoding="utf-8")
    before = tree_bytes(out)
    with pytest.raises(PublishError) as info:
        publisher.build(project, out, channels=["html"], as_of="2027-01-01")
    assert "manifest.json" in str(info.value)
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj", "someone-elses"]


def test_library_refuses_the_project_root(project):
    before = tree_bytes(project)
    with pytest.raises(PublishError):
        publisher.build(project, project, channels=["html"], as_of="2027-01-01")
    assert tree_bytes(project) == before
    assert sorted(p.name for p in project.iterdir()) == ["content", "layouts", "publish.toml"]


def test_library_replaces_its_own_previous_build(project, tmp_path):
    out = tmp_path / "out"
    publisher.build(project, out, as_of="2027-01-01")
    (out / "stale.txt").write_text("old\n", encoding="utf-8")
    publisher.build(project, out, as_of="2027-01-01")  # every channel: the folder is replaced whole
    assert not (out / "stale.txt").exists()


def test_a_one_channel_build_keeps_the_other_channels_outputs(project, tmp_path):
    out = tmp_path / "out"
    publisher.build(project, out, as_of="2027-01-01")
    full = tree_bytes(out)
    publisher.build(project, out, channels=["rss"], as_of="2027-01-01")
    assert tree_bytes(out) == full  # same sources: the feeds are rewritten byte for byte, the rest kept


def test_cli_refuses_the_project_root(project):
    before = tree_bytes(project)
    result = build_cli(project, "--out", str(project))
    assert result.exit_code == 1, output_of(result)
    assert "Traceback" not in output_of(result)
    assert "error:" in result.output
    assert tree_bytes(project) == before


# --- SOURCE_DATE_EPOCH ----------------------------------------------------------------------


def test_source_date_epoch_before_the_article(project):
    result = run_cli(project, "build", env={"SOURCE_DATE_EPOCH": "1700000000"})  # 2023-11-14
    ok(result)
    assert published(project) == []
    rows = _list_rows(run_cli(project, "list", env={"SOURCE_DATE_EPOCH": "1700000000"}).output)
    assert rows[SAMPLE][0] == "scheduled"


def test_source_date_epoch_after_the_article(project):
    result = run_cli(project, "build", env={"SOURCE_DATE_EPOCH": "1800000000"})  # 2027-01-15
    ok(result)
    assert published(project) == [SAMPLE]
    rows = _list_rows(run_cli(project, "list", env={"SOURCE_DATE_EPOCH": "1800000000"}).output)
    assert rows[SAMPLE][0] == "published"


def test_as_of_wins_over_source_date_epoch(project):
    ok(run_cli(project, "build", "--as-of", AS_OF, env={"SOURCE_DATE_EPOCH": "1700000000"}))
    assert published(project) == [SAMPLE]
