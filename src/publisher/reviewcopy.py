"""``publish review SLUG``: the review copy a medical or legal reviewer reads and signs, as Word.

It holds exactly what an approval covers (approvals.py): the title, the description, the body,
the plain summary and every resolved disclaimer in full, with numbered paragraphs to refer to,
each claims-lint finding as a Word comment at its sentence, and a sign-off table carrying the
content fingerprint that ``publish approve`` records. pandoc writes the .docx from one document
tree, sandboxed; the file goes to ``<out>/review/<slug>.docx``, which builds keep.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypandoc

from .errors import PublishError, error

AUTHOR = "publish check"
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s|$)")
_BLOCK_MARK = re.compile(r"(?:#{1,6}\s+|\s*[-*+]\s+|\s*\d+[.)]\s+|\s*>\s*)")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~^\"'$&@=:;%])")
PANDOC_SECONDS = 60


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    comment: str


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of ``text`` around [start, end): from the last sentence end before it (or the
    paragraph's start, after a heading, list or quote marker) to the next sentence end."""
    paragraph = text.rfind("\n\n", 0, start)
    first = paragraph + 2 if paragraph >= 0 else 0
    for found in _SENTENCE_END.finditer(text, first, start):
        first = found.end()
    while first < start and text[first].isspace():
        first += 1
    line_start = text.rfind("\n", 0, first) + 1
    if not text[line_start:first].strip():
        marker = _BLOCK_MARK.match(text, line_start)
        if marker and marker.end() <= start:
            first = max(first, marker.end())
    limit = text.find("\n\n", end)
    limit = len(text) if limit < 0 else limit
    found = _SENTENCE_END.search(text, end, limit)
    last = found.end() if found else len(text[:limit].rstrip())
    return first, max(last, end)


def _escaped(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def annotate(text: str, marks: list[Mark], first_id: int, date: str) -> str:
    """``text`` (Markdown) with each mark as a Word comment (pandoc's comment-start and
    comment-end spans) over its sentence; ids count from ``first_id``."""
    inserts = []
    for number, mark in enumerate(marks, first_id):
        start, end = sentence_span(text, mark.start, mark.end)
        inserts.append((start, 1, f'[{_escaped(mark.comment)}]{{.comment-start id="{number}" author="{AUTHOR}" '
                                  f'date="{date}"}}'))
        inserts.append((end, 0, f'[]{{.comment-end id="{number}"}}'))
    for position, _, span in sorted(inserts, reverse=True):  # from the end, so earlier offsets hold
        text = text[:position] + span + text[position:]
    return text


def _pandoc(args: list[str], data: bytes, epoch: int = 0) -> bytes:
    """pandoc, sandboxed; ``epoch`` is the time its .docx records as made (never the clock's)."""
    try:
        done = subprocess.run([pypandoc.get_pandoc_path(), "--sandbox", *args], input=data, capture_output=True,
                              timeout=PANDOC_SECONDS, check=False,
                              env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)})
    except subprocess.TimeoutExpired:
        raise PublishError([error(None, None, "review.pandoc", "pandoc took too long to write the review copy")])
    if done.returncode != 0:
        raise PublishError([error(None, None, "review.pandoc", "pandoc could not write the review copy: "
                                  + done.stderr.decode("utf-8", "replace").strip())])
    return done.stdout


def to_blocks(markdown: str) -> tuple[list, dict]:
    """pandoc's tree of ``markdown``: (its blocks, the document's api version and meta)."""
    document = json.loads(_pandoc(["-f", "markdown", "-t", "json"], markdown.encode("utf-8")))
    return document["blocks"], {"pandoc-api-version": document["pandoc-api-version"], "meta": {}}


def number_paragraphs(blocks: list, counter: list[int]) -> list:
    """Put "¶N" before every paragraph (in lists, quotes and tables too), counting on from ``counter``."""
    for block in blocks:
        kind, content = block.get("t"), block.get("c")
        if kind in ("Para", "Plain"):
            counter[0] += 1
            block["c"] = [{"t": "Strong", "c": [{"t": "Str", "c": f"\u00b6{counter[0]}"}]}, {"t": "Space"}] + content
        elif kind in ("BulletList",):
            for item in content:
                number_paragraphs(item, counter)
        elif kind == "OrderedList":
            for item in content[1]:
                number_paragraphs(item, counter)
        elif kind in ("BlockQuote",):
            number_paragraphs(content, counter)
        elif kind == "Div":
            number_paragraphs(content[1], counter)
    return blocks


def write_docx(sections: list[tuple[str, bool]], title: str, target: Path, epoch: int) -> None:
    """Markdown sections, numbered or not, as one Word document at ``target`` (atomically)."""
    blocks, counter, head = [], [0], None
    for markdown, numbered in sections:
        found, head = to_blocks(markdown)
        blocks += number_paragraphs(found, counter) if numbered else found
    head["meta"] = {"title": {"t": "MetaInlines", "c": [{"t": "Str", "c": title}]}}
    data = _pandoc(["-f", "json", "-t", "docx", "-o", "-"], json.dumps({**head, "blocks": blocks}).encode("utf-8"), epoch)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(target)


def claim_marks(article, raw_lines: list[str], rules) -> dict[str, list[Mark]]:
    """Each claims finding (the lint's own matches) as a mark in the part it lies in: "body", or
    the front matter key (title, description, plain_summary)."""
    from .checks.claims import claim_matches

    marks: dict[str, list[Mark]] = {}
    body_lines = article.body.split("\n")
    keys = sorted((line, key) for key, line in article.lines.items())
    seen: dict[tuple[str, str], int] = {}
    for rule, line, _, match in claim_matches(article, raw_lines, rules):
        comment = (f"{rule.severity.capitalize()}: risky claim '{' '.join(match.group(0).split())}' ({rule.reason}). "
                   "If the evidence supports it, list it in the article's claims_reviewed; otherwise rewrite it.")
        if line >= article.body_line:
            column = match.start() - (match.string.rfind("\n", 0, match.start()) + 1)
            start = sum(len(body) + 1 for body in body_lines[:line - article.body_line]) + column
            found = rule.pattern.search(article.body, max(start - 1, 0))
            span = (found.start(), found.end()) if found else (start, start)
            marks.setdefault("body", []).append(Mark(*span, comment))
            continue
        key = max(((n, k) for n, k in keys if n <= line), default=(0, "title"))[1]
        value = getattr(article, key) or ""
        index = seen[(key, rule.phrase)] = seen.get((key, rule.phrase), -1) + 1
        occurrences = list(rule.pattern.finditer(value))
        span = occurrences[index].span() if index < len(occurrences) else (0, len(value))
        marks.setdefault(key, []).append(Mark(*span, comment))
    return marks


def review_sections(article, disclaimers, marks: dict, print_, roles: tuple[str, ...], summary: tuple, now) -> list:
    """The review copy as Markdown sections, (text, numbered): what the reviewer reads and signs."""
    date = now.instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    ids = [0]

    def marked(part: str, text: str) -> str:
        found = marks.get(part, [])
        result = annotate(text, found, ids[0], date)
        ids[0] += len(found)
        return result

    summary_text, summary_source = summary
    parts = ", ".join(["the title", "the description", "the body", "the plain summary"]
                      + [f"the disclaimer {d.id}" for d in disclaimers])
    approve = f"publish approve {article.slug} --role ROLE --by NAME --on DATE"
    intro = (f"Review copy of **{_escaped(article.title)}** ({_escaped(article.source)}), made {now.isoformat()}. "
             "Paragraphs are numbered (¶) for your comments. Each Word comment marks a phrase the claims check "
             f"flagged. Approval covers {parts}; any later change to them needs a new review. Once signed, record "
             f"it with `{approve}`.")
    sections = [(intro + "\n", False),
                ("# Title and description\n\n" + marked("title", article.title) + "\n\n"
                 + marked("description", article.description) + "\n", True),
                ("# Article\n\n" + marked("body", article.body) + "\n", True)]
    if summary_text:
        note = "" if summary_source == "authored" else ("*Drafted from the body at build time ([summary] auto): "
                                                        "write plain_summary to approve its own words.*\n\n")
        text = marked("plain_summary", summary_text) if summary_source == "authored" else summary_text
        sections.append(("# Plain-language summary\n\n" + note + text + "\n", True))
    else:
        sections.append(("# Plain-language summary\n\nThe article has no plain summary yet.\n", False))
    for disclaimer in disclaimers:
        sections.append((f"# Disclaimer: {_escaped(disclaimer.title)}\n\n"
                         f"*{disclaimer.id}, {disclaimer.placement} of the article"
                         f"{', required' if disclaimer.required else ''}; {_escaped(disclaimer.source)}*\n\n"
                         f"Short form (feeds, page footers): {_escaped(disclaimer.short)}\n\n"
                         f"Plain form (summaries): {_escaped(disclaimer.plain)}\n\n{disclaimer.body.strip()}\n", True))
    rows = "\n".join(f"| {role} | | | |" for role in (roles or ("medical",)))
    sections.append(("# Sign-off\n\n"
                     f"Content fingerprint: `{print_.value}`\n\n"
                     "| Role | Name | Signature | Date |\n|---|---|---|---|\n" + rows + "\n\n"
                     f"Record each approval with `{approve}`: it is bound to this fingerprint.\n", False))
    return sections
