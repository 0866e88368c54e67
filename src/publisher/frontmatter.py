"""Split a Markdown file into YAML front matter and body, keeping line numbers for errors.

YAML is read with a safe loader that also refuses aliases (no "billion laughs") and leaves
dates as text, so every date goes through the one ISO 8601 rule in ``dates.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, error


class ContentLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps and without anchors/aliases."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in front matter; write the value out", event.start_mark
            )
        return super().compose_node(parent, index)


ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

if getattr(yaml, "__with_libyaml__", False):
    class FastContentLoader(yaml.CSafeLoader):
        """The same rules, parsed by libyaml (C): for front matter without '&' or '*', so without
        anchors or aliases. Anything it cannot read goes to ContentLoader, whose messages count."""

    FastContentLoader.yaml_implicit_resolvers = ContentLoader.yaml_implicit_resolvers
else:  # PyYAML built without libyaml: the Python loader for everything
    FastContentLoader = None


# What PyYAML's safe constructors raise, besides YAMLError, for explicit tags with bad values
# (!!int abc, !!timestamp soon) or input nested too deep to build.
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError)


@dataclass(frozen=True)
class Document:
    data: dict[str, Any]
    lines: dict[str, int]  # top-level key -> line in the file (1-based)
    body: str
    body_line: int


def read_text(path: Path, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """Read UTF-8 (a BOM is accepted), normalising Windows line endings."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [error(shown, line, "file.encoding",
                            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def parse_document(text: str, shown: str) -> tuple[Document | None, list[Diagnostic]]:
    lines = text.split("\n")
    if not text.strip():
        return None, [error(shown, 1, "frontmatter.empty", "the file is empty; it needs front matter between '---' lines and a body")]
    if lines[0].strip() != "---":
        return None, [error(shown, 1, "frontmatter.missing",
                            "the file must start with front matter: a '---' line, YAML keys, then another '---' line")]
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None, [error(shown, 1, "frontmatter.unclosed",
                            "the front matter opened on line 1 is never closed; add a '---' line after the last key")]
    yaml_text = "\n".join(lines[1:end])
    fast = _parse_fast(yaml_text, shown)
    if fast is not None:
        data, key_lines = fast
        return Document(data, key_lines, "\n".join(lines[end + 1:]), end + 2), []
    loader = None
    try:
        loader = ContentLoader(yaml_text)
        try:
            node = loader.get_single_node()
            if node is None:
                data, key_lines = {}, {}
            elif not isinstance(node, yaml.MappingNode):
                return None, [error(shown, node.start_mark.line + 2, "frontmatter.yaml",
                                    "front matter must be a mapping of 'key: value' lines")]
            else:
                data, key_lines, problems = _construct_mapping(loader, node, shown)
                if problems:
                    return None, problems
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        return None, [_yaml_diagnostic(exc, shown)]
    except UNREADABLE as exc:
        # nesting too deep for PyYAML's recursive composer: report where its reader stopped
        line = getattr(loader, "line", 0) + 2
        # Python words a RecursionError by where it struck: name it the same way every time
        detail = "values are nested too deeply to read" if isinstance(exc, RecursionError) else \
            f"{type(exc).__name__}: {str(exc)[:120] or 'a value cannot be read'}"
        return None, [error(shown, line, "frontmatter.yaml", f"front matter is not valid YAML: {detail}; "
                            "write values plainly, nested less deeply")]
    body = "\n".join(lines[end + 1:])
    return Document(data, key_lines, body, end + 2), []


def _parse_fast(yaml_text: str, shown: str):
    """(data, key lines) read by libyaml, or None: then ContentLoader reads it (and reports)."""
    if FastContentLoader is None or "&" in yaml_text or "*" in yaml_text \
            or yaml.reader.Reader.NON_PRINTABLE.search(yaml_text):
        return None
    loader = FastContentLoader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            return None
        data, key_lines, problems = _construct_mapping(loader, node, shown)
        return None if problems else (data, key_lines)
    except (yaml.YAMLError, *UNREADABLE):
        return None
    finally:
        loader.dispose()


def _construct_mapping(loader, node, shown):
    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    problems: list[Diagnostic] = []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 2  # +1 for 1-based, +1 for the opening '---'
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            problems.append(error(shown, line, "frontmatter.yaml", f"key {key!r} must be text"))
            continue
        if key in data:
            problems.append(error(shown, line, "frontmatter.duplicate",
                                  f"key {key!r} appears twice (first on line {key_lines[key]}); keep one"))
            continue
        try:
            data[key] = loader.construct_object(value_node, deep=True)
        except UNREADABLE as exc:
            problems.append(error(shown, line, "frontmatter.yaml", f"{key!r} has a value YAML cannot read "
                                  f"({type(exc).__name__}: {str(exc)[:100]}); write it plainly, without a !!tag"))
            continue
        key_lines[key] = line
    return data, key_lines, problems


def _yaml_diagnostic(exc: yaml.YAMLError, shown: str) -> Diagnostic:
    # Where a construct was opened (an unclosed '[' or quote) is more useful than where parsing gave up.
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    line = mark.line + 2 if mark is not None else 2
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if context and getattr(exc, "context_mark", None) is not None:
        problem = f"{context}: {problem}"
    if "\\t" in problem or "\t" in problem:
        problem += " (YAML does not allow tabs; indent with spaces)"
    return error(shown, line, "frontmatter.yaml", f"front matter is not valid YAML: {problem}")
