"""Invalid front matter, config and content: exit 1, a 'file:line: error:' diagnostic, no
traceback, and the previous build left exactly as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import (
    build_cli,
    output_of,
    parse_html,
    tree_bytes,
    visible_text,
    write_article,
)

# Line numbers in the file written by write_article(): line 1 is the opening '---'.
TITLE = "title: Bad Article\n"          # line 2
DATE = "date: 2026-06-01\n"             # line 3
AUTHOR = "author: A. Writer\n"          # line 4
DESCRIPTION = "description: A test.\n"  # line 5
BASE = TITLE + DATE + AUTHOR + DESCRIPTION  # an extra key goes on line 6, the closing '---' after


def _good_build(project: Path) -> dict[str, bytes]:
    result = build_cli(project)
    assert result.exit_code == 0, output_of(result)
    before = tree_bytes(project / "build")
    assert "manifest.json" in before
    return before


def _assert_failed_cleanly(project: Path, before: dict[str, bytes], result, where: str | None) -> str:
    text = output_of(result)
    assert "Traceback" not in text, text
    assert result.exit_code == 1, text
    assert "error:" in text, text
    if where:
        assert where in text, text
    assert tree_bytes(project / "build") == before, "a failed build changed the previous output"
    # no staging folder left behind (the leaflet cache, .cache/, is meant to stay)
    leftovers = sorted(p.name for p in project.iterdir() if p.name.startswith(".") and p.name != ".cache")
    assert not leftovers, leftovers
    return text




def case(name, text, line, expected=None, marks=()):
    """A file written verbatim to content/bad.md, the line its diagnostic must name, and text it must contain."""
    return pytest.param(text, line, expected, id=name, marks=marks)


CASES = [
    case("missing-title", "---\n" + DATE + AUTHOR + DESCRIPTION + "---\nText.\n", 1, "'title'"),
    case("missing-date", "---\n" + TITLE + AUTHOR + DESCRIPTION + "---\nText.\n", 1, "'date'"),
    case("missing-author", "---\n" + TITLE + DATE + DESCRIPTION + "---\nText.\n", 1, "'author'"),
    case("missing-description", "---\n" + TITLE + DATE + AUTHOR + "---\nText.\n", 1, "'description'"),
    case("date-yesterday", "---\n" + TITLE + "date: yesterday\n" + AUTHOR + DESCRIPTION + "---\nText.\n", 3, "'date'"),
    case("date-feb-30", "---\n" + TITLE + "date: 2025-02-30\n" + AUTHOR + DESCRIPTION + "---\nText.\n", 3, "'date'"),
    case("unknown-key", "---\n" + TITLE + DATE + "autor: X\n" + DESCRIPTION + "---\nText.\n", 4,
         "did you mean 'author'"),
    case("unknown-disclaimer", "---\n" + BASE + "disclaimers: [no-such-thing]\n---\nText.\n", 6, "no-such-thing"),
    case("slug-with-space", "---\n" + BASE + "slug: Bad Slug\n---\nText.\n", 6, "slug"),
    case("slug-escape", "---\n" + BASE + "slug: ../escape\n---\nText.\n", 6, "slug"),
    case("yaml-unclosed", "---\n" + DATE + AUTHOR + DESCRIPTION + "title: [unclosed\n---\nText.\n", 5, "YAML"),
    case("no-front-matter", "title: Bad Article\n\nText.\n", 1, "front matter"),
    case("unclosed-front-matter", "---\n" + BASE + "\nText.\n", 1, "never closed"),
    case("python-tag", "---\n" + BASE + 'extra: !!python/object/apply:os.system ["echo hi"]\n---\nText.\n', 6),
    case("alias", "---\ntitle: &t Bad Article\n" + DATE + AUTHOR + "description: *t\n---\nText.\n", 5, "alias"),
    case("tab-indent", "---\n" + BASE + "tags:\n\t- one\n---\nText.\n", 7),
]


@pytest.mark.parametrize("text, line, expected", CASES)
def test_invalid_front_matter_fails_cleanly(project, text, line, expected):
    before = _good_build(project)
    (project / "content" / "bad.md").write_text(text, encoding="utf-8")
    result = build_cli(project)
    out = _assert_failed_cleanly(project, before, result, f"content/bad.md:{line}:")
    if expected:
        assert expected in out, out


def test_python_tag_is_not_executed(project, tmp_path):
    before = _good_build(project)
    marker = tmp_path / "pwned"
    write_article(project, "bad", BASE + f'extra: !!python/object/apply:os.system ["touch {marker}"]\n')
    result = build_cli(project)
    _assert_failed_cleanly(project, before, result, "content/bad.md:6:")
    assert not marker.exists()


def test_tab_diagnostic_explains_tabs(project):
    before = _good_build(project)
    write_article(project, "bad", BASE + "tags:\n\t- one\n")
    result = build_cli(project)
    out = _assert_failed_cleanly(project, before, result, "content/bad.md:7:")
    assert "tab" in out.replace("\\t", "").lower(), out


def test_unclosed_flow_sequence_points_at_its_line(project):
    before = _good_build(project)
    write_article(project, "bad", "title: [unclosed\n" + DATE + AUTHOR + DESCRIPTION)
    result = build_cli(project)
    out = _assert_failed_cleanly(project, before, result, None)
    assert "content/bad.md:2: error: front matter is not valid YAML" in out and "[frontmatter.yaml]" in out, out


@pytest.mark.parametrize("key, bad_value", [("description", "5"), ("expires", "soon"), ("updated", "soon")])
def test_invalid_optional_values_fail_cleanly(project, key, bad_value):
    before = _good_build(project)
    write_article(project, "bad", BASE.replace(DESCRIPTION, "") + f"{key}: {bad_value}\n"
                  + ("" if key == "description" else DESCRIPTION))
    result = build_cli(project)
    _assert_failed_cleanly(project, before, result, "content/bad.md:5:")


def test_several_problems_are_reported_in_one_run(project):
    before = _good_build(project)
    write_article(project, "bad", TITLE + "date: yesterday\n" + "autor: X\n" + DESCRIPTION
                  + "disclaimers: [no-such-thing]\n")
    result = build_cli(project)
    out = _assert_failed_cleanly(project, before, result, None)
    for where in ("content/bad.md:3:", "content/bad.md:4:", "content/bad.md:1:"):
        assert where in out, out


# --- disclaimers ----------------------------------------------------------------------------


def test_removing_a_required_disclaimer_fails(project):
    before = _good_build(project)
    write_article(project, "bad", BASE + "disclaimers: [-not-medical-advice]\n")
    result = build_cli(project)
    out = _assert_failed_cleanly(project, before, result, "content/bad.md:6:")
    assert "required" in out and "not-medical-advice" in out


def test_removing_a_disclaimer_that_is_not_a_default_fails(project):
    before = _good_build(project)
    write_article(project, "bad", BASE + "disclaimers: [-crisis-help]\n")
    result = build_cli(project)
    out = _assert_failed_cleanly(project, before, result, "content/bad.md:6:")
    assert "crisis-help" in out


def test_removing_a_non_required_default_works(project):
    note = "This temporary note is shown on every article by default."
    (project / "content" / "disclaimers" / "temp-note.md").write_text(
        "---\ntitle: Temporary note\nshort: A temporary note.\nplain: A temporary note.\n---\n\n" + note + "\n",
        encoding="utf-8")
    config = project / "publish.toml"
    text = config.read_text(encoding="utf-8")
    assert 'default = ["not-medical-advice"]' in text
    config.write_text(text.replace('default = ["not-medical-advice"]', 'default = ["not-medical-advice", "temp-note"]'),
                      encoding="utf-8")
    write_article(project, "without-note", BASE + "disclaimers: [-temp-note]\n")
    result = build_cli(project, "--channel", "html")  # the test is about disclaimers, not leaflet length
    assert result.exit_code == 0, output_of(result)
    manifest = json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))
    ids = {a["slug"]: [d["id"] for d in a["disclaimers"]] for a in manifest["articles"]}
    assert "temp-note" not in ids["without-note"] and "not-medical-advice" in ids["without-note"]
    assert "temp-note" in ids["ketamine-therapy"]
    without = visible_text(parse_html(project / "build" / "site" / "without-note" / "index.html").find("main"))
    with_note = visible_text(parse_html(project / "build" / "site" / "ketamine-therapy" / "index.html").find("main"))
    assert note not in without
    assert note in with_note


# --- publish.toml ---------------------------------------------------------------------------


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def test_unknown_config_key(project):
    before = _good_build(project)
    config = project / "publish.toml"
    text = config.read_text(encoding="utf-8").replace("[site]\n", '[site]\ntitel = "x"\n', 1)
    config.write_text(text, encoding="utf-8")
    result = build_cli(project)
    out = _assert_failed_cleanly(project, before, result, f"publish.toml:{_line_of(text, 'titel')}:")
    assert "did you mean 'title'" in out


def test_unknown_config_section(project):
    before = _good_build(project)
    config = project / "publish.toml"
    text = config.read_text(encoding="utf-8") + "\n[htm]\ntoc = false\n"
    config.write_text(text, encoding="utf-8")
    result = build_cli(project)
    out = _assert_failed_cleanly(project, before, result, f"publish.toml:{_line_of(text, '[htm]')}:")
    assert "[htm]" in out and "did you mean 'html'" in out


# --- content-wide problems ------------------------------------------------------------------


def test_two_articles_with_one_slug(project):
    before = _good_build(project)
    write_article(project, "one", BASE + "slug: same-slug\n")
    write_article(project, "two", BASE + "slug: same-slug\n")
    result = build_cli(project)
    out = _assert_failed_cleanly(project, before, result, None)
    assert "content/one.md" in out and "content/two.md" in out, out
    assert "same-slug" in out


def test_level_one_heading_in_body(project):
    before = _good_build(project)
    # closing '---' is line 6; body: 7 'Intro.', 8 '', 9 '# Heading'
    write_article(project, "bad", BASE, "Intro.\n\n# Heading\n\nMore text.\n")
    result = build_cli(project)
    _assert_failed_cleanly(project, before, result, "content/bad.md:9:")


def test_heading_inside_code_fence_is_fine(project):
    write_article(project, "fenced", BASE, "Intro.\n\n```\n# not a heading\n```\n")
    result = build_cli(project)
    assert result.exit_code == 0, output_of(result)
    page = parse_html(project / "build" / "site" / "fenced" / "index.html")
    assert len(page.find_all("h1")) == 1


def test_raw_html_h1_in_body_is_refused_with_its_line(project):
    write_article(project, "raw", BASE, "Intro.\n\n<h1>Second title</h1>\n\nMore text.\n")
    result = build_cli(project)
    assert result.exit_code == 1, output_of(result)  # refused with its line, as a Markdown '# ' would be
    assert "content/raw.md:9: error: a level-1 heading in the body" in output_of(result)
    assert "[body.h1]" in output_of(result)
    assert not (project / "build" / "site" / "raw" / "index.html").exists()
