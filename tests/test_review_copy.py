"""`publish review SLUG`: the Word review copy, read back with pandoc as a reviewer's Word would
open it: every sentence of the article, every disclaimer in full, one comment per claims finding
at its sentence, numbered paragraphs and the fingerprint that `publish approve` records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypandoc
import pytest

from conftest import AS_OF, build_cli, copy_repo, failed, normalise, ok, run_cli, write_article

from publisher.readability import split_sentences

SLUG = "ketamine-therapy"
COPY = f"build/review/{SLUG}.docx"


def _plain(markdown: str) -> str:
    return pypandoc.convert_text(markdown, "plain", format="markdown", extra_args=["--wrap=none", "--sandbox"])


def _docx_text(path: Path) -> str:
    return normalise(pypandoc.convert_file(str(path), "plain", format="docx",
                                           extra_args=["--wrap=none", "--sandbox", "--track-changes=accept"]))


def _inlines(node):
    """Every inline element of a pandoc JSON tree, in document order."""
    if isinstance(node, dict):
        if node.get("t") in ("Str", "Space", "SoftBreak", "LineBreak", "Span", "Strong", "Emph", "Code", "Link"):
            yield node
        if node.get("t") == "Span" and "comment-start" in node["c"][0][1]:
            return  # the comment's own words are not the document's
        for value in node.values():
            yield from _inlines(value)
    elif isinstance(node, list):
        for value in node:
            yield from _inlines(value)


def _comments(path: Path) -> list[tuple[str, str, str]]:
    """(author, comment text, commented text) of each Word comment in the file."""
    tree = json.loads(pypandoc.convert_file(str(path), "json", format="docx",
                                            extra_args=["--sandbox", "--track-changes=all"]))
    found, open_ = [], {}
    for node in _inlines(tree["blocks"]):
        if node["t"] == "Span":
            (ident, classes, attributes), content = node["c"]
            attributes = dict(attributes)
            if "comment-start" in classes:
                open_[attributes["id"]] = [attributes.get("author"), pypandoc_text(content), []]
            elif "comment-end" in classes:
                author, text, words = open_.pop(attributes["id"])
                found.append((author, text, "".join(words)))
        elif node["t"] in ("Str", "Space", "SoftBreak"):
            for record in open_.values():
                record[2].append(node["c"] if node["t"] == "Str" else " ")
    return found


def pypandoc_text(content) -> str:
    return "".join(n["c"] if n["t"] == "Str" else " " for n in _inlines({"c": content})
                   if n["t"] in ("Str", "Space", "SoftBreak"))


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "proj")


def test_the_review_copy_holds_every_sentence_disclaimer_and_finding(proj):
    said = ok(run_cli(proj, "review", SLUG, "--as-of", AS_OF))
    assert "2 claims findings as comments" in said
    copy = proj / COPY
    text = _docx_text(copy)
    source = (proj / f"content/{SLUG}.md").read_text(encoding="utf-8")
    body = source.split("\n---\n", 1)[1]
    for sentence in split_sentences(_plain(body)):
        assert normalise(sentence) in text, sentence
    for name in ("not-medical-advice", "ketamine-off-label", "crisis-help"):
        disclaimer = (proj / f"content/disclaimers/{name}.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for sentence in split_sentences(_plain(disclaimer)):
            assert normalise(sentence) in text, sentence
    assert "Ketamine was first made as a medicine for surgery." in text  # the plain summary
    assert re.search(r"¶1 The Potential Benefits of Ketamine Therapy ¶2 An overview", text)

    findings = [line for line in ok(run_cli(proj, "check", "--as-of", AS_OF)).splitlines() if "[claims." in line]
    comments = _comments(copy)
    assert len(comments) == len(findings) == 2
    assert all(author == "publish check" for author, _, _ in comments)
    assert "risky claim 'breakthrough'" in comments[0][1]
    assert normalise(comments[0][2]) == ("This breakthrough has brought hope to those who have been suffering "
                                         "from severe depression with limited treatment options.")
    assert normalise(comments[1][2]).startswith("Ketamine therapy holds immense promise as a groundbreaking")


def test_the_sign_off_carries_the_fingerprint_that_approve_records(proj):
    ok(run_cli(proj, "review", SLUG, "--as-of", AS_OF))
    text = _docx_text(proj / COPY)
    fingerprint = re.search(r"Content fingerprint: (sha256:[0-9a-f]{64})", text).group(1)
    assert re.search(r"Role Name Signature Date [- ]+ medical ", text)  # the sign-off table
    said = ok(run_cli(proj, "approve", SLUG, "--role", "medical", "--by", "Dr A. Reviewer", "--as-of", AS_OF))
    assert fingerprint in said


def test_findings_in_the_front_matter_are_commented_where_they_are(proj):
    write_article(proj, "cure-talk", "title: A Cure for Worry\ndate: 2026-06-01\nauthor: A\n"
                  "description: Is there a cure? Read on.\nstatus: draft\n", "## Part\n\nNo cure is known.\n")
    ok(run_cli(proj, "review", "cure-talk", "--as-of", AS_OF))
    comments = _comments(proj / "build/review/cure-talk.docx")
    assert [normalise(words) for _, _, words in comments] == ["A Cure for Worry", "Is there a cure?",
                                                              "No cure is known."]


def test_the_copy_is_reproducible_and_builds_keep_it(proj):
    ok(run_cli(proj, "review", SLUG, "--as-of", AS_OF))
    first = (proj / COPY).read_bytes()
    ok(run_cli(proj, "review", SLUG, "--as-of", AS_OF))
    assert (proj / COPY).read_bytes() == first
    ok(build_cli(proj, "--channel", "html"))  # the review folder alone is no foreign folder, and is kept
    assert (proj / COPY).read_bytes() == first
    ok(build_cli(proj, "--channel", "rss"))
    assert (proj / COPY).is_file()


def test_review_of_an_unknown_article(proj):
    text = failed(run_cli(proj, "review", "nope"))
    assert "no article has the slug 'nope'" in text
    assert not (proj / "build").exists()
