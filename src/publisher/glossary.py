"""``content/glossary.yaml``: jargon mapped to plain words, for summaries and their drafts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic, error
from .frontmatter import read_yaml_file
from .sanitise import clean_text

GLOSSARY_NAME = "glossary.yaml"


@dataclass(frozen=True)
class Glossary:
    terms: dict[str, str]  # jargon -> plain words, longest term first

    def find(self, text: str) -> list[tuple[str, str]]:
        """(term, plain) for each glossary term the text uses."""
        return [(term, plain) for term, plain in self.terms.items() if _pattern(term).search(text)]

    def simplify(self, text: str) -> str:
        """Replace each term with its plain words (longest terms first)."""
        for term, plain in self.terms.items():
            text = _pattern(term).sub(plain, text)
        return text


def _pattern(term: str) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", re.IGNORECASE)


def load_glossary(content: Path, shown: str, inside: Path | None = None) -> tuple[Glossary, list[Diagnostic]]:
    node, data, problems = read_yaml_file(content / GLOSSARY_NAME, shown, inside, "glossary", {})
    if problems or node is None:
        return Glossary({}), problems
    if not isinstance(data, dict):
        return Glossary({}), [error(shown, 1, "glossary.yaml", "the glossary must map each term to plain words: "
                                    "'term: plain words'")]
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value} if node is not None else {}
    terms, problems = {}, []
    for term, plain in data.items():
        if not isinstance(term, str) or not isinstance(plain, str) or not term.strip() or not plain.strip():
            problems.append(error(shown, lines.get(str(term)), "glossary.entry",
                                  f"{term!r} must map to plain words as text, got {plain!r}"))
            continue
        terms[clean_text(term).strip()] = clean_text(plain).strip()
    ordered = dict(sorted(terms.items(), key=lambda pair: -len(pair[0])))
    return Glossary(ordered), problems
