"""Bounds on an article body before pandoc sees it: size, nesting, and the page's one h1.

pandoc's time and memory grow fast on some shapes of Markdown (deeply nested lists, quotes and
brackets); these checks refuse such a body with its line before it is converted.

Limits (each check is linear in the body):

* MAX_BODY_BYTES: 1 MB of body; MAX_INDENT: 64 columns (16 levels) of list or quote nesting;
  MAX_BRACKETS: square brackets nested at most 8 deep.
* MAX_COST: pandoc's time on the shapes below is estimated from rates measured with pandoc 3.9
  on one core, and a body whose estimate passes 4 s is refused, naming the shape and the line
  that cost most (with every rate, a body at the limit converts in well under 10 s):

  - square brackets: each '[' at nesting level L (from 1, within its paragraph) costs 3**(L-1)
    units of 100 us (fifty '[[[[[[[[x]]]]]]]]' took over 8 s, though 8 deep is allowed);
  - a '<' that starts no HTML tag, comment or autolink ('< 5', '<5%'; not '\\<', '&lt;', nor
    one in `code`): pandoc rescans the rest of the article for each, 1 us per byte after it
    (a hundred before 90 KB of text: 6 s);
  - a link '[text](' whose parenthesis is not closed in its paragraph: 40 us per byte of the
    paragraph, and 1 us per byte for every other '(' left open (200 in 1 KB: 7 s);
  - a single quote that may open a quotation (after a space, before a letter) with none that
    may close one after it in its paragraph: 1.5 us per byte of the paragraph (4 KB: 6 s);
  - '&' that starts no entity and is not followed by a space: 0.15 us per byte of its paragraph;
  - '<span>' left open in a paragraph: 25 us x 2**(spans left open) (20 left open: over 8 s);
  - a run of n backticks (outside fenced code): 0.1 us x n**2.
"""

from __future__ import annotations

import re
from bisect import bisect

from .errors import Diagnostic, error

MAX_BODY_BYTES = 1_000_000  # about 150,000 words: far beyond any article, well within pandoc's reach
MAX_INDENT = 64  # columns of indentation (or of list markers on one line): 16 levels of nesting
_BRACKET_TOKENS = re.compile(r"\\.|[\[\]\n]", re.S)
MAX_BRACKETS = 8  # nested [ ] (links in links...): pandoc's parser backtracks exponentially on deeper ones


def _bracket_depth(body: str) -> tuple[int, int]:
    """(deepest nesting of unescaped [ ], the body line where it is reached, from 0)."""
    depth = deepest = line = deepest_line = 0
    for token in _BRACKET_TOKENS.findall(body):  # only escapes, brackets and newlines: fast on long bodies
        if token == "\n":
            line += 1
        elif token == "[":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
        elif token == "]" and depth:
            depth -= 1
    return deepest, deepest_line


_MARKERS = re.compile(r"^[ >]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*")  # quote and list markers opening a line
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ATX_H1 = re.compile(r"^\s{0,3}#(\s|$)")
_HTML_H1 = re.compile(r"<h1[\s>]", re.I)
_SETEXT_H1 = re.compile(r"^\s{0,3}=+\s*$")


MAX_COST = 4.0  # seconds of estimated pandoc time on the shapes above

_INLINE_CODE = re.compile(r"(?<!`)`[^`\n]+`(?!`)")
_NEWLINE = re.compile("\n")
_COST_TOKENS = re.compile(r"\\.|<(?:/?[A-Za-z][A-Za-z0-9-]*|!--|[a-zA-Z][a-zA-Z0-9+.-]*:)|<|\]\(|[\[\]()&']|`+", re.S)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_SPAN = re.compile(r"<(/?)span\b", re.I)
_WORD = re.compile(r"\w")
_BACKTICKS = re.compile(r"`{4,}")


class _Cost:
    """Estimated seconds per shape, and where each shape cost most."""

    def __init__(self) -> None:
        self.total = 0.0
        self.shapes: dict[str, list] = {}  # shape -> [seconds, worst seconds at one line, that line]

    def add(self, shape: str, seconds: float, line: int) -> None:
        if seconds <= 0:
            return
        self.total += seconds
        entry = self.shapes.setdefault(shape, [0.0, 0.0, line])
        entry[0] += seconds
        if seconds > entry[1]:
            entry[1], entry[2] = seconds, line


_FIXES = {
    "brackets": "square brackets nested inside square brackets, over and over: pandoc's time grows threefold "
                "with each level; flatten them (write a bracket that is not a link as '\\[')",
    "lt": "'<' signs that start no HTML tag: pandoc rescans the rest of the article for each one; write "
          "them as '\\<' or '&lt;' (or 'less than')",
    "link": "links opened with '[text](' whose ')' never comes in the paragraph: close each link's "
            "parenthesis, or write the bracket as '\\['",
    "quote": "single quotes that open a quotation and never close in the paragraph: close them, or write "
             "apostrophes as \u2019 or \\'",
    "amp": "'&' signs that start no entity: write them as '&amp;' or put a space after them",
    "span": "<span> tags left open in a paragraph: pandoc's time doubles with each one; close each with </span>",
    "backticks": "long runs of backticks: use at most a few to open code, or a fenced code block",
}


def _paragraphs(body: str, first_line: int):
    """(line number, text) of each run of non-blank lines outside fenced code (pandoc's inline runs
    are these or smaller)."""
    lines, start, fenced = [], first_line, False
    for number, line in enumerate(body.split("\n"), first_line):
        if _FENCE.match(line):
            fenced = not fenced
            if lines:
                yield start, "\n".join(lines)
            lines = []
            continue
        if fenced:
            continue
        if line.strip():
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            yield start, "\n".join(lines)
            lines = []
    if lines:
        yield start, "\n".join(lines)


def estimate_cost(body: str, first_line: int = 1) -> _Cost:
    """pandoc's time on the shapes the module docstring lists, estimated in one pass over the body."""
    cost = _Cost()
    paragraphs = list(_paragraphs(body, first_line))
    total = sum(len(text) + 2 for _, text in paragraphs)
    done = 0  # bytes of the body before this paragraph, as pandoc sees them
    for start, text in paragraphs:
        size = len(text)
        done += size + 2
        code_free = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), text)
        last_gt, last_comment_end = code_free.rfind(">"), code_free.rfind("-->")
        newlines = [m.start() for m in _NEWLINE.finditer(code_free)]

        def line_at(position: int) -> int:
            return start + bisect(newlines, position)

        lt_seconds, lt_line = 0.0, None
        depth, units = 0, 0.0
        quote_open = quote_line = amp = 0
        link_open = []  # positions of '(' opened by '](' and not closed
        paren_open = 0
        for match in _COST_TOKENS.finditer(code_free):
            token, position = match.group(0), match.start()
            if token[0] == "\\":
                continue
            if token == "[":
                units += 3.0 ** min(depth, 30)
                depth += 1
            elif token == "]":
                depth = max(0, depth - 1)
            elif token == "](":
                if depth:
                    link_open.append(position)
                depth = max(0, depth - 1)
            elif token == "(":
                if link_open:
                    paren_open += 1
            elif token == ")":
                if paren_open:
                    paren_open -= 1
                elif link_open:
                    link_open.pop()
            elif token[0] == "<":
                tag_like = len(token) > 1
                if token == "<!--":
                    tag_like = last_comment_end > position  # closed later: cheap
                elif tag_like:
                    tag_like = last_gt > position
                if not tag_like:
                    lt_seconds += 1e-6 * (total - done + (size - position))
                    lt_line = lt_line or line_at(position)
            elif token == "&":
                rest = code_free[position:position + 40]
                if not _ENTITY.match(rest) and not rest[1:2].isspace() and rest[1:2] != "":
                    amp += 1
            elif token == "'":
                before = code_free[position - 1:position] if position else " "
                after_char = code_free[position + 1:position + 2]
                if not _WORD.match(before) and after_char and not after_char.isspace():
                    if not quote_open:
                        quote_line = line_at(position)
                    quote_open += 1
                elif before and not before.isspace() and not _WORD.match(after_char or " "):
                    quote_open = 0  # a quote that may close one
        cost.add("brackets", 1e-4 * units if units > 8 else 0, start)
        cost.add("lt", lt_seconds, lt_line or start)
        if link_open:
            cost.add("link", 40e-6 * size * len(link_open) + 1e-6 * size * paren_open, line_at(link_open[0]))
        cost.add("quote", 1.5e-6 * size * quote_open, quote_line)
        cost.add("amp", 0.15e-6 * size * amp, start)
        spans = 0
        for span in _SPAN.finditer(code_free):
            spans = max(0, spans - 1) if span.group(1) else spans + 1
        if spans:
            cost.add("span", 25e-6 * 2.0 ** min(spans, 60), start)
    for number, line in enumerate(body.split("\n"), first_line):  # fence lines too: a fence is a run
        for run in _BACKTICKS.findall(line):
            cost.add("backticks", 1e-7 * len(run) ** 2, number)
    return cost


def check_body(body: str, first_line: int, shown: str) -> list[Diagnostic]:
    """Bounded input for pandoc, and the title as the page's only h1 (sections start at '##')."""
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        return [error(shown, first_line, "body.too-large",
                      f"the body is {size / 1e6:.1f} MB; the limit is {MAX_BODY_BYTES / 1e6:.0f} MB: split the article")]
    deepest, at = _bracket_depth(body)
    if deepest > MAX_BRACKETS:
        return [error(shown, first_line + at, "body.too-deep", f"square brackets are nested {deepest} deep; pandoc needs "
                      f"exponential time for that, so at most {MAX_BRACKETS} levels are allowed")]
    cost = estimate_cost(body, first_line)
    if cost.total > MAX_COST:
        shape, (seconds, _, line) = max(cost.shapes.items(), key=lambda item: item[1][0])
        return [error(shown, line, "body.too-complex", f"pandoc would need about {cost.total:.0f} s for this body "
                      f"(the limit is {MAX_COST:.0f} s), {seconds / cost.total:.0%} of it for {_FIXES[shape]}")]
    problems, fenced, previous = [], False, ""
    for number, line in enumerate(body.split("\n"), first_line):
        expanded = line.expandtabs(4)
        markers = _MARKERS.match(expanded).group(0)
        depth = max(len(expanded) - len(expanded.lstrip(" >")), len(markers))
        if depth > MAX_INDENT and expanded.strip():
            return problems + [error(shown, number, "body.too-deep",
                                     f"this line is nested {depth} columns deep; lists and quotes may nest at most "
                                     f"{MAX_INDENT // 4} levels")]
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (_ATX_H1.match(line) or _HTML_H1.search(line)
                             or (_SETEXT_H1.match(line) and previous.strip())):
            problems.append(error(shown, number, "body.h1", "a level-1 heading in the body; the title is the page's "
                                  "only level-1 heading, so start sections at '##'"))
        previous = line
    return problems
