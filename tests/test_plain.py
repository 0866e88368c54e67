"""Plain-language checks ([plain]): a fixture with known properties gives exactly the expected
findings, each at its line; levels and limits come from publish.toml; the repository's sample
gives the warnings the README lists."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, FIXTURES, REPO, copy_repo, run_cli

FIXTURE = FIXTURES / "plain"
SOURCE = "content/looking-after-a-cut.md"


def _project(tmp_path: Path, config: str = "") -> Path:
    proj = tmp_path / "proj"
    (proj / "content").mkdir(parents=True)
    shutil.copy(FIXTURE / "article.md", proj / SOURCE)
    shutil.copy(FIXTURE / "glossary.yaml", proj / "content" / "glossary.yaml")
    (proj / "publish.toml").write_text("[review]\nrequired = false\n" + config, encoding="utf-8")
    return proj


def _findings(proj: Path) -> tuple[int, list[tuple[int, str, str]]]:
    """(exit code, (line, code, severity) of each plain.* finding) of ``publish check --format json``."""
    result = run_cli(proj, "check", "--format", "json", "--as-of", AS_OF)
    report = json.loads(result.stdout)
    return result.exit_code, [(d["line"], d["code"], d["severity"]) for d in report["diagnostics"]
                              if d["code"].startswith("plain.")]


def _line(text: str) -> int:
    return next(n for n, line in enumerate((FIXTURE / "article.md").read_text(encoding="utf-8").split("\n"), 1)
                if text in line)


def test_a_fixture_with_known_properties_gives_exactly_the_expected_findings(tmp_path):
    code, found = _findings(_project(tmp_path))
    assert code == 0  # every check is a warning by default
    assert _line("Rinse the cut") == 13 and len((FIXTURE / "article.md").read_text().split("\n")[12].split()) == 40
    assert found == sorted([
        (_line("plain_summary:"), "plain.action", "warning"),  # no 'you', no instruction
        (_line("This summary is about"), "plain.main-message", "warning"),
        (_line("About 15%"), "plain.numbers", "warning"),
        (_line("A plaster is put on"), "plain.passive", "warning"),  # 1 of 3 summary sentences: over 10 %
        (_line("Rinse the cut"), "plain.long-sentence", "warning"),  # 40 words, over 25
        (_line("The cut was cleaned"), "plain.passive", "warning"),  # 3 of 7 article sentences: over 25 %
        (_line("The cut was cleaned"), "plain.jargon", "warning"),  # 'dressing', not explained
        (_line("Your GP can help"), "plain.abbreviation", "warning"),
        (_line("Bring your plasters"), "plain.inline-list", "warning"),
    ], key=lambda f: f[0])


def test_the_messages_say_what_to_do(tmp_path):
    proj = _project(tmp_path)
    text = run_cli(proj, "check", "--as-of", AS_OF).output
    assert f"{_line('Rinse the cut')}: warning: a sentence of 40 words in the article (over 25)" in text
    assert "3 of 7 sentences in the article (43%) are in the passive voice (over 25%)" in text
    assert "the article uses 'GP' without spelling it out at first use" in text
    assert "a list of 4 items run into a sentence in the article" in text and "make it a bulleted list" in text
    assert "the summary asks the reader to read a percentage or do a sum ('15%'" in text
    assert "the summary uses" not in text  # the summary has no glossary term


def test_levels_and_limits_come_from_publish_toml(tmp_path):
    proj = _project(tmp_path, "[plain]\nlong_sentences = \"error\"\nlong_sentence_words = 45\nabbreviations = \"off\"\n"
                              "summary_numbers = \"error\"\nknown_abbreviations = []\n")
    code, found = _findings(proj)
    assert code == 1
    assert (_line("About 15%"), "plain.numbers", "error") in found
    assert not [f for f in found if f[1] in ("plain.long-sentence", "plain.abbreviation")]  # 40 <= 45; off
    proj2 = _project(tmp_path / "two", '[plain]\nknown_abbreviations = ["GP"]\nlong_sentences = "loud"\n')
    result = run_cli(proj2, "check", "--as-of", AS_OF)
    assert result.exit_code == 1 and "long_sentences" in result.output and "[config.plain" in result.output


def test_findings_kept_between_runs_follow_the_text_the_settings_and_the_glossary(tmp_path):
    """The findings are kept between runs (.cache/publisher/plain.pack): a second run gives the
    same ones, and a changed limit, glossary or article gives its own, never the kept ones."""
    proj = _project(tmp_path)
    first = _findings(proj)
    assert (proj / ".cache/publisher/plain.pack").is_file()
    assert _findings(proj) == first

    def codes() -> set[str]:
        return {code for _, code, _ in _findings(proj)[1]}

    assert {"plain.long-sentence", "plain.jargon", "plain.inline-list"} <= codes()
    config = proj / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8") + "[plain]\nlong_sentence_words = 45\n", encoding="utf-8")
    assert "plain.long-sentence" not in codes()
    (proj / "content/glossary.yaml").write_text("suture: a stitch\n", encoding="utf-8")  # a word it never uses
    assert "plain.jargon" not in codes()
    article = proj / SOURCE
    article.write_text(article.read_text(encoding="utf-8").replace(
        "Bring your plasters, your tape, your scissors, and your notes.", "Bring what you need."), encoding="utf-8")
    assert "plain.inline-list" not in codes()
    shutil.rmtree(proj / ".cache")
    assert _findings(proj)[1] == _findings(proj)[1]  # afresh, then kept: the same


def test_a_summary_of_instructions_addresses_the_reader(tmp_path):
    proj = _project(tmp_path)
    article = proj / SOURCE
    article.write_text(article.read_text(encoding="utf-8").replace("This summary is about small cuts.",
                                                                   "Wash the cut with clean water."), encoding="utf-8")
    _, found = _findings(proj)
    assert not [f for f in found if f[1] in ("plain.action", "plain.main-message")]


def sample_warnings_in_readme() -> list[str]:
    """The lines of the README's list of the sample's plain-language warnings: 'line: code'."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- sample plain-language warnings -->", 2)[1]
    return re.findall(r"^- line (\d+): `(plain\.[a-z-]+)`", block, re.M)


def test_the_samples_warnings_are_those_the_readme_lists(tmp_path):
    proj = copy_repo(tmp_path / "proj")
    result = run_cli(proj, "check", "--format", "json", "--as-of", AS_OF)
    report = json.loads(result.stdout)
    found = [(str(d["line"]), d["code"]) for d in report["diagnostics"] if d["code"].startswith("plain.")]
    assert found == sample_warnings_in_readme()


def test_body_checks_kept_between_runs_follow_the_body_its_line_and_its_file(tmp_path):
    """The body's bounds checks are kept too (.cache/publisher/bounds.pack): a finding moves with
    the body's first line and the file's name, and goes when the body is fixed."""
    proj = _project(tmp_path)
    article = proj / SOURCE
    text = article.read_text(encoding="utf-8")
    body_start = text.index("\n---\n", 4) + 5
    article.write_text(text[:body_start] + "# A second title\n\n" + text[body_start:], encoding="utf-8")

    def h1() -> list[tuple[str, int]]:
        result = run_cli(proj, "check", "--format", "json", "--as-of", AS_OF)
        return [(d["path"], d["line"]) for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "body.h1"]

    first = h1()
    assert len(first) == 1 and first[0][0] == SOURCE
    assert (proj / ".cache/publisher/bounds.pack").is_file()
    assert h1() == first  # kept: the same
    article.write_text(article.read_text(encoding="utf-8").replace("---\n", "---\nlang: en\n", 1), encoding="utf-8")
    assert h1() == [(SOURCE, first[0][1] + 1)]
    moved = article.with_name("renamed.md")
    article.rename(moved)
    assert h1() == [(moved.relative_to(proj).as_posix(), first[0][1] + 1)]
    moved.write_text(moved.read_text(encoding="utf-8").replace("# A second title\n", "## A section\n"), encoding="utf-8")
    assert h1() == []
