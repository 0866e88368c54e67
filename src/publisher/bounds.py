"""Bounds on an article body before pandoc sees it: size, nesting, and the page's one h1.

pandoc's time and memory grow fast on some shapes of Markdown (deeply nested lists, quotes and
brackets); these checks refuse such a body with its line before it is converted.
"""

from __future__ import annotations

import re

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
