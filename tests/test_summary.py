"""The ``summary`` channel: a plain-language page and text per article, readability-gated,
and ``publish summarize``, which drafts a summary from the article's own sentences.

Readability is measured here with textstat directly, on the text a reader gets (the built .txt
or page), never with the project's own helpers.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import textstat
import yaml
from conftest import (
    REPO,
    build_cli,
    copy_repo,
    failed,
    normalise,
    ok,
    parse_html,
    run_cli,
    tree_bytes,
    visible_text,
    write_article,
)
from packaging.version import Version

SLUG = "ketamine-therapy"
TITLE = "The Potential Benefits of Ketamine Therapy"
SUMMARY_HTML = f"site/{SLUG}/summary/index.html"
SUMMARY_TXT = f"site/{SLUG}/summary.txt"
ARTICLE_HTML = f"site/{SLUG}/index.html"
DISCLAIMER_IDS = ["not-medical-advice", "ketamine-off-label", "crisis-help"]
TXT_WIDTH = 72

# A summary written at about grade 12: long sentences, some long words (textstat: ~11.9).
GRADE_12_SENTENCES = [
    ("Doctors have studied whether ketamine, given through a vein, can bring real relief to people whose "
     "depression did not improve with other medicines."),
    ("Early results suggest that many patients feel better within hours, although longer studies are still "
     "needed before doctors can make firm plans."),
    ("Anyone who is thinking about this treatment should talk about the benefits, the side effects and the "
     "checks with an experienced doctor."),
    ("The cost of repeated sessions and the insurance cover also vary a lot between countries, clinics and "
     "personal needs."),
]

# Short, easy sentences: an article the generator can draft a summary from.
SIMPLE_BODY = """\
Ketamine is a medicine that doctors use in surgery. It can also help some people with low mood. Some clinics now give it for pain too.

## How it is given

A nurse gives the drug through a small tube in the arm. The visit takes about two hours. Most people go home the same day.

## What we still do not know

We do not know how well it works over many years. More studies will help answer this question.
"""


# --- helpers ----------------------------------------------------------------------------------


def front_matter(title: str, *extra: str) -> str:
    return (f"title: {title}\ndate: 2026-06-01\nauthor: A. Writer\ndescription: A test article.\n"
            + "".join(line + "\n" for line in extra))


def plain_summary_block(text: str) -> str:
    return "plain_summary: |-\n" + "".join(f"  {line}\n" if line.strip() else "\n" for line in text.split("\n"))


def split_document(path: Path) -> tuple[dict, str]:
    """(front matter, Markdown body) of an article or disclaimer file."""
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def disclaimer(did: str) -> tuple[dict, str]:
    return split_document(REPO / "content" / "disclaimers" / f"{did}.md")


def full_text(body: str) -> str:
    """A disclaimer's Markdown body as a reader sees it: no emphasis marks, whitespace folded."""
    return normalise(body.replace("**", ""))


def sentences_of(text: str) -> list[str]:
    """Sentences of plain text ('- ' bullets removed), whitespace and quotes normalised."""
    text = re.sub(r"(?m)^\s*(?:[-*•]|\d+\.)\s+", "", text)
    return [s for s in re.split(r"(?<=[.!?])\s+", normalise(text)) if s]


def txt_parts(txt: str) -> tuple[list[str], str, str]:
    """(header lines, summary text, IMPORTANT part) of a summary .txt."""
    header, _, rest = txt.partition("\n\n")
    summary, marker, important = rest.partition("\nIMPORTANT\n")
    assert marker, f"no IMPORTANT line in:\n{txt}"
    return header.splitlines(), summary, important


def readable(summary_text: str) -> str:
    """The summary's words as one text for textstat: bullets removed, whitespace folded."""
    return " ".join(sentences_of(summary_text))


def target(page: Path, href: str) -> Path | None:
    """The local file an href on ``page`` points at (None for other sites)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = parts.path + ("index.html" if parts.path.endswith("/") else "")
    return (page.parent / path).resolve()


def links_to(page: Path, wanted: Path) -> list[str]:
    soup = parse_html(page)
    return [a["href"] for a in soup.find_all("a", href=True) if target(page, a["href"]) == wanted.resolve()]


def main_text(soup) -> str:
    return visible_text(soup.find("main") or soup.body)


def load_glossary() -> dict[str, str]:
    data = yaml.safe_load((REPO / "content" / "glossary.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data
    return data


def matcher(sentence: str, glossary: dict[str, str]) -> re.Pattern:
    """A pattern for ``sentence`` as the article wrote it: each glossary plain phrase may stand
    for its term (the draft swapped it in); case-insensitive, quotes and whitespace normalised."""
    by_plain: dict[str, list[str]] = {}
    for term, plain in glossary.items():
        by_plain.setdefault(normalise(plain).lower(), []).append(normalise(term))
    phrases = sorted(by_plain, key=len, reverse=True)
    finder = re.compile(r"(?<![\w-])(" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])", re.IGNORECASE)
    parts, last = [], 0
    sentence = normalise(sentence)
    for m in finder.finditer(sentence):
        parts.append(re.escape(sentence[last:m.start()]))
        options = [m.group(0)] + by_plain[m.group(0).lower()]
        parts.append("(?:" + "|".join(re.escape(o) for o in options) + ")")
        last = m.end()
    parts.append(re.escape(sentence[last:]))
    return re.compile("".join(parts), re.IGNORECASE)


def body_sections(body: str) -> list[str]:
    """Normalised plain text of the intro and of each '##' section of a Markdown body."""
    found = [[]]
    for line in body.split("\n"):
        if re.match(r"^##\s", line):
            found.append([])
        else:
            found[-1].append(line)
    texts = [normalise("\n".join(lines).replace("**", "")) for lines in found]
    return [t for t in texts if t]


def set_summary_option(project: Path, key: str, value: str) -> None:
    config = project / "publish.toml"
    text = config.read_text(encoding="utf-8")
    new, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
    assert count == 1, f"{key} not found once in publish.toml"
    config.write_text(new, encoding="utf-8")


# --- 1. the repository's ketamine summary -----------------------------------------------------


@pytest.fixture(scope="module")
def repo_build(tmp_path_factory):
    """(project, out) for `build --channel summary --channel html` of the repository's content,
    with its own publish.toml (auto = false)."""
    base = tmp_path_factory.mktemp("summary-repo")
    proj = copy_repo(base / "proj")
    out = base / "out"
    ok(build_cli(proj, "--channel", "summary", "--channel", "html", "--out", str(out)))
    return proj, out


@pytest.fixture(scope="module")
def summary_only(tmp_path_factory):
    base = tmp_path_factory.mktemp("summary-only")
    proj = copy_repo(base / "proj")
    out = base / "out"
    ok(build_cli(proj, "--channel", "summary", "--out", str(out)))
    return proj, out


@pytest.fixture(scope="module")
def repo_summary() -> str:
    data, _ = split_document(REPO / "content" / f"{SLUG}.md")
    return data["plain_summary"]


@pytest.mark.parametrize("which", ["summary_only", "repo_build"])
def test_summary_files_and_manifest(which, request):
    _, out = request.getfixturevalue(which)
    assert (out / SUMMARY_HTML).is_file()
    assert (out / SUMMARY_TXT).is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    record = next(a for a in manifest["articles"] if a["slug"] == SLUG)
    assert record["outputs"]["summary_html"] == SUMMARY_HTML
    assert record["outputs"]["summary_text"] == SUMMARY_TXT
    assert record["summary_source"] == "authored"


def test_txt_summary_is_readable(summary_only, repo_summary):
    _, out = summary_only
    _, summary, _ = txt_parts((out / SUMMARY_TXT).read_text(encoding="utf-8"))
    text = readable(summary)
    # the .txt holds the authored summary, every sentence of it
    assert sentences_of(summary) == sentences_of(repo_summary)
    grade = textstat.flesch_kincaid_grade(text)
    words = textstat.lexicon_count(text)
    smog = textstat.smog_index(text)
    print(f"ketamine plain summary: Flesch-Kincaid grade {grade:.2f}, SMOG {smog:.2f}, {words} words")
    assert grade <= 6.0
    assert words <= 200
    assert isinstance(smog, (int, float)) and math.isfinite(smog)


def test_page_summary_is_readable(summary_only, repo_summary):
    _, out = summary_only
    soup = parse_html(out / SUMMARY_HTML)
    shown = main_text(soup)
    for sentence in sentences_of(repo_summary):
        assert sentence in shown
    text = " ".join(sentences_of(repo_summary))
    assert textstat.flesch_kincaid_grade(text) <= 6.0
    assert textstat.lexicon_count(text) <= 200


def test_txt_lines_fit_72_columns(summary_only):
    _, out = summary_only
    lines = (out / SUMMARY_TXT).read_text(encoding="utf-8").splitlines()
    too_long = [line for line in lines if len(line) > TXT_WIDTH]
    assert not too_long


def test_txt_summary_part_fits_72_columns(summary_only):
    """The header and summary part (pandoc-wrapped) keep within 72 columns."""
    _, out = summary_only
    header, summary, _ = txt_parts((out / SUMMARY_TXT).read_text(encoding="utf-8"))
    assert all(len(line) <= TXT_WIDTH for line in header + summary.splitlines())


def test_txt_long_title_fits_72_columns(project):
    title = "What Recent Studies Say About Ketamine Treatment for Long-Lasting Depression in Adults"
    assert len(title) > TXT_WIDTH
    write_article(project, "long-title", front_matter(title, plain_summary_block("Ketamine may help some people.")),
                  SIMPLE_BODY)
    ok(build_cli(project, "--channel", "summary"))
    lines = (project / "build" / "site" / "long-title" / "summary.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if len(line) > TXT_WIDTH] == []


def test_txt_holds_title_and_disclaimers(summary_only):
    _, out = summary_only
    txt = (out / SUMMARY_TXT).read_text(encoding="utf-8")
    header, _, important = txt_parts(txt)
    # the title heads the file (the layout upper-cases it)
    assert normalise(header[0]).casefold() == TITLE.casefold()
    for did in DISCLAIMER_IDS:
        plain = normalise(disclaimer(did)[0]["plain"])
        assert plain in normalise(important), did


def test_page_title_summary_and_disclaimers(summary_only):
    _, out = summary_only
    soup = parse_html(out / SUMMARY_HTML)
    h1s = soup.find_all("h1")
    assert len(h1s) == 1
    assert visible_text(h1s[0]) == TITLE
    shown = main_text(soup)
    data, _ = split_document(REPO / "content" / f"{SLUG}.md")
    summary = sentences_of(data["plain_summary"])
    first, last = shown.index(summary[0]), shown.index(summary[-1])
    for did in DISCLAIMER_IDS:
        meta, body = disclaimer(did)
        plain, full = normalise(meta["plain"]), full_text(body)
        assert plain in shown, did
        assert full in shown, did
        if meta.get("placement", "bottom") == "top":
            assert shown.index(full) < first and shown.index(plain) < first, did
        else:
            assert shown.index(full) > last and shown.index(plain) > last, did


def test_summary_only_page_has_no_broken_links(summary_only):
    _, out = summary_only
    page = out / SUMMARY_HTML
    for a in parse_html(page).find_all("a", href=True):
        path = target(page, a["href"])
        if path is not None and not a["href"].startswith("#"):
            assert path.is_file(), a["href"]


def test_summary_and_article_pages_link_each_other(repo_build):
    _, out = repo_build
    summary_page, article_page = out / SUMMARY_HTML, out / ARTICLE_HTML
    assert links_to(summary_page, article_page), "the summary page does not link to the article"
    assert links_to(article_page, summary_page), "the article page does not link to the summary"


# --- 2. no download ---------------------------------------------------------------------------

NO_NETWORK = textwrap.dedent("""\
    import sys

    BLOCKED = {"socket.connect", "socket.getaddrinfo", "urllib.Request"}

    def hook(event, args):
        if event in BLOCKED:
            raise RuntimeError(f"network access attempted: {event} {args!r}")

    sys.addaudithook(hook)
    """)


def test_no_download_when_building_or_measuring(project, tmp_path):
    script = tmp_path / "offline.py"
    script.write_text(NO_NETWORK + textwrap.dedent("""\
        import publisher, textstat
        report = publisher.build(sys.argv[1], sys.argv[2], channels=["summary"], as_of="2027-01-01")
        assert report.outputs.get("summary"), report.outputs
        grade = textstat.flesch_kincaid_grade("The cat sat on the mat. It was warm and the sun was out.")
        assert isinstance(grade, float)
        print("ok", grade)
        """), encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(script), str(project), str(out)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / SUMMARY_TXT).is_file()


def test_network_guard_catches_a_lookup(tmp_path):
    """The audit hook above does stop a network look-up (so the test above means something)."""
    script = tmp_path / "guard.py"
    script.write_text(NO_NETWORK + "import socket\nsocket.getaddrinfo('example.org', 80)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "network access attempted" in done.stderr


def test_textstat_is_pinned_below_0_7_9():
    assert Version(importlib.metadata.version("textstat")) < Version("0.7.9")


# --- 3. the readability gate ------------------------------------------------------------------


def write_grade_12(project: Path) -> str:
    text = "\n\n".join(GRADE_12_SENTENCES)
    write_article(project, "hard-summary", front_matter("A Hard Summary", plain_summary_block(text)), SIMPLE_BODY)
    return text


def test_grade_12_test_summary_is_grade_12():
    """The test data is what it claims to be (measured with textstat)."""
    grade = textstat.flesch_kincaid_grade(" ".join(GRADE_12_SENTENCES))
    assert 11.0 <= grade <= 11.95


def test_hard_summary_fails_and_keeps_previous_build(project, tmp_path):
    out = tmp_path / "out"
    ok(build_cli(project, "--channel", "summary", "--out", str(out)))
    before = tree_bytes(out)
    siblings = sorted(p.name for p in tmp_path.iterdir())
    write_grade_12(project)
    text = failed(build_cli(project, "--channel", "summary", "--out", str(out)))
    assert "content/hard-summary.md" in text
    match = re.search(r"Flesch-Kincaid grade (\d+(?:\.\d+)?)", text)
    assert match, text
    assert float(match.group(1)) > 8
    words = textstat.lexicon_count(" ".join(GRADE_12_SENTENCES))
    assert f"{words} words" in text
    graded = sorted(GRADE_12_SENTENCES, key=lambda s: -textstat.flesch_kincaid_grade(s))
    for sentence in graded[:3]:
        assert sentence in text
    assert graded[3] not in text  # three hardest, not every sentence
    assert "Early results suggest that many patients feel better within hours" in text
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings  # no staging folder left behind


def test_max_words_limit(project):
    set_summary_option(project, "max_words", "20")
    text = ("Ketamine is a drug. Doctors use it in surgery. It may help low mood. "
            "It may help some pain. Ask your doctor if it is right for you.")
    words = textstat.lexicon_count(text)
    assert words > 20
    assert textstat.flesch_kincaid_grade(text) <= 8
    write_article(project, "wordy", front_matter("A Wordy Summary", plain_summary_block(text)), SIMPLE_BODY)
    out = failed(build_cli(project, "--channel", "summary"))
    mine = [line for line in out.splitlines() if "content/wordy.md" in line]
    assert mine, out
    assert f"{words} words" in mine[0]
    assert not (project / "build").exists()


def test_max_grade_12_lets_grade_12_summary_pass(project):
    set_summary_option(project, "max_grade", "12.0")
    write_grade_12(project)
    ok(build_cli(project, "--channel", "summary"))
    txt = (project / "build" / "site" / "hard-summary" / "summary.txt").read_text(encoding="utf-8")
    _, summary, _ = txt_parts(txt)
    assert sentences_of(summary) == [normalise(s) for s in GRADE_12_SENTENCES]
    grade = textstat.flesch_kincaid_grade(readable(summary))
    assert 8 < grade <= 12.0


# --- 4. glossary warning ----------------------------------------------------------------------


def test_glossary_term_in_summary_warns(project):
    glossary = load_glossary()
    text = "Ketamine may help neuroplasticity. It is a drug that doctors use."
    write_article(project, "jargon", front_matter("Some Jargon", plain_summary_block(text)), SIMPLE_BODY)
    result = build_cli(project, "--channel", "summary")
    ok(result)
    warned = [line for line in result.output.splitlines() if "neuroplasticity" in line]
    assert warned, result.output
    assert "warning" in warned[0].lower()
    assert "content/jargon.md" in warned[0]
    assert normalise(glossary["neuroplasticity"]) in normalise(warned[0])
    assert (project / "build" / "site" / "jargon" / "summary.txt").is_file()


# --- 5. publish summarize ---------------------------------------------------------------------


def draft_bullets(stdout: str) -> list[str]:
    return [line[2:].strip() for line in stdout.splitlines() if line.startswith("- ")]


def test_summarize_prints_a_draft_from_the_article(project):
    result = run_cli(project, "summarize", SLUG)
    ok(result)
    bullets = draft_bullets(result.stdout)
    assert bullets, result.output
    assert re.search(r"Flesch-Kincaid grade \d+(\.\d+)?", result.output)
    assert re.search(r"\b\d+ words\b", result.output)
    assert "SMOG" in result.output
    glossary = load_glossary()
    _, body = split_document(project / "content" / f"{SLUG}.md")
    whole = normalise(body.replace("**", ""))
    sentences = [s for b in bullets for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", b)]
    for sentence in sentences:
        assert matcher(sentence, glossary).search(whole), f"not in the article: {sentence!r}"
    sections = body_sections(body)
    assert len(sections) == 6  # intro and five '##' sections
    for number, section in enumerate(sections):
        assert any(matcher(b, glossary).search(section) for b in bullets), f"no sentence from section {number}"


def test_summarize_figures_match_the_draft(project):
    result = run_cli(project, "summarize", SLUG)
    ok(result)
    text = " ".join(draft_bullets(result.stdout))
    match = re.search(r"Flesch-Kincaid grade (\d+(?:\.\d+)?).*?(\d+) words", result.output)
    assert match, result.output
    assert abs(float(match.group(1)) - textstat.flesch_kincaid_grade(text)) <= 0.15
    assert int(match.group(2)) == textstat.lexicon_count(text)


def test_summarize_unknown_slug(project):
    result = run_cli(project, "summarize", "no-such-slug")
    text = failed(result)
    assert "no-such-slug" in text


# --- 6. summarize --write ---------------------------------------------------------------------

UNUSUAL_FRONT_MATTER = """\
# a comment
tags: [ketamine, mood]   # a comment after a value
description: >-
  A short article about ketamine,
  for the tests.
# a comment between keys
author: A. Writer
date: 2026-06-01
title: How Ketamine Is Given
# a comment before the end
"""


def without_block(text: str) -> tuple[str, list[str]]:
    """The file with its 'plain_summary: |-' block taken out, and the block's lines."""
    lines = text.split("\n")
    start = lines.index("plain_summary: |-")
    end = start + 1
    while end < len(lines) and (lines[end].startswith("  ") or not lines[end].strip()) and lines[end] != "---":
        end += 1
    while end - 1 > start and not lines[end - 1].strip():  # a trailing blank line is not the block's
        end -= 1
    return "\n".join(lines[:start] + lines[end:]), lines[start:end]


def test_summarize_write_changes_only_plain_summary(project):
    path = write_article(project, "given", UNUSUAL_FRONT_MATTER, SIMPLE_BODY)
    original = path.read_bytes()

    result = run_cli(project, "summarize", "given", "--write")
    ok(result)
    draft = result.stdout.strip()
    assert draft_bullets(draft)
    written = path.read_bytes()
    rest, block = without_block(written.decode("utf-8"))
    assert rest.encode("utf-8") == original
    assert len(block) == 1 + len(draft.split("\n"))
    data, _ = split_document(path)
    assert data["plain_summary"] == draft
    assert data["title"] == "How Ketamine Is Given"

    # a second --write refuses to replace it
    again = run_cli(project, "summarize", "given", "--write")
    assert "--force" in failed(again)
    assert path.read_bytes() == written

    # an author edits it; --force replaces the block, and nothing else
    edited = written.decode("utf-8").replace(
        "\n".join(block), "plain_summary: |-\n  An edited summary.\n\n  It has two paragraphs.")
    path.write_bytes(edited.encode("utf-8"))
    assert split_document(path)[0]["plain_summary"] == "An edited summary.\n\nIt has two paragraphs."
    forced = run_cli(project, "summarize", "given", "--write", "--force")
    ok(forced)
    assert forced.stdout.strip() == draft
    rest, _ = without_block(path.read_text(encoding="utf-8"))
    assert rest.encode("utf-8") == original
    assert split_document(path)[0]["plain_summary"] == draft

    # and the article now builds with its (authored) summary, even with auto = false
    set_summary_option(project, "auto", "false")
    ok(build_cli(project, "--channel", "summary"))
    manifest = json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))
    record = next(a for a in manifest["articles"] if a["slug"] == "given")
    assert record["summary_source"] == "authored"


def test_summarize_force_replaces_a_summary_in_the_middle(project):
    """An authored plain_summary between other keys: --force swaps that block only."""
    head = front_matter("Middle Summary").replace(
        "author:", plain_summary_block("Old words here.\n\n- One point.\n- Another point.") + "author:")
    path = write_article(project, "middle", head + "# closing comment\n", SIMPLE_BODY)
    original = path.read_text(encoding="utf-8")
    result = run_cli(project, "summarize", "middle", "--write", "--force")
    ok(result)
    draft = result.stdout.strip()
    new = path.read_text(encoding="utf-8")
    old_block = plain_summary_block("Old words here.\n\n- One point.\n- Another point.")
    assert new == original.replace(old_block, plain_summary_block(draft))


# --- 7. auto ----------------------------------------------------------------------------------


def test_missing_summary_fails_without_auto(project):
    set_summary_option(project, "auto", "false")
    write_article(project, "no-summary", front_matter("No Summary Yet"), SIMPLE_BODY)
    text = failed(build_cli(project, "--channel", "summary"))
    assert "publish summarize no-summary" in text
    assert "content/no-summary.md" in text
    assert not (project / "build").exists()


def test_missing_summary_is_generated_with_auto(project):
    write_article(project, "no-summary", front_matter("No Summary Yet"), SIMPLE_BODY)
    ok(build_cli(project, "--channel", "summary"))
    out = project / "build"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    record = next(a for a in manifest["articles"] if a["slug"] == "no-summary")
    assert record["summary_source"] == "generated"
    assert record["outputs"]["summary_html"] == "site/no-summary/summary/index.html"
    authored = next(a for a in manifest["articles"] if a["slug"] == SLUG)
    assert authored["summary_source"] == "authored"

    _, summary, _ = txt_parts((out / "site" / "no-summary" / "summary.txt").read_text(encoding="utf-8"))
    generated = sentences_of(summary)
    assert generated
    sections = body_sections(SIMPLE_BODY)
    glossary = load_glossary()
    for sentence in generated:
        assert matcher(sentence, glossary).search(" ".join(sections)), sentence
    for section in sections:  # one from each section
        assert any(matcher(s, glossary).search(section) for s in generated), section
    page = parse_html(out / "site" / "no-summary" / "summary" / "index.html")
    shown = main_text(page)
    for sentence in generated:
        assert sentence in shown
    assert textstat.flesch_kincaid_grade(" ".join(generated)) <= 8


# --- 8. PDF key points ------------------------------------------------------------------------


def test_leaflet_shows_key_points(project, tmp_path, repo_summary):
    out = tmp_path / "out"
    ok(build_cli(project, "--channel", "pdf", "--out", str(out)))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    leaflet = out / next(a for a in manifest["articles"] if a["slug"] == SLUG)["outputs"]["pdf"]
    page_one = normalise(subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(leaflet), "-"],
                                        check=True, capture_output=True, text=True).stdout)
    assert "Key points" in page_one
    first = sentences_of(repo_summary)[0]
    assert first == "Ketamine was first made as a medicine for surgery."
    assert first in page_one


# --- 9. glossary.yaml errors ------------------------------------------------------------------


@pytest.mark.parametrize("glossary", [
    "- neuroplasticity\n- remission\n",
    "neuroplasticity: 3\nremission: a time without symptoms\n",
], ids=["list", "number"])
def test_bad_glossary_fails_the_build(project, glossary):
    (project / "content" / "glossary.yaml").write_text(glossary, encoding="utf-8")
    text = failed(build_cli(project, "--channel", "summary"))
    assert "content/glossary.yaml" in text
    assert not (project / "build").exists()
