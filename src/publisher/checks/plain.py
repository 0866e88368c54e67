"""Plain-language checks beyond one grade, each a documented heuristic with a level and a limit.

What health-content audits ask and a program can find (PEMAT, the CDC Clear Communication Index,
the Federal Plain Language Guidelines, MedlinePlus easy-to-read): sentences too long, one on
average too long, much passive voice, jargon and abbreviations left unexplained, lists run into a
sentence; and in a plain summary, percentages and sums, no action for the reader, no main message
first. Each finding names its file and line, and says what to do. ``[plain]`` in publish.toml sets
each check's level (error, warning, off) and limit; summaries have stricter limits by default.

The heuristics, so a reader of a finding can judge it:
- sentences end at . ! ? before a capital; a list item or heading is a unit of its own;
- passive voice is a form of "be" (Spanish: "ser") followed, at most one "-ly" word later, by a
  past participle: a word ending in -ed (-ado, -ido) or one of the irregular participles below;
- a glossary term is explained when its plain words (glossary.yaml) are in the same sentence or
  the next; an abbreviation (two or more capitals) is spelled out when its first use is in
  brackets after the words, or followed by them in brackets;
- an inline list is a sentence with two or more commas before a final "and" or "or".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import schema
from ..errors import Diagnostic, error, warning
from ..model import Article
from ..readability import split_sentences
from ..schema import Field

LEVELS = ("error", "warning", "off")


def _level() -> Field:
    return Field(schema.one_of(*LEVELS), default="warning")


PLAIN_FIELDS = {
    "long_sentences": _level(),
    "long_sentence_words": Field(schema.within(schema.whole_number, 5, 200), default=25),
    "summary_long_sentence_words": Field(schema.within(schema.whole_number, 5, 200), default=20),
    "average_sentence_length": _level(),
    "average_sentence_words": Field(schema.within(schema.number, 5, 100), default=20.0),
    "summary_average_sentence_words": Field(schema.within(schema.number, 5, 100), default=15.0),
    "passive_voice": _level(),
    "passive_share": Field(schema.within(schema.number, 0, 1), default=0.25),  # of sentences
    "summary_passive_share": Field(schema.within(schema.number, 0, 1), default=0.1),
    "glossary_terms": _level(),
    "abbreviations": _level(),
    "known_abbreviations": Field(schema.list_of(schema.text, "abbreviations"), default=()),  # need no spelling out
    "summary_numbers": _level(),
    "summary_action": _level(),
    "inline_lists": _level(),
}

# A form of "be" / "ser", and past participles that do not end in -ed / -ado, -ido.
BE = {"en": r"am|is|are|was|were|be|been|being", "es": r"es|son|era|eran|fue|fueron|será|serán|sido|ser|sea|sean"}
IRREGULAR = {
    "en": set("""arisen awoken been borne beaten become begun bent bet bitten bled blown broken brought built burnt
        bought caught chosen come cost cut dealt done drawn dreamt drunk driven eaten fallen fed felt fought found
        flown forbidden forgotten forgiven frozen got gotten given gone ground grown hung had heard hidden hit held
        hurt kept knelt known laid led learnt left lent let lain lit lost made meant met paid put quit read ridden
        rung risen run said seen sought sold sent set shaken shed shone shot shown shrunk shut sung sunk sat slept
        slid spoken spent spun spread stood stolen stuck stung struck sworn swept swum swung taken taught torn told
        thought thrown understood woken worn woven won wound withdrawn written""".split()),
    "es": set("abierto cubierto dicho escrito hecho muerto puesto resuelto roto visto vuelto impreso frito".split()),
}
PARTICIPLE_END = {"en": r"\w+ed", "es": r"\w+(?:ado|ada|ados|adas|ido|ida|idos|idas)"}
YOU = {"en": r"\b(?:you|your|yours|yourself)\b",
       # usted, su/sus, or an imperative with its pronoun attached: "Lávese", "Tómelo", "Frótelas"
       "es": r"\b(?:usted(?:es)?|su|sus)\b|\b\w*[áéíóú]\w*(?:se|lo|la|los|las|le|les)\b"}
META_START = {"en": r"(?:this|the) (?:summary|article|leaflet|page)\b|in this\b|here (?:is|are)\b",
              "es": r"(?:este|el) (?:resumen|artículo|folleto)\b|en este\b|aquí (?:está|están)\b"}
AND_OR = {"en": r"and|or", "es": r"y|e|o|u"}
NUMBERS = re.compile(r"\d+(?:[.,]\d+)?\s*%|\bper\s?cent\b|\bpor\s+ciento\b|\b\d+[.,]\d+\b|\b\d+/\d+\b|[×÷=]")
ABBREVIATION = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*s?\b")
MAX_ITEM_WORDS = 4  # an inline list's items after the first (which holds the words leading into it)
# Verbs a sentence of instructions starts with: a summary made of them addresses the reader.
IMPERATIVES = {"en": set("""ask avoid bring book call check clean contact cover do don't drink eat find follow get go
    keep let look make put read rest rinse see seek stop take talk tell try use visit wash wear write""".split())}
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"`[^`]*`|<[^>]+>|[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}")


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int


@dataclass(frozen=True)
class Part:
    """The article's body, or its plain summary: its sentences, where it starts, its limits."""

    name: str  # "article" or "summary"
    sentences: tuple[Sentence, ...]
    line: int


def check_plain(article: Article, raw_lines: list[str], options, glossary) -> list[Diagnostic]:
    """Every finding of the [plain] checks in the article and its authored plain summary."""
    lang = article.lang.lower().split("-")[0]
    found: list[tuple[str, int, str, str]] = []  # check, line, code, message
    parts = [Part("article", tuple(_sentences(raw_lines, article.body_line, len(raw_lines) + 1)), article.body_line)]
    span = _summary_span(article, raw_lines)
    if span:
        parts.append(Part("summary", tuple(_sentences(raw_lines, *span)), span[0]))
    for part in parts:
        found += _lengths(part, options) + _passive(part, options, lang) + _inline_lists(part, lang)
        found += _glossary(part, glossary) + _abbreviations(part, options)
        if part.name == "summary":
            found += _summary_rules(part, lang)
    problems = []
    for check, line, code, message in sorted(found, key=lambda f: f[1]):  # in the file's order
        level = options[check]
        if level != "off":
            problems.append((error if level == "error" else warning)(article.source, line, f"plain.{code}", message))
    return problems


def _lengths(part: Part, options) -> list:
    prefix = "summary_" if part.name == "summary" else ""
    limit, average_limit = options[f"{prefix}long_sentence_words"], options[f"{prefix}average_sentence_words"]
    found = []
    counts = [len(s.text.split()) for s in part.sentences]
    for sentence, words in zip(part.sentences, counts):
        if words > limit:
            found.append(("long_sentences", sentence.line, "long-sentence",
                          f"a sentence of {words} words in the {part.name} (over {limit}): {_quote(sentence.text)}; "
                          "split it, one idea per sentence"))
    if counts and sum(counts) / len(counts) > average_limit:
        found.append(("average_sentence_length", part.line, "average-sentence",
                      f"the {part.name}'s sentences have {sum(counts) / len(counts):.1f} words on average (over "
                      f"{average_limit:g}); shorten the longest ones"))
    return found


def body_figures(article: Article, raw_lines: list[str], options) -> dict:
    """The body's figures the content-health report shows, by the rules these checks apply:
    sentences, words, their average, sentences over the limit, the passive share (None for a
    language without the heuristic), and the sentences as one text (for a reading grade)."""
    sentences = tuple(_sentences(raw_lines, article.body_line, len(raw_lines) + 1))
    counts = [len(s.text.split()) for s in sentences]
    lang = article.lang.lower().split("-")[0]
    passive = _passive_sentences(sentences, lang)
    return {
        "sentences": len(sentences),
        "words": sum(counts),
        "average_sentence_words": round(sum(counts) / len(counts), 1) if counts else 0.0,
        "long_sentences": sum(1 for words in counts if words > options["long_sentence_words"]),
        "passive_share": round(len(passive) / len(sentences), 3) if passive is not None and sentences else None,
        "text": "\n\n".join(s.text for s in sentences),
    }


def _passive_sentences(sentences, lang: str):
    """The sentences in the passive voice, or None for a language the heuristic does not know."""
    if lang not in BE:
        return None
    pattern = re.compile(rf"\b(?:{BE[lang]})\s+(?:\w+ly\s+)?({PARTICIPLE_END[lang]}|\w+)\b", re.IGNORECASE)
    return [s for s in sentences
            if any(re.fullmatch(PARTICIPLE_END[lang], m.group(1), re.IGNORECASE) or m.group(1).lower() in IRREGULAR[lang]
                   for m in pattern.finditer(s.text))]


def _passive(part: Part, options, lang: str) -> list:
    if lang not in BE or not part.sentences:
        return []
    passive = _passive_sentences(part.sentences, lang)
    share = len(passive) / len(part.sentences)
    limit = options["summary_passive_share" if part.name == "summary" else "passive_share"]
    if share <= limit:
        return []
    where = "; ".join(f"line {s.line}: {_quote(s.text)}" for s in passive[:3])
    return [("passive_voice", passive[0].line, "passive",
             f"{len(passive)} of {len(part.sentences)} sentences in the {part.name} ({share:.0%}) are in the passive "
             f"voice (over {limit:.0%}), such as {where}; say who does what")]


def _inline_lists(part: Part, lang: str) -> list:
    words = AND_OR.get(lang, AND_OR["en"])
    pattern = re.compile(rf"(?:[^,.;:()]+,\s*){{2,}}[^,.;:()]*?\s(?:{words})\s+[^,.;:()]+", re.IGNORECASE)
    found = []
    for sentence in part.sentences:
        if sentence.text.count(",") < 2:  # the pattern needs two commas: most sentences are done here
            continue
        for match in pattern.finditer(sentence.text):
            items = [i.strip() for i in re.split(rf",\s*(?:(?:{words})\s+)?|\s(?:{words})\s", match.group(0),
                                                   flags=re.IGNORECASE) if i.strip()]
            if len(items) >= 3 and all(len(i.split()) <= MAX_ITEM_WORDS for i in items[1:]):  # items, not clauses
                found.append(("inline_lists", sentence.line, "inline-list",
                              f"a list of {len(items)} items run into a sentence in the {part.name}: "
                              f"{_quote(sentence.text)}; make it a bulleted list"))
                break
    return found


def _glossary(part: Part, glossary) -> list:
    found, seen = [], set()
    for index, sentence in enumerate(part.sentences):
        near = " ".join(s.text for s in part.sentences[index:index + 2]).casefold()
        for term, plain in glossary.find(sentence.text):
            if term.casefold() in seen:
                continue
            seen.add(term.casefold())
            if plain.casefold() not in near:
                found.append(("glossary_terms", sentence.line, "jargon",
                              f"the {part.name} uses {term!r} without explaining it: say what it means where it "
                              f"is first used (the glossary's plain words: {plain!r})"))
    return found


def _abbreviations(part: Part, options) -> list:
    known = {a.upper() for a in options["known_abbreviations"]}
    found, seen = [], set()
    for sentence in part.sentences:
        for match in ABBREVIATION.finditer(sentence.text):
            short = match.group(0).rstrip("s") if match.group(0).endswith("s") and len(match.group(0)) > 2 \
                else match.group(0)
            if short in seen or short in known:
                continue
            seen.add(short)
            before, after = sentence.text[:match.start()], sentence.text[match.end():]
            if before.rstrip().endswith("(") or re.match(r"\s*\(\s*\w", after):
                continue
            found.append(("abbreviations", sentence.line, "abbreviation",
                          f"the {part.name} uses {short!r} without spelling it out at first use: write the words "
                          f"with the abbreviation in brackets, or list it in [plain] known_abbreviations"))
    return found


def _summary_rules(part: Part, lang: str) -> list:
    found = [("summary_numbers", s.line, "numbers",
              f"the summary asks the reader to read a percentage or do a sum ({_quote(m.group(0))} in "
              f"{_quote(s.text)}); use whole numbers in words a reader can picture ('1 in 4 people')")
             for s in part.sentences for m in [NUMBERS.search(s.text)] if m]
    addressed = [s for s in part.sentences if re.search(YOU[lang], s.text, re.IGNORECASE)
                 or s.text.split()[0].lower().strip(",") in IMPERATIVES.get(lang, ())] if lang in YOU else [True]
    if not addressed:
        found.append(("summary_action", part.line, "action",
                      "the summary has no action for the reader: say what they can do, addressed to them ('Ask "
                      "your doctor ...')"))
    if lang in META_START and part.sentences and re.match(META_START[lang], part.sentences[0].text, re.IGNORECASE):
        found.append(("summary_action", part.sentences[0].line, "main-message",
                      f"the summary starts by describing itself ({_quote(part.sentences[0].text)}): start with "
                      "the main message"))
    return found


def _summary_span(article: Article, raw_lines: list[str]) -> tuple[int, int] | None:
    """(first line, line after the last) of the plain_summary value in the front matter."""
    start = article.lines.get("plain_summary")
    if start is None:
        return None
    later = [line for line in article.lines.values() if line > start]
    end = min(later, default=article.body_line - 1)
    return start, min(end, article.body_line - 1)


def _sentences(raw_lines: list[str], first: int, stop: int):
    """The sentences of lines ``first`` .. ``stop`` - 1 (numbered from 1), each with its line."""
    for unit, line in _units(raw_lines, first, stop):
        cursor = 0
        for sentence in split_sentences(unit):
            at = unit.find(sentence[:20], cursor)
            cursor = max(at, cursor)
            yield Sentence(sentence, line(cursor))


def _units(raw_lines: list[str], first: int, stop: int):
    """Paragraphs and list items as one line of text, with a function from a character offset to
    its source line. Headings, tables, code and the YAML key itself are left out."""
    pieces: list[tuple[int, str]] = []
    fenced = False

    def flush():
        if pieces:
            text, offsets = "", []
            for number, piece in pieces:
                offsets.append((len(text), number))
                text += piece + " "
            yield text.strip(), lambda at, o=tuple(offsets): max((n for start, n in o if start <= at), default=o[0][1])
        pieces.clear()

    for number in range(first, stop):
        raw = raw_lines[number - 1]
        line = re.sub(r"^\s*plain_summary:\s*[|>]?[-+]?\s*", "", raw) if number == first and "plain_summary" in raw else raw
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            yield from flush()
            continue
        if fenced or not stripped or stripped.startswith(("#", "|", "---")):
            yield from flush()
            continue
        item = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+", line)
        if item:
            yield from flush()
            line = line[item.end():]
        text = _MARKS.sub("", _LINK.sub(r"\1", line.lstrip(" >"))).strip().strip("'\"")
        if text:
            pieces.append((number, text))
    yield from flush()


def _quote(text: str, words: int = 12) -> str:
    parts = text.split()
    return repr(" ".join(parts[:words]) + (" ..." if len(parts) > words else ""))
