"""`publish check --built DIR` on a tampered or foreign build: one clear diagnostic per problem,
naming DIR/manifest.json (or the file at fault), exit 1, never a traceback, and never a read of
a file outside DIR.

The repository's content is built once per module; each test tampers with its own copy.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AS_OF, build_cli, copy_repo, failed, ok, output_of, run_cli

SLUG = "ketamine-therapy"
PAGE = f"site/{SLUG}/index.html"
PDF = f"site/{SLUG}/{SLUG}.pdf"
FEED = "site/feed.xml"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    proj = copy_repo(tmp_path_factory.mktemp("hostile-check") / "proj")
    ok(build_cli(proj))
    return proj


@pytest.fixture
def built(good, tmp_path) -> Path:
    """A fresh copy of the good build, to tamper with."""
    copy = tmp_path / "copy"
    shutil.copytree(good / "build", copy, symlinks=True)
    return copy


@pytest.fixture
def decoy(good, tmp_path) -> Path:
    """A page outside every build, without its disclaimers: if the audit read it, it would say so."""
    outside = tmp_path / "outside"
    outside.mkdir()
    page = outside / "index.html"
    page.write_text("<!DOCTYPE html><html><body><p>No disclaimers here.</p></body></html>", encoding="utf-8")
    return page


def manifest_of(built: Path) -> dict:
    return json.loads((built / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(built: Path, manifest) -> None:
    (built / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def audit(project: Path, built: Path) -> list[dict]:
    """``check --built``: a clean failure in text and in JSON; the diagnostics of the JSON report."""
    text = failed(run_cli(project, "check", "--as-of", AS_OF, "--built", str(built)))
    assert "Traceback" not in text
    result = run_cli(project, "check", "--as-of", AS_OF, "--built", str(built), "--format", "json")
    assert result.exit_code == 1 and "Traceback" not in output_of(result), output_of(result)
    report = json.loads(result.stdout)
    assert report["ok"] is False
    return [d for d in report["diagnostics"] if d["severity"] == "error"]


def manifest_errors(found: list[dict], built: Path) -> list[str]:
    """The messages of the errors about DIR/manifest.json (all of them must be verify.manifest)."""
    about = [d for d in found if d["path"] == f"{built}/manifest.json"]
    assert all(d["code"] == "verify.manifest" for d in about), about
    return [d["message"] for d in about]


# --- the manifest as a whole ----------------------------------------------------------------


@pytest.mark.parametrize("data, why", [
    (b"", "is empty"),
    (b"  \n", "is empty"),
    (b"{not json", "is not valid JSON"),
    (b'{"articles": [', "is not valid JSON"),
    (b"[" * 100_000, "is not valid JSON"),
    (b'{"articles": "caf\xe9"}', "is not UTF-8"),
    (b"[1, 2]", "holds a list, not an object"),
    (b"42", "holds a number 42, not an object"),
    (b"null", "holds null, not an object"),
    (b'"text"', 'holds a string "text", not an object'),
    (b"{}", "has no 'articles'"),
    (b'{"articles": {}}', "'articles' is an object, not a list"),
    (b'{"articles": 3}', "'articles' is a number 3, not a list"),
])
def test_a_manifest_that_cannot_be_read_is_one_clear_error(good, built, data, why):
    (built / "manifest.json").write_bytes(data)
    found = audit(good, built)
    assert [d["code"] for d in found] == ["verify.manifest"], found
    assert found[0]["path"] == f"{built}/manifest.json"
    assert why in found[0]["message"] and "publish build" in found[0]["message"], found[0]


def test_manifest_that_is_a_folder_or_a_link_out_is_refused(good, built, tmp_path):
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(manifest_of(built)), encoding="utf-8")
    (built / "manifest.json").unlink()
    (built / "manifest.json").symlink_to(foreign)
    found = audit(good, built)
    assert [d["code"] for d in found] == ["verify.manifest"]
    assert "symbolic link" in found[0]["message"]

    (built / "manifest.json").unlink()
    (built / "manifest.json").mkdir()
    found = audit(good, built)
    assert [d["code"] for d in found] == ["verify.manifest"]
    assert "no manifest.json" in found[0]["message"]


# --- article records ------------------------------------------------------------------------


def test_each_bad_article_record_is_reported_and_the_good_one_still_checked(good, built):
    manifest = manifest_of(built)
    record = manifest["articles"][0]
    manifest["articles"] = [5, "x", None, {"title": "no slug"}, {"slug": 7}, record, dict(record)]
    write_manifest(built, manifest)
    (built / PAGE).write_text("<html><body>tampered</body></html>", encoding="utf-8")
    messages = manifest_errors(found := audit(good, built), built)
    assert sorted(messages) == sorted([
        "articles[0] is a number 5, not an object; rebuild the folder with 'publish build'",
        'articles[1] is a string "x", not an object; rebuild the folder with \'publish build\'',
        "articles[2] is null, not an object; rebuild the folder with 'publish build'",
        "articles[3] has no 'slug'; rebuild the folder with 'publish build'",
        "articles[4].slug is a number 7, not a string; rebuild the folder with 'publish build'",
        f"articles[6] lists article '{SLUG}' a second time; rebuild the folder with 'publish build'",
    ]), messages
    # the one good record is still audited: its tampered page is found
    assert [d["path"] for d in found if d["code"] == "verify.disclaimer"] == [f"{built}/{PAGE}"] * 3


@pytest.mark.parametrize("key, value, why", [
    ("outputs", ["site/x.html"], "articles[0].outputs (article 'ketamine-therapy') is a list, not an object"),
    ("outputs", "site/x.html", "articles[0].outputs (article 'ketamine-therapy') is a string"),
    ("disclaimers", "not-medical-advice", "articles[0].disclaimers (article 'ketamine-therapy') is a string"),
    ("disclaimers", [5], "articles[0].disclaimers (article 'ketamine-therapy')[0] is a number 5, not an object"),
    ("disclaimers", [{"id": 1, "sha256": None}], "[0] is an object, not an object with an 'id' and a 'sha256'"),
    ("title", 12, "articles[0].title (article 'ketamine-therapy') is a number 12, not a string"),
    ("date", ["2026"], "articles[0].date (article 'ketamine-therapy') is a list, not a string"),
])
def test_wrong_types_in_an_article_record(good, built, key, value, why):
    manifest = manifest_of(built)
    manifest["articles"][0][key] = value
    write_manifest(built, manifest)
    messages = manifest_errors(audit(good, built), built)
    assert len(messages) == 1 and why in messages[0], messages


def test_every_problem_is_reported_at_once(good, built):
    manifest = manifest_of(built)
    outputs = manifest["articles"][0]["outputs"]
    outputs["html"] = 5
    outputs["pdf"] = "/etc/passwd"
    outputs["summary_text"] = "site/missing.txt"
    manifest["feeds"]["atom"] = ["site/atom.xml"]
    manifest["index"] = None
    manifest["articles"][0]["title"] = 3
    write_manifest(built, manifest)
    (built / FEED).write_text("not xml at all", encoding="utf-8")
    found = audit(good, built)
    assert len(manifest_errors(found, built)) == 5, found
    assert [d["code"] for d in found if d["path"] == f"{built}/site/missing.txt"] == ["verify.missing"]
    assert [d["code"] for d in found if d["path"] == f"{built}/{FEED}"] == ["verify.feed"]


# --- output paths: nothing outside DIR is read ----------------------------------------------


@pytest.mark.parametrize("path", ["{decoy}", "/etc/passwd", "site/../../outside/index.html",
                                  "../outside/index.html", "site\\..\\..\\outside\\index.html", "", "site/\u0000x"])
def test_an_output_path_outside_the_folder_is_refused_unread(good, built, decoy, path):
    manifest = manifest_of(built)
    manifest["articles"][0]["outputs"]["html"] = path.format(decoy=decoy)
    write_manifest(built, manifest)
    found = audit(good, built)
    messages = manifest_errors(found, built)
    assert len(messages) == 1 and "articles[0].outputs.html is" in messages[0], messages
    assert "not a relative path inside the build folder (it was not read)" in messages[0]
    assert not [d for d in found if d["code"] != "verify.manifest"], found  # the decoy was not read


def test_a_site_output_path_outside_the_folder_is_refused(good, built, decoy):
    manifest = manifest_of(built)
    manifest["feeds"]["rss"] = str(decoy)
    manifest["sitemap"] = "../../outside/index.html"
    write_manifest(built, manifest)
    messages = manifest_errors(audit(good, built), built)
    assert sorted(m.split(" is ")[0] for m in messages) == ["feeds.rss", "sitemap"], messages


def test_a_symbolic_link_out_of_the_folder_is_not_followed(good, built, decoy):
    page = built / PAGE
    page.unlink()
    page.symlink_to(decoy)  # the file itself
    found = audit(good, built)
    messages = manifest_errors(found, built)
    assert len(messages) == 1 and "through a symbolic link (it was not read)" in messages[0], messages
    assert not [d for d in found if d["code"] == "verify.disclaimer"], found


def test_a_folder_linked_out_of_the_build_is_not_followed(good, built, tmp_path):
    outside = tmp_path / "elsewhere"
    shutil.move(built / "site" / SLUG, outside)
    (built / "site" / SLUG).symlink_to(outside, target_is_directory=True)
    (outside / "index.html").write_text("<html><body>tampered</body></html>", encoding="utf-8")
    messages = manifest_errors(found := audit(good, built), built)
    assert len(messages) == 4 and all("symbolic link" in m for m in messages), messages  # html, pdf, summaries
    assert not [d for d in found if d["code"] == "verify.disclaimer"], found


def test_a_link_inside_the_folder_is_fine(good, built):
    (built / "site" / "copy.html").write_bytes((built / PAGE).read_bytes())
    (built / PAGE).unlink()
    (built / PAGE).symlink_to(built / "site" / "copy.html")
    ok(run_cli(good, "check", "--as-of", AS_OF, "--built", str(built)))


# --- the files themselves -------------------------------------------------------------------


def test_a_listed_file_that_is_missing_or_a_folder(good, built):
    (built / PAGE).unlink()
    (built / PDF).unlink()
    (built / PDF).mkdir()
    found = audit(good, built)
    assert sorted((d["path"], d["code"]) for d in found) == [(f"{built}/{PAGE}", "verify.missing"),
                                                            (f"{built}/{PDF}", "verify.missing")], found
    assert [d["message"] for d in found] == [
        "article 'ketamine-therapy': the html output listed in manifest.json is missing",
        "article 'ketamine-therapy': the pdf output listed in manifest.json is not a plain file; it was not read"]


@pytest.mark.parametrize("name", [PAGE, f"site/{SLUG}/summary/index.html", f"site/{SLUG}/summary.txt"])
def test_a_page_that_is_not_utf8(good, built, name):
    path = built / name
    path.write_bytes(path.read_bytes().replace(b"</body>", b"caf\xe9 \xff\xfe</body>") + b"\xe9")
    found = audit(good, built)
    assert [(d["path"], d["code"]) for d in found] == [(f"{built}/{name}", "verify.unreadable")], found
    assert "is not UTF-8 text (byte " in found[0]["message"]


@pytest.mark.parametrize("data", ["half", b"", b"%PDF-1.7\n\x00\xff garbage", b"not a pdf at all\n"])
def test_a_truncated_or_garbage_leaflet(good, built, data):
    pdf = built / PDF
    pdf.write_bytes(pdf.read_bytes()[: pdf.stat().st_size // 2] if data == "half" else data)
    found = audit(good, built)
    assert {d["path"] for d in found} == {f"{built}/{PDF}"}, found
    assert {d["code"] for d in found} <= {"verify.unreadable", "verify.disclaimer"}, found


def test_a_garbage_leaflet_as_a_real_process_prints_one_diagnostic_and_no_log_lines(good, built):
    (built / PDF).write_bytes(b"%PDF-1.7\n\x00\xff garbage")
    process = _publish(good, built)
    assert process.returncode == 1 and process.stderr == "", process.stdout + process.stderr
    found = [l for l in process.stdout.splitlines() if "[verify." in l]
    assert len(found) == 1, process.stdout
    assert found[0].startswith("  error: article 'ketamine-therapy': the leaflet cannot be read as a PDF (")
    assert found[0].endswith(") [verify.unreadable]")


@pytest.mark.parametrize("data", [b"", b"not xml at all", b"<rss><channel>", b"\xff\xfe<rss/>",
                                  b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><rss>&a;&b;</rss>"])
def test_a_feed_that_is_not_xml(good, built, data):
    (built / FEED).write_bytes(data)
    found = audit(good, built)
    assert [(d["path"], d["code"]) for d in found] == [(f"{built}/{FEED}", "verify.feed")], found


def test_an_unknown_feed_kind_is_reported_not_a_crash(good, built):
    manifest = manifest_of(built)
    manifest["feeds"]["json"] = "site/feed.json"
    manifest["feeds"]["rss"] = 5
    write_manifest(built, manifest)
    messages = manifest_errors(audit(good, built), built)
    assert sorted(messages) == sorted([
        "feeds.json is not a kind of feed publisher writes (rss, atom); rebuild the folder with 'publish build'",
        "feeds.rss is a number 5, not a path; rebuild the folder with 'publish build'"]), messages


@pytest.mark.parametrize("value", [5, "site/feed.xml", None])
def test_feeds_that_are_not_an_object(good, built, value):
    manifest = manifest_of(built)
    manifest["feeds"] = value
    write_manifest(built, manifest)
    messages = manifest_errors(audit(good, built), built)
    assert len(messages) == 1 and messages[0].startswith("feeds is "), messages


# --- as a real process ----------------------------------------------------------------------


def test_the_real_command_prints_the_manifest_and_the_fix(good, built):
    (built / "manifest.json").write_text('{"articles": [5], "index": 3}', encoding="utf-8")
    (built / PDF).write_bytes(b"%PDF-1.7\n\x00\xff garbage")  # unlisted now: not read, nothing said
    process = _publish(good, built)
    assert process.returncode == 1, process.stdout + process.stderr
    assert process.stderr == ""  # the report is on stdout; no log lines, no traceback
    lines = process.stdout.splitlines()
    at = lines.index(f"{built}/manifest.json")
    assert lines[at + 1:at + 3] == [
        "  error: articles[0] is a number 5, not an object; rebuild the folder with 'publish build' [verify.manifest]",
        "  error: index is a number 3, not an output path or an object of output paths; rebuild the folder with 'publish build' [verify.manifest]"], lines


def _publish(project: Path, built: Path) -> subprocess.CompletedProcess:
    """``publish -C project check --built built`` as a real process (the installed command)."""
    publish = Path(sys.executable).with_name("publish")
    return subprocess.run([str(publish), "-C", str(project), "check", "--as-of", AS_OF, "--built", str(built)],
                          capture_output=True, text=True, timeout=120, check=False)
