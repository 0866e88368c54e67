"""Word debris out of pandoc's document tree, before it is written as an article's Markdown.

What a Word file holds that an article must not: empty paragraphs, numbers and bullets typed by
hand, hard line breaks, non-breaking and invisible spaces, bookmarks, styles' spans and divs,
image sizes in inches, and Word's own heading levels. Tracked changes and comments are read
here too (pandoc's ``--track-changes=all`` spans), so that ``publish import`` can list them.
The tree is pandoc's JSON (pandoc-types 1.23), edited in place and returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sanitise import normalise_text

SPACES = re.compile("[\u00a0\u2007\u202f\t]+")  # non-breaking, figure and narrow spaces, tabs
INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, zero-width space, word joiner, BOM
BULLETS = "\u2022\u25e6\u25aa\u2023\u00b7\u2013\u2014\u25cf\u25a0\uf0b7\uf0a7\uf0d8-*"  # typed, or Symbol/Wingdings
NUMBER = re.compile(r"\(?(\d{1,3})([.)])")
CHANGE_KINDS = {"insertion": "insertion", "deletion": "deletion",
                "paragraph-insertion": "inserted paragraph break", "paragraph-deletion": "deleted paragraph break"}


@dataclass(frozen=True)
class Remark:
    """A tracked change or a comment, with the opening words of the paragraph it is in."""
    kind: str  # "insertion", "deletion", ..., or "comment"
    author: str
    date: str
    text: str
    paragraph: int  # 1-based, counting the document's paragraphs and headings
    context: str


def stringify(inlines: list) -> str:
    """The text of inlines, as a reader sees it."""
    parts = []
    for inline in inlines:
        kind, content = inline.get("t"), inline.get("c")
        if kind == "Str":
            parts.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            parts.append(stringify(content))
        elif kind in ("Span", "Quoted", "Cite", "Link", "Image"):
            inner = stringify(content[1])
            parts.append(f"\u201c{inner}\u201d" if kind == "Quoted" else inner)
        elif kind == "Code":
            parts.append(content[1])
    return "".join(parts)


def _attributes(span) -> tuple[list[str], dict[str, str]]:
    _, classes, pairs = span["c"][0]
    return classes, dict(pairs)


# Tracked changes and comments

def remarks(blocks: list) -> list[Remark]:
    """Every tracked change and comment in document order."""
    found: list[Remark] = []
    for number, (block, inlines) in enumerate(_paragraphs(blocks), 1):
        context = " ".join(stringify(_without_comments(inlines)).split())
        context = context if len(context) <= 60 else context[:57].rstrip() + "..."
        for span in _spans(inlines):
            classes, pairs = _attributes(span)
            kind = next((CHANGE_KINDS[c] for c in classes if c in CHANGE_KINDS), None)
            if kind is None and "comment-start" in classes:
                kind = "comment"
            if kind is not None:
                text = " ".join(stringify(span["c"][1]).split())
                found.append(Remark(kind, pairs.get("author", "unknown author"), pairs.get("date", "")[:10],
                                    text, number, context))
    return found


def _without_comments(inlines: list) -> list:
    """The paragraph's own words: a comment's text sits inside it in pandoc's tree."""
    return [i for i in inlines if not (i.get("t") == "Span" and "comment-start" in i["c"][0][1])]


def _paragraphs(blocks: list):
    """(block, inlines) of every paragraph-like block, depth first, in reading order."""
    for block in blocks:
        kind, content = block.get("t"), block.get("c")
        if kind in ("Para", "Plain"):
            yield block, content
        elif kind == "Header":
            yield block, content[2]
        elif kind == "BlockQuote":
            yield from _paragraphs(content)
        elif kind == "Div":
            yield from _paragraphs(content[1])
        elif kind == "BulletList":
            for item in content:
                yield from _paragraphs(item)
        elif kind == "OrderedList":
            for item in content[1]:
                yield from _paragraphs(item)
        elif kind == "Figure":
            yield from _paragraphs(content[2])
        elif kind == "Table":
            for cell_blocks in _table_cells(content):
                yield from _paragraphs(cell_blocks)


def _table_cells(table: list):
    _, _, _, head, bodies, foot = table
    rows = list(head[1]) + [row for body in bodies for row in body[2] + body[3]] + list(foot[1])
    for row in rows:
        for cell in row[1]:
            yield cell[4]


def _spans(inlines: list):
    for inline in inlines:
        kind, content = inline.get("t"), inline.get("c")
        if kind == "Span":
            yield inline
            yield from _spans(content[1])
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            yield from _spans(content)
        elif kind in ("Quoted", "Link"):
            yield from _spans(content[1])


# Cleaning

def clean_blocks(blocks: list) -> list:
    """Blocks without Word's debris; typed numbering and bullets become lists."""
    cleaned = []
    for block in blocks:
        cleaned += _clean_block(block)
    return _typed_lists([b for b in cleaned if not _empty(b)])


def _clean_block(block: dict) -> list:
    kind, content = block.get("t"), block.get("c")
    if kind in ("Para", "Plain"):
        return [{"t": kind, "c": clean_inlines(content)}]
    if kind == "Header":
        return [{"t": "Header", "c": [content[0], ["", [], []], clean_inlines(content[2])]}]
    if kind == "Div":  # a style's or a bookmark's wrapper: only its content is the article's
        return clean_blocks(content[1])
    if kind == "BlockQuote":
        return [{"t": kind, "c": clean_blocks(content)}]
    if kind == "BulletList":
        return [{"t": kind, "c": [clean_blocks(item) for item in content]}]
    if kind == "OrderedList":
        return [{"t": kind, "c": [content[0], [clean_blocks(item) for item in content[1]]]}]
    if kind == "Figure":
        caption = content[1]
        return [{"t": kind, "c": [["", [], []], [caption[0], clean_blocks(caption[1])], clean_blocks(content[2])]}]
    if kind == "Table":
        for cell in (c for row in _table_rows(content) for c in row[1]):
            cell[4] = clean_blocks(cell[4])
        content[0] = ["", [], []]
        content[2] = [[align, {"t": "ColWidthDefault"}] for align, _ in content[2]]  # Word's widths: a pipe table
        return [block]
    if kind in ("RawBlock",):
        return []
    return [block]


def _table_rows(table: list):
    _, _, _, head, bodies, foot = table
    return list(head[1]) + [row for body in bodies for row in body[2] + body[3]] + list(foot[1])


def clean_inlines(inlines: list) -> list:
    out: list = []
    for inline in inlines:
        out += _clean_inline(inline)
    return _tidy_spaces(out)


def _clean_inline(inline: dict) -> list:
    kind, content = inline.get("t"), inline.get("c")
    if kind == "Str":
        return _split_spaces(INVISIBLE.sub("", normalise_text(content)))
    if kind in ("LineBreak", "SoftBreak"):
        return [{"t": "Space"}]
    if kind == "Span":  # bookmarks, highlights, styles: keep the words
        return clean_inlines(content[1])
    if kind in ("Underline", "SmallCaps"):  # underlining reads as a link on a page: emphasis instead
        inner = clean_inlines(content)
        return [{"t": "Emph", "c": inner}] if kind == "Underline" and inner else inner
    if kind in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript"):
        inner = clean_inlines(content)
        return [{"t": kind, "c": inner}] if any(i["t"] != "Space" for i in inner) else inner
    if kind == "Link":
        target = content[2][0]
        words = clean_inlines(content[1])
        if target.startswith("#"):  # a bookmark (a table of contents, a cross-reference): not on the page
            return words
        return [{"t": "Link", "c": [["", [], []], words, content[2]]}]
    if kind == "Image":
        return [{"t": "Image", "c": [["", [], []], clean_inlines(content[1]), content[2]]}]
    if kind == "Quoted":
        return [{"t": kind, "c": [content[0], clean_inlines(content[1])]}]
    if kind == "RawInline":
        return []
    return [inline]


def _split_spaces(text: str) -> list:
    out: list = []
    for index, piece in enumerate(SPACES.split(text)):
        if index:
            out.append({"t": "Space"})
        if piece:
            out.append({"t": "Str", "c": piece})
    return out


def _tidy_spaces(inlines: list) -> list:
    """No space twice in a row, none at either end."""
    out: list = []
    for inline in inlines:
        if inline["t"] == "Space" and (not out or out[-1]["t"] == "Space"):
            continue
        if inline["t"] == "Str" and out and out[-1]["t"] == "Str":
            out[-1] = {"t": "Str", "c": out[-1]["c"] + inline["c"]}
            continue
        out.append(inline)
    while out and out[-1]["t"] == "Space":
        out.pop()
    return out


def _empty(block: dict) -> bool:
    kind, content = block.get("t"), block.get("c")
    if kind in ("Para", "Plain"):
        return not content
    if kind == "Header":
        return not content[2]
    if kind in ("BulletList", "BlockQuote"):
        return not content
    return False


def _marker(block: dict):
    """('bullet', None) or ('number', n, delimiter) when a paragraph starts with a typed marker."""
    if block.get("t") != "Para" or not block["c"] or block["c"][0]["t"] != "Str":
        return None
    first = block["c"][0]["c"]
    alone = len(block["c"]) > 2 and block["c"][1]["t"] == "Space"
    if first[0] in BULLETS and (alone if len(first) == 1 else first[0] not in "-*\u2013\u2014"):
        return ("bullet",)
    number = NUMBER.fullmatch(first)
    if number and alone:
        return ("number", int(number.group(1)), number.group(2))
    return None


def _unmarked(block: dict) -> list:
    """The paragraph's words without their typed marker, as a list item's paragraph."""
    inlines = block["c"]
    first = inlines[0]["c"]
    marker = _marker(block)
    if marker[0] == "bullet" and len(first) > 1:
        rest = [{"t": "Str", "c": first[1:]}] + inlines[1:]
    else:
        rest = inlines[1:]
    return [{"t": "Plain", "c": _tidy_spaces([i for n, i in enumerate(rest) if n or i["t"] != "Space"])}]


def _typed_lists(blocks: list) -> list:
    """Runs of paragraphs that start with a typed bullet (one or more), or with numbers counting
    up by one (two or more), become a list."""
    out, index = [], 0
    while index < len(blocks):
        marker = _marker(blocks[index])
        run = [blocks[index]] if marker else []
        while marker and index + len(run) < len(blocks):
            following = _marker(blocks[index + len(run)])
            if following is None or following[0] != marker[0]:
                break
            if marker[0] == "number" and following[1:] != (marker[1] + len(run), marker[2]):
                break
            run.append(blocks[index + len(run)])
        if marker and (marker[0] == "bullet" or len(run) >= 2):
            items = [_unmarked(paragraph) for paragraph in run]
            if marker[0] == "bullet":
                out.append({"t": "BulletList", "c": items})
            else:
                delimiter = {".": "Period", ")": "OneParen"}[marker[2]]
                out.append({"t": "OrderedList", "c": [[marker[1], {"t": "Decimal"}, {"t": delimiter}], items]})
            index += len(run)
        else:
            out.append(blocks[index])
            index += 1
    return out


def shift_headings(blocks: list) -> list:
    """Sections start at ``##``: the highest heading level left becomes 2, the rest follow (at most 6)."""
    levels = [b["c"][0] for b in blocks if b.get("t") == "Header"]
    if levels:
        shift = 2 - min(levels)
        for block in blocks:
            if block.get("t") == "Header":
                block["c"][0] = max(2, min(6, block["c"][0] + shift))
    return blocks


def take_title(blocks: list, title: str | None) -> tuple[str | None, list]:
    """The page title and the blocks without it: ``title`` (the document's Title paragraph), or
    else a first heading that is the only one at its level or above; a first heading that repeats
    the title is dropped either way."""
    first = blocks[0] if blocks and blocks[0].get("t") == "Header" else None
    if first is not None:
        text = " ".join(stringify(first["c"][2]).split())
        others = [b["c"][0] for b in blocks[1:] if b.get("t") == "Header"]
        if title and text.casefold() == title.casefold():
            return title, blocks[1:]
        if not title and all(level > first["c"][0] for level in others):
            return text, blocks[1:]
    return title, blocks
