"""``diff_builds`` (builddiff.py): what changed between two finished builds, checked against the
files themselves; a folder that is not a build, or a manifest that points out of its folder, is
refused with a diagnostic and nothing outside the folder is read."""

from __future__ import annotations

import hashlib
import json
import shutil
import tracemalloc
from pathlib import Path

import pytest
from conftest import AS_OF, GOOD_FRONT_MATTER, copy_repo, output_of, run_cli, tree_bytes, write_article

from publisher import builddiff
from publisher.api import build
from publisher.builddiff import diff_builds
from publisher.errors import PublishError

FAST = ["html", "rss", "summary"]  # pdf is slow: one test builds it
SLUG = "ketamine-therapy"
ARTICLE = f"content/{SLUG}.md"
CRISIS = "content/disclaimers/crisis-help.md"


def build_into(project: Path, name: str, channels=FAST) -> Path:
    out = project.parent / name
    build(project, out, channels=channels, as_of=AS_OF)
    return out


def edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def manifest_of(built: Path) -> dict:
    return json.loads((built / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(built: Path, manifest: dict) -> None:
    (built / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def record_of(built: Path, slug: str = SLUG) -> dict:
    return next(r for r in manifest_of(built)["articles"] if r["slug"] == slug)


def article(diff, slug: str = SLUG):
    found = [a for a in diff.articles if a.slug == slug]
    assert found, diff.as_text()
    return found[0]


def refused(old: Path, new: Path) -> list:
    with pytest.raises(PublishError) as caught:
        diff_builds(old, new)
    return caught.value.diagnostics


def truth(old: Path, new: Path) -> dict[str, str]:
    """Path -> added/removed/changed for every file outside the articles' outputs, by reading the
    bytes of both trees: what the 'Site files' section must say."""
    listed = {p for built in (old, new) for r in manifest_of(built)["articles"] for p in r["outputs"].values()}
    before, after = ({p: b for p, b in tree_bytes(t).items() if p not in listed and p != "manifest.json"}
                     for t in (old, new))
    return {p: "added" if p not in before else "removed" if p not in after else "changed"
            for p in sorted(before.keys() | after.keys()) if before.get(p) != after.get(p)}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = copy_repo(tmp_path_factory.mktemp("diff") / "proj", auto_summary=True)
    return build_into(project, "built")


@pytest.fixture
def twins(built, tmp_path) -> tuple[Path, Path]:
    """Two copies of one build, to edit by hand."""
    copies = tmp_path / "old", tmp_path / "new"
    for copy in copies:
        shutil.copytree(built, copy, symlinks=True)
    return copies


def test_two_builds_of_the_same_sources_have_no_differences(project):
    old = build_into(project, "old", channels=None)
    new = build_into(project, "new", channels=None)
    assert "pdf" in record_of(new)["outputs"]  # every channel, the leaflet too, is compared
    diff = diff_builds(old, new)
    assert not diff.changed
    assert diff.as_text() == "No differences."
    assert diff.as_json() == {"changed": False, "articles": [], "disclaimers": [],
                              "site_files": {"added": 0, "removed": 0, "changed": 0, "files": []}}


def test_one_word_of_the_body_changes_the_article_page_only(project):
    old = build_into(project, "old")
    edit(project, ARTICLE, "gained significant attention", "gained considerable attention")
    new = build_into(project, "new")
    change = article(diff_builds(old, new))
    assert change.status == "changed"
    assert [o.name for o in change.outputs] == ["html"]  # summary_html and summary_text are as they were
    page = change.outputs[0]
    assert (page.old, page.new) == tuple(hashlib.sha256((b / page.old_path).read_bytes()).hexdigest()
                                         for b in (old, new))
    assert page.old != page.new
    assert change.disclaimers == ()
    fingerprints = record_of(old)["fingerprint"], record_of(new)["fingerprint"]
    assert fingerprints[0] != fingerprints[1]  # the body is one of the approved parts
    assert change.fingerprint == fingerprints
    text = diff_builds(old, new).as_text()
    assert f"  changed  {SLUG}: html" in text.splitlines()[1]
    assert "summary" not in text.splitlines()[1]
    assert "Disclaimers" not in text


def test_site_files_are_the_files_that_really_differ(project):
    old = build_into(project, "old")
    edit(project, ARTICLE, "gained significant attention", "gained considerable attention")
    edit(project, ARTICLE, "tags: [ketamine,", "tags: [ketamine, anaesthesia,")
    new = build_into(project, "new")
    diff = diff_builds(old, new)
    expected = truth(old, new)
    assert "site/tags/anaesthesia/index.html" in expected and "site/style.css" not in expected
    assert {f.path: f.status for f in diff.site_files} == expected
    listed = {f.path: f.output for f in diff.site_files}
    assert listed["site/tags/index.html"] == "tags" and listed["site/tags/anaesthesia/index.html"] is None
    added, removed, changed = (sum(v == s for v in expected.values()) for s in ("added", "removed", "changed"))
    assert removed == sum(p.startswith("site/pagefind/") for p, v in expected.items() if v == "removed")
    assert f"Site files: {added} added, {removed} removed, {changed} changed" in diff.as_text()
    assert "  added    site/tags/anaesthesia/index.html" in diff.as_text().splitlines()


def test_a_new_disclaimer_wording_names_its_versions_and_the_articles_that_carry_it(project):
    old = build_into(project, "old")
    edit(project, CRISIS, "please reach\nout now", "please reach\nout today")
    new = build_into(project, "new")
    diff = diff_builds(old, new)
    sha = {b: {d["id"]: d["sha256"] for d in record_of(b)["disclaimers"]} for b in (old, new)}
    assert [d.id for d in diff.disclaimers] == ["crisis-help"]  # the other two are as they were
    version = diff.disclaimers[0]
    assert version.status == "changed"
    assert (version.old, version.new) == ((sha[old]["crisis-help"],), (sha[new]["crisis-help"],))
    assert version.articles == (SLUG,)
    change = article(diff)
    assert change.disclaimers == ("crisis-help",) and "html" in [o.name for o in change.outputs]
    line = f"  changed  crisis-help: {sha[old]['crisis-help'][:12]} -> {sha[new]['crisis-help'][:12]} " \
           f"(carried by {SLUG})"
    assert line in diff.as_text().splitlines()


def test_an_article_added_then_removed(project):
    old = build_into(project, "old")
    write_article(project, "second", GOOD_FRONT_MATTER, "## A section\n\nSome text about sleep.\n")
    new = build_into(project, "new")
    outputs = sorted(record_of(new, "second")["outputs"])
    added = diff_builds(old, new)
    change = article(added, "second")
    assert change.status == "added"
    assert [(o.name, o.status) for o in change.outputs] == [(name, "added") for name in outputs]
    assert "html" in outputs
    assert [a.status for a in added.articles if a.slug == SLUG] in ([], ["changed"])
    assert added.disclaimers == ()  # the same wording, now on one article more
    assert f"  added    second: {', '.join(outputs)}" in added.as_text().splitlines()
    removed = diff_builds(new, old)
    assert article(removed, "second").status == "removed"
    assert f"  removed  second: {', '.join(outputs)}" in removed.as_text().splitlines()
    assert "Articles: 0 added, 1 removed" in removed.as_text()


def test_fingerprint_and_approvals_are_compared_when_recorded(twins):
    old, new = twins
    for built, print_, approvals in (
            (old, "sha256:" + "a" * 64, [{"role": "medical", "by": "Dr A", "on": "2026-11-28",
                                          "fingerprint": "sha256:" + "a" * 64}]),
            (new, "sha256:" + "b" * 64, [{"role": "medical", "by": "Dr B", "on": "2026-12-02",
                                          "fingerprint": "sha256:" + "b" * 64},
                                         {"role": "legal", "by": "L. Counsel", "on": "2026-12-03",
                                          "fingerprint": "sha256:" + "b" * 64}])):
        manifest = manifest_of(built)
        manifest["articles"][0].update(fingerprint=print_, approvals=approvals)
        write_manifest(built, manifest)
    diff = diff_builds(old, new)
    change = article(diff)
    assert change.outputs == () and change.fingerprint == ("sha256:" + "a" * 64, "sha256:" + "b" * 64)
    assert f"  changed  {SLUG}: outputs unchanged (fingerprint changed; approvals: (none) -> legal by "\
           "L. Counsel on 2026-12-03, medical by Dr A on 2026-11-28 -> medical by Dr B on 2026-12-02)" \
           in diff.as_text().splitlines()
    assert diff.as_json()["articles"][0]["approvals"][1]["old"]["by"] == "Dr A"


def test_records_without_fingerprint_or_approvals_are_not_a_difference(twins):
    old, new = twins
    for built in twins:
        manifest = manifest_of(built)
        manifest["articles"][0].pop("fingerprint", None)
        manifest["articles"][0].pop("approvals", None)
        write_manifest(built, manifest)
    assert not diff_builds(old, new).changed
    manifest = manifest_of(new)
    manifest["articles"][0]["approvals"] = "Dr A"
    write_manifest(new, manifest)
    assert [d.code for d in refused(old, new)] == ["diff.manifest"]


def test_files_no_manifest_lists_are_counted_with_their_paths(twins):
    old, new = twins
    (new / "site" / "extra.css").write_text("p { color: red }", encoding="utf-8")
    (new / "site" / "favicon.svg").unlink()
    with open(new / "site" / "style.css", "a", encoding="utf-8") as stream:
        stream.write("/* edited */\n")
    diff = diff_builds(old, new)
    assert [(f.path, f.status, f.output) for f in diff.site_files] == [
        ("site/extra.css", "added", None), ("site/favicon.svg", "removed", None), ("site/style.css", "changed", None)]
    assert diff.articles == () and diff.disclaimers == ()
    assert diff.as_text().splitlines() == ["Site files: 1 added, 1 removed, 1 changed", "  added    site/extra.css",
                                           "  removed  site/favicon.svg", "  changed  site/style.css"]


def test_a_listed_output_that_is_missing_is_a_difference(twins):
    old, new = twins
    (new / record_of(new)["outputs"]["summary_text"]).unlink()
    (new / manifest_of(new)["feeds"]["rss"]).unlink()
    diff = diff_builds(old, new)
    assert [o.label() for o in article(diff).outputs] == ["summary_text (missing in the new build)"]
    feed = [f for f in diff.site_files if f.output == "feeds.rss"]
    assert [(f.status, f.note) for f in feed] == [("removed", "listed in the new manifest but missing")]


def test_a_folder_that_is_not_a_build_is_refused(built, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    problems = refused(built, empty)
    assert [d.code for d in problems] == ["diff.manifest"]
    assert problems[0].path == f"{empty}/manifest.json" and "no manifest.json" in problems[0].message
    missing = tmp_path / "nowhere"
    both = refused(missing, empty)  # both folders' problems at once
    assert [(d.path, d.code) for d in both] == [(str(missing), "diff.manifest"),
                                                (f"{empty}/manifest.json", "diff.manifest")]
    assert "does not exist" in both[0].message
    (empty / "manifest.json").write_text("{not json", encoding="utf-8")
    assert "not valid JSON" in refused(built, empty)[0].message
    (empty / "manifest.json").write_text('{"articles": {}}', encoding="utf-8")
    assert "not a list of articles" in refused(built, empty)[0].message


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "site\\ketamine-therapy\\index.html",
                                  "site/../../secret.txt"])
def test_a_manifest_path_out_of_the_folder_is_refused_and_not_read(twins, path, monkeypatch):
    old, new = twins
    (new.parent / "secret.txt").write_text("secret", encoding="utf-8")
    manifest = manifest_of(new)
    manifest["articles"][0]["outputs"]["html"] = path
    manifest["index"] = path
    write_manifest(new, manifest)
    read = spy_on_reads(monkeypatch)
    problems = refused(old, new)
    assert [d.code for d in problems] == ["diff.path", "diff.path"]
    assert all(d.path == f"{new}/manifest.json" and repr(path) in d.message and "not read" in d.message
               for d in problems)
    assert_inside(read, old, new)


def test_a_listed_symbolic_link_out_of_the_folder_is_refused_and_not_read(twins, monkeypatch):
    old, new = twins
    decoy = new.parent / "decoy.html"
    decoy.write_text("<p>No disclaimers here.</p>", encoding="utf-8")
    page = new / record_of(new)["outputs"]["html"]
    page.unlink()
    page.symlink_to(decoy)
    read = spy_on_reads(monkeypatch)
    problems = refused(old, new)
    assert [d.code for d in problems] == ["diff.path"] and "symbolic link" in problems[0].message
    assert_inside(read, old, new)


def test_an_unlisted_symbolic_link_is_compared_by_its_target_never_followed(twins, monkeypatch):
    old, new = twins
    decoy = new.parent / "decoy.txt"
    decoy.write_text("outside", encoding="utf-8")
    (new / "site" / "latest").symlink_to(decoy)
    read = spy_on_reads(monkeypatch)
    diff = diff_builds(old, new)
    assert [(f.path, f.status, f.new) for f in diff.site_files] == [("site/latest", "added", f"symlink:{decoy}")]
    assert_inside(read, old, new)


def test_a_manifest_of_the_wrong_shape_is_refused_problem_by_problem(twins):
    old, new = twins
    manifest = manifest_of(new)
    manifest["articles"].append("second")
    manifest["articles"][0]["outputs"]["pdf"] = 5
    manifest["index"] = ["site/index.html"]
    write_manifest(new, manifest)
    problems = refused(old, new)
    assert [d.code for d in problems] == ["diff.manifest"] * 3
    assert {d.path for d in problems} == {f"{new}/manifest.json"}
    assert any("articles[1]" in d.message for d in problems)
    assert any(".outputs.pdf" in d.message for d in problems)


def test_files_are_hashed_in_chunks(twins):
    old, new = twins
    with open(new / "site" / "big.bin", "wb") as stream:
        stream.truncate(64 * 1024 * 1024)  # sparse: cheap to make, 64 MB to read
    tracemalloc.start()
    try:
        diff = diff_builds(old, new)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [f.path for f in diff.site_files] == ["site/big.bin"]
    assert diff.site_files[0].new == hashlib.sha256(bytes(64 * 1024 * 1024)).hexdigest()
    assert peak < 8 * 1024 * 1024, peak


def test_json_and_text_say_the_same_and_are_deterministic(project):
    old = build_into(project, "old")
    edit(project, ARTICLE, "gained significant attention", "gained considerable attention")
    edit(project, CRISIS, "please reach\nout now", "please reach\nout today")
    write_article(project, "second", GOOD_FRONT_MATTER, "## A section\n\nSome text about sleep.\n")
    new = build_into(project, "new")
    diff = diff_builds(old, new)
    data = diff.as_json()
    assert json.loads(json.dumps(data)) == data == diff_builds(old, new).as_json()
    assert diff_builds(old, new).as_text() == diff.as_text()
    lines = diff.as_text().splitlines()
    assert [line for line in lines if not line.startswith("  ")] == ["Articles: 1 added, 0 removed, 1 changed",
                                                                       "Disclaimers: 0 added, 0 removed, 1 changed",
                                                                       _site_header(data)]
    assert [a["slug"] for a in data["articles"]] == ["ketamine-therapy", "second"]
    for item in data["articles"]:
        line = next(line for line in lines if line.startswith(f"  {item['status']:<8} {item['slug']}: "))
        assert all(o["name"] in line for o in item["outputs"])
        assert all(d in line for d in item["disclaimers"])
    for item in data["disclaimers"]:
        assert f"  {item['status']:<8} {item['id']}: {item['old'][0][:12]} -> {item['new'][0][:12]}" in "\n".join(lines)
    shown = [line.split()[1] for line in lines[lines.index(_site_header(data)) + 1:]]
    assert shown == [f["path"] for f in data["site_files"]["files"]] == sorted(shown)


def _site_header(data: dict) -> str:
    counts = data["site_files"]
    return f"Site files: {counts['added']} added, {counts['removed']} removed, {counts['changed']} changed"


def spy_on_reads(monkeypatch) -> list[Path]:
    """Every file diff_builds opens to hash."""
    read = []
    real = builddiff._sha256

    def spy(path, *args, **kwargs):
        read.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(builddiff, "_sha256", spy)
    return read


def assert_inside(read: list[Path], *folders: Path) -> None:
    assert read, "nothing was hashed"
    outside = [p for p in read if not any(p.resolve().is_relative_to(f.resolve()) for f in folders)]
    assert outside == []


def test_a_name_with_a_newline_cannot_forge_a_line(twins):
    old, new = twins
    (new / "site" / "x\n  removed  robots.txt").write_text("x", encoding="utf-8")
    text = diff_builds(old, new).as_text()
    assert text.splitlines() == ["Site files: 1 added, 0 removed, 0 changed",
                                 "  added    site/x\\n  removed  robots.txt"]


def test_an_oversized_manifest_is_refused_unread(twins):
    old, new = twins
    with open(new / "manifest.json", "r+b") as stream:
        stream.truncate(builddiff.MAX_MANIFEST_BYTES + 1)
    problems = refused(old, new)
    assert [d.code for d in problems] == ["diff.manifest"] and "was not read" in problems[0].message


def test_the_command_prints_the_differences_and_exits_0_or_1_for_a_folder_that_is_not_a_build(twins, tmp_path):
    old, new = twins
    (new / "site" / "extra.txt").write_text("added by hand\n", encoding="utf-8")
    text = run_cli(None, "diff", str(old), str(new))
    assert text.exit_code == 0, output_of(text)
    assert text.output.splitlines() == ["Site files: 1 added, 0 removed, 0 changed", "  added    site/extra.txt"]
    as_json = run_cli(None, "diff", "--format", "json", str(old), str(new))
    assert as_json.exit_code == 0
    assert json.loads(as_json.output) == diff_builds(old, new).as_json()
    same = run_cli(None, "diff", str(old), str(old))
    assert (same.exit_code, same.output) == (0, "No differences.\n")
    (tmp_path / "empty").mkdir()
    refused = run_cli(None, "diff", str(old), str(tmp_path / "empty"))
    assert refused.exit_code == 1
    assert "no manifest.json" in refused.output and "[diff.manifest]" in refused.output
    assert "Traceback" not in output_of(refused)
    usage = run_cli(None, "diff", "--format", "yaml", str(old), str(new))
    assert usage.exit_code == 2
