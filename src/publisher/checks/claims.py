"""Claims lint: risky health-claim phrases from ``content/claims.yaml``, found with file and line.

A reviewer silences one match in one article with front matter ``claims_reviewed`` (the phrase
and who reviewed it); nothing silences a phrase for every article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic, error, warning
from ..frontmatter import read_yaml_file
from ..model import Article
from ..readability import split_sentences

CLAIMS_NAME = "claims.yaml"
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class ClaimRule:
    phrase: str
    severity: str
    reason: str
    pattern: re.Pattern
    lang: str | None = None  # the language it is a phrase of ('es'); None: every article

    def applies_to(self, article: Article) -> bool:
        return self.lang is None or article.lang.lower().split("-")[0] == self.lang


def load_claims(content: Path, shown: str, inside: Path | None = None) -> tuple[list[ClaimRule], list[Diagnostic]]:
    node, data, problems = read_yaml_file(content / CLAIMS_NAME, shown, inside, "claims", [])
    if problems or node is None:
        return [], problems
    if not isinstance(data, list):
        return [], [error(shown, 1, "claims.yaml", "claims.yaml must be a list of entries with phrase, severity and reason")]
    rules, problems = [], []
    for index, item in enumerate(data):
        line = node.value[index].start_mark.line + 1
        fields = ("phrase", "severity", "reason")
        if not isinstance(item, dict) or set(item) - {*fields, "lang"} \
                or not all(isinstance(item.get(k), str) and item[k].strip() for k in fields):
            problems.append(error(shown, line, "claims.entry",
                                  "each entry needs exactly 'phrase', 'severity' (error or warning) and 'reason', as "
                                  "text, and may have 'lang' (the language it is a phrase of, such as es)"))
            continue
        lang = item.get("lang")
        if lang is not None and not (isinstance(lang, str) and re.fullmatch(r"[a-z]{2,3}", lang)):
            problems.append(error(shown, line, "claims.entry", f"lang must be a language code such as 'es', got {lang!r}"))
            continue
        if item["severity"] not in SEVERITIES:
            problems.append(error(shown, line, "claims.entry", f"severity must be 'error' or 'warning', got {item['severity']!r}"))
            continue
        phrase = item["phrase"].strip()
        pattern = re.compile(r"(?<!\w)" + re.escape(phrase).replace(r"\ ", r"\s+") + r"(?!\w)", re.IGNORECASE)
        rules.append(ClaimRule(phrase, item["severity"], item["reason"].strip(), pattern, lang))
    return rules, problems


PROSE_KEYS = {"title", "description", "plain_summary"}  # front matter that readers see as text


def lint_claims(article: Article, raw_lines: list[str], rules: list[ClaimRule]) -> list[Diagnostic]:
    """Each unreviewed match of a rule in the article file: its line and the sentence it is in.

    Phrases may wrap across lines; front matter other than the prose keys is not read.
    """
    problems = []
    for rule, line, sentence, match in claim_matches(article, raw_lines, rules):
        report = error if rule.severity == "error" else warning
        problems.append(report(article.source, line, f"claims.{rule.severity}",
                               f"risky claim {' '.join(match.group(0).split())!r} in: \"{sentence}\" ({rule.reason}). "
                               "A reviewer who accepts it adds it to this article's claims_reviewed."))
    return problems


def claim_matches(article: Article, raw_lines: list[str], rules: list[ClaimRule]):
    """(rule, line, sentence, match) of each unreviewed match, in lint order: what the lint reports
    and what the review copy marks, so both find the same claims. ``match`` is a match in the
    file's text with front matter other than the prose keys blanked (line numbers kept)."""
    reviewed = {r.phrase.casefold() for r in article.claims_reviewed}
    text = "\n".join(_prose_lines(article, raw_lines))
    for rule in rules:
        if rule.phrase.casefold() in reviewed or not rule.applies_to(article):
            continue
        for match in rule.pattern.finditer(text):
            yield rule, text.count("\n", 0, match.start()) + 1, _sentence_at(text, match, rule), match


def _prose_lines(article: Article, raw_lines: list[str]) -> list[str]:
    """The file's lines, with front matter blanked except the prose keys (line numbers kept)."""
    closing = article.body_line - 1  # the line of the closing '---'
    keep: set[int] = set()
    starts = sorted((line, key) for key, line in article.lines.items())
    for index, (line, key) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else closing
        if key in PROSE_KEYS:
            keep.update(range(line, end))
    return [text if number > closing or number in keep else "" for number, text in enumerate(raw_lines, 1)]


def _sentence_at(text: str, match: re.Match, rule: ClaimRule) -> str:
    """The whole sentence around a match, even when the paragraph is wrapped over several lines."""
    start = max(text.rfind("\n\n", 0, match.start()), 0)
    end = text.find("\n\n", match.end())
    paragraph = " ".join(text[start:end if end != -1 else len(text)].split())
    for sentence in split_sentences(paragraph):
        if rule.pattern.search(sentence):
            return sentence
    return paragraph
