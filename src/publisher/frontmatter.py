"""Split a Markdown file into YAML front matter and body, keeping line numbers for errors.

YAML is read with a safe loader that also refuses aliases (no "billion laughs") and leaves
dates as text, so every date goes through the one ISO 8601 rule in ``dates.py``.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, PublishError, error
from .sanitise import normalise_text, surrogate_in


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


def read_text(path: Path, shown: str, inside: Path | None = None) -> tuple[str | None, list[Diagnostic]]:
    """Read UTF-8 (a BOM is accepted), normalising Windows line endings and control characters
    (sanitise.normalise_text). With ``inside``, a file that resolves outside that folder (a
    symbolic link out of the project) is refused, never read."""
    if inside is not None:
        problem = outside(path, inside, shown)
        if problem:
            return None, [problem]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [error(shown, None, "file.unreadable", f"cannot be read ({exc.strerror}); check its permissions")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [error(shown, line, "file.encoding",
                            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")]
    return normalise_text(text.replace("\r\n", "\n").replace("\r", "\n")), []


def write_source(path: Path, data: bytes, shown: str, *, new: bool = False) -> None:
    """Write a source file as editors do: a temporary file in the same folder, then a rename, so no
    reader sees half a file; never through a symbolic link; with ``new``, never over a file that
    exists (the name is taken by a hard link, which fails when anything holds it already)."""
    if path.is_symlink():
        raise PublishError([error(shown, None, "file.link", "is a symbolic link, and publish never writes through "
                                  "one: replace the link with a copy of the file, or pass another --slug")])
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise PublishError([error(shown, None, "file.write", f"cannot be written ({exc.strerror}); check the "
                                  "folder's permissions")]) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask if new else stat.S_IMODE(path.stat().st_mode))
        if new:
            os.link(temporary, path)
        else:
            os.replace(temporary, path)
    except FileExistsError:
        raise PublishError([error(shown, None, "new.exists", "exists already; pass another --slug")]) from None
    except OSError as exc:
        raise PublishError([error(shown, None, "file.write", f"cannot be written ({exc.strerror}); check the "
                                  "file's and the folder's permissions")]) from None
    finally:
        Path(temporary).unlink(missing_ok=True)


def outside(path: Path, folder: Path, shown: str) -> Diagnostic | None:
    """An error when ``path`` (following every symbolic link) lies outside ``folder``."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a broken link, or a loop of links
        return error(shown, None, "file.link", "is a symbolic link that leads nowhere; replace it with the file")
    if target.is_relative_to(folder.resolve()):
        return None
    return error(shown, None, "file.outside", f"is a symbolic link to {target}, outside the project; files outside "
                 "the project are never read: copy the file into the project instead")


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
        data[key], surrogate = _normalised(data[key])
        if surrogate:
            problems.append(error(shown, line, "frontmatter.yaml", f"{key!r} holds the escape {surrogate}, half of a "
                                  "character pair and not a character of its own; write the character itself"))
            continue
        key_lines[key] = line
    return data, key_lines, problems


def _normalised(value: Any) -> tuple[Any, str | None]:
    """A YAML value with control characters that escapes made (``"\\x07"``) normalised, as
    read_text does for the file itself; and the first lone surrogate an escape made, if any."""
    if isinstance(value, str):  # a "\\r" escape is a line break, as in the file itself
        return normalise_text(value.replace("\r\n", "\n").replace("\r", "\n")), surrogate_in(value)
    if isinstance(value, list):
        pairs = [_normalised(item) for item in value]
        return [v for v, _ in pairs], next((bad for _, bad in pairs if bad), None)
    if isinstance(value, dict):
        pairs = {k: _normalised(v) for k, v in value.items()}
        bad = next((b for _, b in pairs.values() if b), None)
        return {k: v for k, (v, _) in pairs.items()}, bad or next((surrogate_in(k) for k in pairs
                                                                   if isinstance(k, str) and surrogate_in(k)), None)
    return value, None


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


def read_yaml_file(path: Path, shown: str, inside: Path | None, code: str, empty: Any):
    """A whole YAML file of content/ (glossary, claims, approvals) read with the front matter's
    rules: (its root node for line numbers, its data, problems); ``empty`` when absent or unreadable.
    ``code`` prefixes the diagnostic of bad YAML ("glossary" gives "glossary.yaml")."""
    if not path.is_file():
        return None, empty, []
    text, problems = read_text(path, shown, inside)
    if text is None:
        return None, empty, problems
    loader = ContentLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else empty
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, empty, [error(shown, mark.line + 1 if mark else None, f"{code}.yaml",
                                   f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    except UNREADABLE as exc:
        return None, empty, [error(shown, None, f"{code}.yaml", f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    return node, data, []
