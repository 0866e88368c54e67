"""The compliance gate: `publish check` (claims, medical review, links and alt text), and
`publish check --built DIR`, which re-reads a finished build the way its readers will.

Everything is observed the way a user sees it: exit codes, printed messages, the JSON report
(parsed with json) and the files a build leaves. The repository's content is built once per
module; every test that tampers with a build works on its own copy of that build.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import unescape as xml_unescape

import pypdf
import pytest
import yaml
from test_plain import sample_warnings_in_readme
from conftest import (
    tiny_png,
    AS_OF,
    GOOD_FRONT_MATTER,
    REPO,
    build_cli,
    copy_repo,
    failed,
    ok,
    output_of,
    parse_html,
    run_cli,
    tree_bytes,
    visible_text,
    write_article,
)

SLUG = "ketamine-therapy"
SOURCE = f"content/{SLUG}.md"
PAGE = f"site/{SLUG}/index.html"
SUMMARY_PAGE = f"site/{SLUG}/summary/index.html"
SUMMARY_TEXT = f"site/{SLUG}/summary.txt"
PDF = f"site/{SLUG}/{SLUG}.pdf"
FEED = "site/feed.xml"
DISCLAIMER_IDS = ["not-medical-advice", "ketamine-off-label", "crisis-help"]
EPOCH_2027 = "1798761600"  # 2027-01-01T00:00:00Z as SOURCE_DATE_EPOCH


# --- helpers --------------------------------------------------------------------------------


def check(project: Path, *args: str, env: dict | None = None):
    """``publish -C project check --as-of 2027-01-01 args...`` unless args give their own --as-of."""
    extra = [] if any(a == "--as-of" or a.startswith("--as-of=") for a in args) else ["--as-of", AS_OF]
    return run_cli(project, "check", *extra, *args, env=env)


def check_json(project: Path, *args: str, env: dict | None = None) -> tuple[object, dict]:
    """(result, parsed report) of ``check --format json``; stdout must be JSON and nothing else."""
    result = check(project, "--format", "json", *args, env=env)
    assert "Traceback" not in output_of(result), output_of(result)
    return result, json.loads(result.stdout)


def diagnostics(report: dict, code: str | None = None, path: str | None = None) -> list[dict]:
    return [d for d in report["diagnostics"]
            if (code is None or d["code"] == code) and (path is None or d["path"] == path)]


def errors_in(report: dict) -> list[dict]:
    return [d for d in report["diagnostics"] if d["severity"] == "error"]


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of ``path`` that holds ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def lines_with(text: str, *needles: str) -> list[str]:
    return [l for l in text.splitlines() if all(n in l for n in needles)]


def disclaimer_meta(ident: str) -> dict:
    text = (REPO / "content" / "disclaimers" / f"{ident}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))


def set_review(project: Path, *settings: str) -> None:
    """Replace the [review] section's keys with ``settings`` ("key = value" lines)."""
    config = project / "publish.toml"
    text = config.read_text(encoding="utf-8")
    assert "required = false" in text
    for setting in settings:
        key = setting.split("=")[0].strip()
        text, count = re.subn(rf"(?m)^{re.escape(key)} = .*$", setting, text)
        assert count == 1, (key, text)
    config.write_text(text, encoding="utf-8")


def add_front_matter(path: Path, lines: str) -> None:
    """Put ``lines`` at the start of the file's front matter."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    path.write_text("---\n" + lines.rstrip("\n") + "\n" + text[4:], encoding="utf-8")


def tea(project: Path, body: str, front_matter: str = GOOD_FRONT_MATTER, name: str = "tea") -> Path:
    return write_article(project, name, front_matter, "Intro.\n\n" + body)


# --- module-scoped good build of the repository's content -----------------------------------


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A copy of the repository, fully built into its own build/ (the default --out)."""
    proj = copy_repo(tmp_path_factory.mktemp("good") / "proj")
    ok(build_cli(proj))
    assert (proj / "build" / "manifest.json").is_file()
    return proj


@pytest.fixture
def built_copy(good, tmp_path) -> Path:
    """A fresh copy of the good build, to tamper with."""
    copy = tmp_path / "copy"
    shutil.copytree(good / "build", copy)
    return copy


def audit(project: Path, built: Path) -> tuple[str, dict]:
    """``check --built`` in text and in JSON: both must fail cleanly. Returns (text, report)."""
    text = failed(check(project, "--built", str(built)))
    result, report = check_json(project, "--built", str(built))
    assert result.exit_code == 1
    assert report["ok"] is False and report["errors"] >= 1
    return text, report


# --- 1. the repository's content passes ------------------------------------------------------


def _claim_warnings(report: dict) -> dict[str, dict]:
    found = {}
    for d in diagnostics(report, "claims.warning"):
        match = re.match(r"risky claim '(\w+)'", d["message"])
        assert match, d
        found[match[1].lower()] = d
    return found


def test_check_passes_on_the_repository_content(good):
    text = ok(check(good))
    assert "0 errors" in text
    assert f"{2 + len(sample_warnings_in_readme())} warnings" in text  # the claims below, and the README's list
    for phrase in ("breakthrough", "groundbreaking"):
        assert lines_with(text, f"risky claim '{phrase}'", "[claims.warning]"), text


def test_check_built_passes_on_a_good_build(good):
    text = ok(check(good, "--built", "build"))
    assert "0 errors" in text
    assert "verify." not in text


def test_check_json_report_of_the_repository(good):
    result, report = check_json(good, "--built", "build")
    assert result.exit_code == 0
    assert report["ok"] is True
    assert report["errors"] == 0
    assert report["warnings"] == 2 + len(sample_warnings_in_readme())
    assert report["articles"] == [SLUG]
    assert report["external_links"] == []
    assert errors_in(report) == []
    warnings = _claim_warnings(report)
    assert set(warnings) == {"breakthrough", "groundbreaking"}
    source = REPO / SOURCE
    for phrase, d in warnings.items():
        assert d["path"] == SOURCE
        assert d["severity"] == "warning"
        assert d["line"] == line_of(source, phrase)
    assert "This breakthrough has brought hope" in warnings["breakthrough"]["message"]


def test_an_untouched_copy_of_the_build_passes(good, built_copy):
    result, report = check_json(good, "--built", str(built_copy))
    assert result.exit_code == 0, result.output
    assert report["ok"] is True and report["errors"] == 0


# --- 2. auditing a build that was changed afterwards -----------------------------------------


def test_html_page_without_a_disclaimer_fails_the_audit(good, built_copy):
    page = built_copy / PAGE
    text = page.read_text(encoding="utf-8")
    cut = re.sub(r'<aside class="disclaimer disclaimer-crisis-help".*?</aside>', "", text, flags=re.S)
    assert cut != text
    page.write_text(cut, encoding="utf-8")

    printed, report = audit(good, built_copy)
    assert lines_with(printed, str(page)), printed
    assert lines_with(printed, "'crisis-help'", "[verify.disclaimer]"), printed
    found = errors_in(report)
    assert [d["path"] for d in found] == [str(page)]
    assert found[0]["code"] == "verify.disclaimer"
    assert "'crisis-help'" in found[0]["message"] and SLUG in found[0]["message"]


def test_leaflet_page_without_the_footer_fails_the_audit(good, built_copy):
    leaflet = built_copy / PDF
    reader = pypdf.PdfReader(leaflet)
    assert len(reader.pages) >= 3
    writer = pypdf.PdfWriter()
    for number, page in enumerate(reader.pages, 1):
        if number == 2:  # a page with no running footer (and no text at all)
            writer.add_blank_page(width=page.mediabox.width, height=page.mediabox.height)
        else:
            writer.add_page(page)
    with leaflet.open("wb") as handle:
        writer.write(handle)

    printed, report = audit(good, built_copy)
    assert lines_with(printed, str(leaflet)), printed
    found = errors_in(report)
    assert {d["path"] for d in found} == {str(leaflet)}
    per_page = [d for d in found if "page 2 of the leaflet" in d["message"]]
    named = {re.search(r"disclaimer '([\w-]+)'", d["message"])[1] for d in per_page}
    assert named == set(DISCLAIMER_IDS)
    for d in found:
        assert not re.search(r"page [134] of", d["message"]), d
    for ident in DISCLAIMER_IDS:
        assert lines_with(printed, "page 2", f"'{ident}'"), printed


def test_feed_item_without_a_short_disclaimer_fails_the_audit(good, built_copy):
    feed = built_copy / FEED
    text = feed.read_text(encoding="utf-8")
    match = re.search(r"(<item>.*?<description>)(.*?)(</description>)", text, re.S)
    assert match
    description = xml_unescape(match[2])  # the item's description, as HTML
    short = html.escape(disclaimer_meta("crisis-help")["short"], quote=False)
    assert short in description
    text = text[:match.start(2)] + xml_escape(description.replace(short, "")) + text[match.end(2):]
    feed.write_text(text, encoding="utf-8")

    printed, report = audit(good, built_copy)
    assert lines_with(printed, str(feed)), printed
    found = errors_in(report)
    assert [d["path"] for d in found] == [str(feed)]
    assert found[0]["code"] == "verify.disclaimer"
    assert f"article '{SLUG}'" in found[0]["message"]
    assert "'crisis-help'" in found[0]["message"]
    assert "item" in found[0]["message"]


def test_summary_text_without_plain_words_fails_the_audit(good, built_copy):
    summary = built_copy / SUMMARY_TEXT
    text = summary.read_text(encoding="utf-8")
    start = text.index("* If you are thinking about ending your life")
    assert "988" in text[start:]
    summary.write_text(text[:start], encoding="utf-8")  # the crisis-help plain words were last

    printed, report = audit(good, built_copy)
    assert lines_with(printed, str(summary)), printed
    found = errors_in(report)
    assert [d["path"] for d in found] == [str(summary)]
    assert "'crisis-help'" in found[0]["message"]
    assert found[0]["code"] == "verify.disclaimer"


def test_deleted_article_output_fails_the_audit(good, built_copy):
    (built_copy / PAGE).unlink()
    printed, report = audit(good, built_copy)
    found = diagnostics(report, "verify.missing")
    assert [d["path"] for d in found] == [str(built_copy / PAGE)]
    assert lines_with(printed, str(built_copy / PAGE)), printed
    assert "[verify.missing]" in printed


@pytest.mark.parametrize("listed", ["site/feed.xml", "site/atom.xml", "site/index.html"])
def test_deleted_site_output_listed_in_the_manifest_fails_the_audit(good, built_copy, listed):
    manifest = json.loads((built_copy / "manifest.json").read_text(encoding="utf-8"))
    assert listed in json.dumps(manifest)
    (built_copy / listed).unlink()
    printed, report = audit(good, built_copy)
    assert str(built_copy / listed) in printed


def test_changed_disclaimer_wording_after_the_build_fails_the_audit(tmp_path, good, built_copy):
    proj = copy_repo(tmp_path / "proj")
    disclaimer = proj / "content" / "disclaimers" / "crisis-help.md"
    text = disclaimer.read_text(encoding="utf-8")
    assert "please reach" in text
    disclaimer.write_text(text.replace("please reach", "please do reach"), encoding="utf-8")

    printed, report = audit(proj, built_copy)
    wording = diagnostics(report, "verify.wording")
    assert [d["path"] for d in wording] == [str(built_copy / "manifest.json")]
    assert f"'{SLUG}'" in wording[0]["message"]
    assert "other wording" in wording[0]["message"]
    assert "[verify.wording]" in printed


def test_a_folder_that_is_not_a_build_fails_the_audit(good, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    printed, report = audit(good, empty)
    assert [d["code"] for d in errors_in(report)] == ["verify.manifest"]


def test_unreadable_leaflet_is_reported_not_a_crash(good, built_copy):
    (built_copy / PDF).write_bytes(b"not a pdf at all\n")
    printed, report = audit(good, built_copy)
    assert str(built_copy / PDF) in printed


def test_malformed_feed_is_reported_not_a_crash(good, built_copy):
    (built_copy / FEED).write_text("<rss><channel>\n", encoding="utf-8")
    printed, report = audit(good, built_copy)
    assert str(built_copy / FEED) in printed


def test_hidden_disclaimer_fails_the_audit(good, built_copy):
    page = built_copy / PAGE
    text = page.read_text(encoding="utf-8")
    marker = '<aside class="disclaimer disclaimer-crisis-help"'
    assert marker in text
    page.write_text(text.replace(marker, marker.replace("<aside", "<aside hidden")), encoding="utf-8")
    printed, report = audit(good, built_copy)
    assert "'crisis-help'" in printed


@pytest.mark.parametrize("before, after", [
    ("<!-- ", " -->"), ("<template>", "</template>"), ('<div aria-hidden="true">', "</div>"),
    ("<noscript>", "</noscript>"), ('<script type="text/plain">', "</script>"), ('<div hidden="">', "</div>"),
], ids=["comment", "template", "aria-hidden", "noscript", "script", "hidden-parent"])
def test_a_disclaimer_a_reader_cannot_see_fails_the_audit(good, built_copy, before, after):
    """The gate reads pages as a reader sees them: a disclaimer inside a comment, a template, a
    script or a hidden element is missing (and one inside a plain div is not: see the next test)."""
    page = built_copy / PAGE
    text = page.read_text(encoding="utf-8")
    block = re.search(r'<aside class="disclaimer disclaimer-crisis-help".*?</aside>', text, flags=re.S).group(0)
    page.write_text(text.replace(block, before + block + after), encoding="utf-8")
    printed, report = audit(good, built_copy)
    assert "the page lacks the full text of disclaimer 'crisis-help'" in printed, printed
    assert [d["code"] for d in report["diagnostics"] if d["severity"] == "error"] == ["verify.disclaimer"], report


def test_a_disclaimer_inside_a_plain_div_passes_the_audit(good, built_copy):
    page = built_copy / PAGE
    text = page.read_text(encoding="utf-8")
    block = re.search(r'<aside class="disclaimer disclaimer-crisis-help".*?</aside>', text, flags=re.S).group(0)
    page.write_text(text.replace(block, f"<div>{block}</div>"), encoding="utf-8")
    result, report = check_json(good, "--built", str(built_copy))
    assert result.exit_code == 0 and report["errors"] == 0, report


# --- 3. a layout that drops the disclaimer block --------------------------------------------


@pytest.mark.parametrize("placement, dropped", [("top", ["not-medical-advice", "crisis-help"]),
                                                ("bottom", ["ketamine-off-label"])])
def test_layout_without_disclaimer_block_fails_and_keeps_the_previous_build(project, tmp_path, good,
                                                                           placement, dropped):
    out = tmp_path / "out"
    shutil.copytree(good / "build", out)  # the previous, good build
    before = tree_bytes(out)
    template = project / "layouts" / "html" / "article.html"
    text = template.read_text(encoding="utf-8")
    block = f"{{% for disclaimer, text in {placement} %}}\n{{{{ disclaimer_block(disclaimer, text) }}}}\n{{% endfor %}}\n"
    assert block in text
    template.write_text(text.replace(block, ""), encoding="utf-8")

    printed = failed(build_cli(project, "--out", str(out)))
    for ident in dropped:
        assert lines_with(printed, PAGE, f"'{ident}'", "[verify.disclaimer]"), printed
    kept = [i for i in DISCLAIMER_IDS if i not in dropped]
    for ident in kept:
        assert not lines_with(printed, f"'{ident}'", "[verify.disclaimer]"), printed
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "proj"]  # no staging folder left


def test_a_page_without_its_disclaimer_among_hundreds_fails_the_build(project, tmp_path):
    """Hundreds of pages are read back by one process per core: a miss in any of them still counts."""
    for number in range(90):  # with the sample: 91 articles, 273 pages and summary texts
        write_article(project, f"note-{number:02d}", GOOD_FRONT_MATTER + f"plain_summary: Note {number} is short.\n",
                      f"Note number {number}.\n")
    template = project / "layouts" / "html" / "article.html"
    text = template.read_text(encoding="utf-8")
    block = "{% for disclaimer, text in top %}\n{{ disclaimer_block(disclaimer, text) }}\n{% endfor %}\n"
    assert block in text
    template.write_text(text.replace(block, "{% if article.slug != 'note-77' %}" + block + "{% endif %}\n"),
                        encoding="utf-8")
    printed = failed(build_cli(project, "--out", str(tmp_path / "out"), "--channel", "html", "--channel", "summary"))
    assert {line.split(":")[0] for line in printed.splitlines() if "[verify.disclaimer]" in line} == \
        {"site/note-77/index.html"}, printed


# --- 4. the claims lint ---------------------------------------------------------------------


def _claim_line(printed: str, source: str, line: int, phrase: str, sentence: str, code: str) -> str:
    pattern = (rf"^{re.escape(source)}:{line}: (error|warning): risky claim '{re.escape(phrase)}' in: "
               rf"\"{re.escape(sentence)}\" \(.+\)\..* \[{re.escape(code)}\]$")
    found = [l for l in printed.splitlines() if re.match(pattern, l)]
    assert found, f"no line like {pattern!r} in:\n{printed}"
    return found[0]


def test_risky_claim_fails_the_build_with_file_line_and_sentence(project):
    path = tea(project, "This tea is a miracle cure.\n")
    line = line_of(path, "miracle")
    printed = failed(build_cli(project, "--out", str(project / "build")))
    miracle = _claim_line(printed, "content/tea.md", line, "miracle", "This tea is a miracle cure.", "claims.error")
    assert "(promotional language that overstates benefit)" in miracle
    assert miracle.startswith(f"content/tea.md:{line}: error: ")
    _claim_line(printed, "content/tea.md", line, "cure", "This tea is a miracle cure.", "claims.error")
    assert not (project / "build").exists()


def test_risky_claim_fails_check(project):
    tea(project, "This tea is a miracle cure.\n")
    result, report = check_json(project)
    assert result.exit_code == 1
    found = [d for d in errors_in(report) if d["code"] == "claims.error"]
    assert sorted(re.match(r"risky claim '(\w+)'", d["message"])[1] for d in found) == ["cure", "miracle"]
    assert {d["path"] for d in found} == {"content/tea.md"}
    printed = failed(check(project))
    assert lines_with(printed, "risky claim 'miracle'", "[claims.error]")


def test_claims_reviewed_silences_only_that_phrase_in_that_article(project):
    reviewed = GOOD_FRONT_MATTER + "claims_reviewed: [{phrase: miracle, reviewed_by: Dr X}]\n"
    tea(project, "This tea is a miracle cure.\n", reviewed)
    other = tea(project, "Another miracle drink.\n", name="other")
    printed = failed(build_cli(project, "--out", str(project / "build")))
    assert lines_with(printed, "content/tea.md:", "risky claim 'cure'", "[claims.error]"), printed
    assert not lines_with(printed, "content/tea.md:", "'miracle'"), printed
    _claim_line(printed, "content/other.md", line_of(other, "miracle"), "miracle", "Another miracle drink.",
                "claims.error")

    result, report = check_json(project)
    assert result.exit_code == 1
    found = {(d["path"], re.match(r"risky claim '(\w+)'", d["message"])[1])
             for d in errors_in(report) if d["code"] == "claims.error"}
    assert found == {("content/tea.md", "cure"), ("content/other.md", "miracle")}


def test_warning_claim_does_not_fail_the_build(project):
    path = tea(project, "This is a breakthrough for some people.\n")
    printed = ok(build_cli(project, "--out", str(project / "build")))
    _claim_line(printed, "content/tea.md", line_of(path, "breakthrough"), "breakthrough",
                "This is a breakthrough for some people.", "claims.warning")
    assert (project / "build" / "site" / "tea" / "index.html").is_file()


@pytest.mark.parametrize("case", ["not-a-list", "bad-severity"])
def test_bad_claims_file_fails_naming_it(project, case):
    claims = project / "content" / "claims.yaml"
    if case == "not-a-list":
        claims.write_text("phrase: cure\nseverity: error\nreason: overstates\n", encoding="utf-8")
        expected = "content/claims.yaml:1: error:"
    else:
        claims.write_text(claims.read_text(encoding="utf-8")
                          + "- phrase: wonder drug\n  severity: fatal\n  reason: overstates\n", encoding="utf-8")
        expected = f"content/claims.yaml:{line_of(claims, 'wonder drug')}: error:"
    printed = failed(build_cli(project, "--out", str(project / "build")))
    found = lines_with(printed, expected)
    assert found, printed
    if case == "bad-severity":
        assert "'fatal'" in found[0] and "[claims.entry]" in found[0]
    else:
        assert "[claims.yaml]" in found[0]
    assert not (project / "build").exists()

    result, report = check_json(project)
    assert result.exit_code == 1
    assert {d["path"] for d in errors_in(report)} == {"content/claims.yaml"}


def test_risky_phrase_wrapped_across_lines_is_found(project):
    tea(project, "This tea has no side\neffects at all.\n")
    result, report = check_json(project)
    assert result.exit_code == 1
    assert any("no side" in d["message"] for d in diagnostics(report, "claims.error"))


def test_risky_claim_quotes_the_whole_wrapped_sentence(project):
    tea(project, "Some people say that this tea is a\nmiracle drink for you.\n")
    result, report = check_json(project)
    found = diagnostics(report, "claims.error")
    assert len(found) == 1
    assert '"Some people say that this tea is a miracle drink for you."' in found[0]["message"]


# --- 5. medical review ----------------------------------------------------------------------


def test_missing_review_fails_build_and_check(project):
    set_review(project, "required = true")
    printed = failed(build_cli(project, "--out", str(project / "build")))
    found = lines_with(printed, SOURCE, "[review.missing]")
    assert found and "reviewed_by" in found[0] and "reviewed_on" in found[0], printed
    assert not (project / "build").exists()

    printed = failed(check(project))
    assert lines_with(printed, "[review.missing]"), printed
    result, report = check_json(project)
    assert [d["path"] for d in diagnostics(report, "review.missing")] == [SOURCE]


def test_review_without_a_date_names_what_is_missing(project):
    set_review(project, "required = true")
    add_front_matter(project / SOURCE, "reviewed_by: Dr X")
    printed = failed(build_cli(project, "--out", str(project / "build")))
    found = lines_with(printed, SOURCE, "[review.missing]")
    assert found and "reviewed_on" in found[0] and "reviewed_by" not in found[0], printed


@pytest.mark.parametrize("settings, reviewed_on, age, limit", [
    ((), "2025-12-31", 366, 365),
    (("max_age_days = 30",), "2026-12-01", 31, 30),
])
def test_stale_review_fails_with_its_age(project, settings, reviewed_on, age, limit):
    set_review(project, "required = true", *settings)
    add_front_matter(project / SOURCE, f"reviewed_by: Dr X\nreviewed_on: {reviewed_on}")
    line = line_of(project / SOURCE, "reviewed_on:")
    printed = failed(build_cli(project, "--out", str(project / "build")))
    found = lines_with(printed, f"{SOURCE}:{line}: error:", "[review.stale]")
    assert found, printed
    assert f"{age} days old" in found[0]
    assert f"max_age_days = {limit}" in found[0]

    result, report = check_json(project)
    assert result.exit_code == 1
    stale = diagnostics(report, "review.stale")
    assert len(stale) == 1 and stale[0]["line"] == line and f"{age} days" in stale[0]["message"]


@pytest.mark.parametrize("settings, reviewed_on", [((), "2026-01-01"), (("max_age_days = 30",), "2026-12-02")])
def test_review_at_the_age_limit_passes_check(project, settings, reviewed_on):
    set_review(project, "required = true", *settings)
    add_front_matter(project / SOURCE, f"reviewed_by: Dr X\nreviewed_on: {reviewed_on}")
    result, report = check_json(project)
    assert result.exit_code == 0, result.output
    assert not [d for d in report["diagnostics"] if d["code"].startswith("review.")]


def test_fresh_review_builds_and_the_page_shows_it(project):
    set_review(project, "required = true")
    add_front_matter(project / SOURCE, "reviewed_by: Dr Ada Reviewer\nreviewed_on: 2026-12-01")
    out = project / "build"
    ok(build_cli(project, "--out", str(out)))
    page = visible_text(parse_html(out / PAGE))
    assert "Medically reviewed by Dr Ada Reviewer on 1 December 2026." in page
    result, report = check_json(project, "--built", "build")
    assert result.exit_code == 0, result.output
    assert report["ok"] is True


def test_unpublished_article_needs_no_review(project):
    set_review(project, "required = true")
    add_front_matter(project / SOURCE, "reviewed_by: Dr X\nreviewed_on: 2026-12-01")
    write_article(project, "draft-one", GOOD_FRONT_MATTER + "status: draft\n")
    result, report = check_json(project)
    assert result.exit_code == 0, result.output
    assert report["articles"] == [SLUG]


# --- 6. links and images (publish check) ----------------------------------------------------


def test_good_internal_links_pass(project):
    (project / "content" / "cup.png").write_bytes(tiny_png())
    tea(project, "Read [the article](../ketamine-therapy/), its [pain section](../ketamine-therapy/#managing-chronic-pain) "
                 "and [the intro](#intro-section).\n\n## Intro section\n\nText.\n\n![A cup of tea](cup.png)\n")
    result, report = check_json(project)
    assert result.exit_code == 0, result.output
    assert not [d for d in report["diagnostics"] if d["code"].startswith("links.")]
    assert sorted(report["articles"]) == [SLUG, "tea"]


@pytest.mark.parametrize("href", ["../ketamine-therapy/summary/", "../ketamine-therapy/summary.txt",
                                  "../ketamine-therapy/ketamine-therapy.pdf", "summary/", "tea.pdf", "../leaflets/",
                                  "../tags/mental-health/", "../feed.xml", "../index.html"])
def test_links_to_other_outputs_of_the_site_pass(project, href):
    """An article's summary, leaflet and the site's own pages are addresses a build writes too."""
    tea(project, f"See [this]({href}) please.\n")
    result, report = check_json(project)
    assert result.exit_code == 0, result.output
    assert not diagnostics(report, "links.broken")


def test_a_link_to_a_file_of_the_bundle_passes_and_to_a_missing_one_fails(project):
    bundle = project / "content" / "walks"
    bundle.mkdir()
    (bundle / "route.txt").write_text("Left, then right.\n", encoding="utf-8")
    (bundle / "index.md").write_text("---\n" + GOOD_FRONT_MATTER + "---\n[The route](route.txt) and "
                                      "[the map](map.txt).\n", encoding="utf-8")
    result, report = check_json(project)
    assert [d["message"] for d in diagnostics(report, "links.broken")] == [
        "link 'map.txt': no published article has that address (links to articles look like '../other-slug/')"]


@pytest.mark.parametrize("href, why", [("../no-such-article/", "no published article"),
                                       ("#no-such-anchor", "#no-such-anchor"),
                                       ("../ketamine-therapy/#no-such-anchor", "#no-such-anchor")])
def test_broken_link_fails_check_with_file_and_line(project, href, why):
    path = tea(project, f"A line.\n\nSee [this]({href}) please.\n")
    line = line_of(path, href)
    printed = failed(check(project))
    assert lines_with(printed, "content/tea.md"), printed
    assert lines_with(printed, f"  {line}: error: link '{href}'", why, "[links.broken]"), printed
    result, report = check_json(project)
    broken = diagnostics(report, "links.broken")
    assert [(d["path"], d["line"]) for d in broken] == [("content/tea.md", line)]


def test_broken_link_does_not_fail_the_build(project):
    """Links are a `publish check` matter: the build publishes regardless (README)."""
    tea(project, "See [this](../no-such-article/) please.\n")
    ok(build_cli(project, "--out", str(project / "build")))


def test_image_without_alt_text_fails_check(project):
    path = tea(project, "Look:\n\n![](pic.png)\n")
    line = line_of(path, "![](pic.png)")
    printed = failed(check(project))
    assert lines_with(printed, f"  {line}: error: image 'pic.png' has no alt text", "[links.alt]"), printed
    result, report = check_json(project)
    assert [(d["path"], d["line"]) for d in diagnostics(report, "links.alt")] == [("content/tea.md", line)]


def test_external_links_are_listed_and_never_fetched(project, server):
    url = f"http://127.0.0.1:{server.server_address[1]}/page"
    tea(project, f"See [a site](https://example.org/x) and [a local one]({url}).\n")
    printed = ok(check(project))
    heading = printed.index("External links")
    listed = printed[heading:]
    assert "content/tea.md: https://example.org/x" in listed
    assert f"content/tea.md: {url}" in listed

    result, report = check_json(project)
    assert result.exit_code == 0
    assert report["external_links"] == [{"source": "content/tea.md", "url": "https://example.org/x"},
                                        {"source": "content/tea.md", "url": url}]
    assert server.seen == []


# --- 7. --as-of -----------------------------------------------------------------------------


LATER = "2027-01-01T12:00:00Z"


@pytest.mark.parametrize("as_of, listed", [
    ("2027-01-01", False),
    ("2027-01-01T11:59:59Z", False),
    ("2027-01-01T12:00:00Z", True),
    ("2027-01-01T12:59:59+01:00", False),
    ("2027-01-01T13:00:00+01:00", True),
    ("2027-01-01T12:00:00", True),
    ("2027-01-01T11:00:00", False),
])
def test_check_as_of_selects_articles_like_build(project, as_of, listed):
    # A later article with a risky claim: checked only once it is published.
    tea(project, "This tea is a miracle drink.\n", GOOD_FRONT_MATTER.replace("2026-06-01", LATER))
    result, report = check_json(project, "--as-of", as_of)
    assert ("tea" in report["articles"]) is listed
    assert SLUG in report["articles"]
    assert result.exit_code == (1 if listed else 0), result.output
    assert bool(diagnostics(report, "claims.error", "content/tea.md")) is listed
    build = build_cli(project, "--as-of", as_of, "--out", str(project / "build"), "--channel", "html")
    assert build.exit_code == result.exit_code, output_of(build)


def test_check_reads_source_date_epoch_without_as_of(project):
    write_article(project, "later", GOOD_FRONT_MATTER.replace("2026-06-01", LATER))
    result = run_cli(project, "check", "--format", "json", env={"SOURCE_DATE_EPOCH": EPOCH_2027})
    assert result.exit_code == 0, output_of(result)
    assert json.loads(result.stdout)["articles"] == [SLUG]


@pytest.mark.parametrize("bad", ["yesterday", "2027-13-01", "01/01/2027", "2027-02-30"])
def test_malformed_as_of_is_a_usage_error(project, bad):
    result = check(project, "--as-of", bad)
    text = output_of(result)
    assert result.exit_code == 2, text
    assert "Traceback" not in text
    assert "--as-of" in text


def test_bad_source_date_epoch_is_a_clean_error(project):
    result = run_cli(project, "check", env={"SOURCE_DATE_EPOCH": "garbage"})
    text = output_of(result)
    assert result.exit_code in (1, 2), text
    assert "Traceback" not in text
    assert "SOURCE_DATE_EPOCH" in text
