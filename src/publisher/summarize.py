"""Drafting plain-language summaries from the article's own sentences, and saving them.

A draft invents nothing: it takes at least one sentence from each section (the shortest and
easiest), then swaps glossary jargon for plain words. An author edits it before publishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import PublishError, error
from .frontmatter import parse_document, write_source
from .glossary import Glossary
from .markdown import PLAIN, Conversion, MarkdownConverter
from .model import Article
from .readability import Readability, measure, sentence_grade, split_sentences
from .sanitise import normalise_text

MIN_WORDS = 5  # shorter "sentences" are headings or fragments
_HEADING = re.compile(r"^#{2}\s+(.*?)\s*#*\s*$")
_IMAGE = re.compile(r"^\[[^\]]*\]$")  # how pandoc's plain text shows an image: its alt text in brackets


@dataclass(frozen=True)
class Draft:
    text: str  # Markdown: one bullet per chosen sentence
    picked: tuple[str, ...]  # the sentences as they stand in the article
    figures: Readability


def sections(body: str) -> list[tuple[str, str]]:
    """(heading, Markdown) for the opening text and each '##' section of an article body."""
    found, heading, lines = [], "Introduction", []
    for line in body.split("\n"):
        match = _HEADING.match(line)
        if match:
            found.append((heading, "\n".join(lines)))
            heading, lines = match.group(1), []
        else:
            lines.append(line)
    found.append((heading, "\n".join(lines)))
    return [(h, text) for h, text in found if text.strip()]


def plain_text(text: str, markdown: MarkdownConverter, columns: int = 0) -> str:
    """Markdown as plain text (no emphasis marks, links as their words), through pandoc;
    wrapped at ``columns`` when given, else one line per paragraph."""
    return markdown.convert(text, Conversion("plain", columns))


def draft_summary(article: Article, glossary: Glossary, markdown: MarkdownConverter) -> Draft:
    parts = [text for _, text in sections(article.body)]
    markdown.prefetch([(text, PLAIN, article.source) for text in parts])
    picked = []
    for part in parts:
        sentences = [s for s in split_sentences(plain_text(part, markdown)) if not _IMAGE.match(s)]
        candidates = [s for s in sentences if len(s.split()) >= MIN_WORDS and not s.endswith(":")] or sentences
        if candidates:
            picked.append(min(candidates, key=lambda s: _difficulty(glossary.simplify(s))))
    text = "\n".join(f"- {glossary.simplify(sentence)}" for sentence in picked)
    return Draft(text=text, picked=tuple(picked), figures=measure(plain_text(text, markdown), article.lang))


def _difficulty(sentence: str) -> float:
    """Lower is better: the sentence's grade, plus a little for each word (long ones lose)."""
    return sentence_grade(sentence) + 0.25 * len(sentence.split())


def write_plain_summary(path: Path, shown: str, summary: str) -> None:
    """Set ``plain_summary`` in the file's front matter; every other byte stays as it was."""
    raw = path.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.split(newline)
    start = 1 if lines and lines[0].lstrip("\ufeff").strip() == "---" else None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None) if start else None
    if end is None:
        raise PublishError([error(shown, 1, "frontmatter.missing", "the file has no front matter to add the summary to")])
    block = ["plain_summary: |-"] + [f"  {line}" if line.strip() else "" for line in summary.strip().split("\n")]
    first = next((i for i in range(start, end) if re.match(r"^plain_summary\s*:", lines[i])), None)
    if first is None:
        lines[end:end] = block
    else:
        last = first + 1
        while last < end and (not lines[last].strip() or lines[last][0] in " \t"):
            last += 1
        lines[first:last] = block
    updated = newline.join(lines)
    document, problems = parse_document(normalise_text(updated.replace("\r\n", "\n").lstrip("\ufeff")), shown)
    if document is None or document.data.get("plain_summary", "").strip() != summary.strip():
        raise PublishError(problems or [error(shown, None, "summary.write", "the summary did not read back as written; "
                                              "the file is unchanged: add the summary by hand")])
    write_source(path, updated.encode("utf-8"), shown)
