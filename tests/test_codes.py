"""One registry of diagnostic codes (src/publisher/codes.py): every code the source can emit is
in it, nothing in it is unused, and the documentation's error reference is generated from it."""

from __future__ import annotations

import re

from conftest import REPO

from publisher.codes import CODES
from publisher.reference import errors

SOURCE = REPO / "src" / "publisher"
NOT_CODES = {"feed.xml", "content.xml"}  # file names that look like codes
HOLE = "\0"  # where an f-string puts a value


def _pattern(name: str) -> re.Pattern:
    """'config.<section>.<key>' matches 'config.pdf.max_pages'."""
    return re.compile(re.sub(r"<[a-z]+>", "[a-z0-9_-]+", re.escape(name).replace(r"\<", "<").replace(r"\>", ">")))


def _families() -> set[str]:
    return {name.split(".")[0] for code in CODES for name in code.names}


def _used() -> tuple[set[str], set[str]]:
    """(code literals, f-string code templates with each {...} as HOLE) in the source. schema.py
    composes '<prefix>.unknown', '<prefix>.missing' and '<prefix>.<key>' from the prefix a loader
    gives it ("frontmatter", "disclaimer", f"config.{name}")."""
    families = "|".join(sorted(_families()))
    literals, templates = set(), set()
    for path in SOURCE.rglob("*.py"):
        if path.name == "codes.py":
            continue
        text = path.read_text(encoding="utf-8")
        literals |= set(re.findall(rf'(?<![\w{{/])"((?:{families})\.[a-z0-9.-]+)"', text)) - NOT_CODES
        templates |= {re.sub(r"\{[^}]*\}", HOLE, t) for t in re.findall(rf'f"((?:{families})\.[^"]*)"', text)}
        # content.py's loaders, through schema.py
        for prefix in re.findall(r'_read_checked\(path, shown, [A-Z_]+, "([a-z]+)"', text) \
                + re.findall(r'check_mapping\([^)]*code="([a-z]+)"', text):
            literals |= {f"{prefix}.unknown", f"{prefix}.missing"}
            templates.add(f"{prefix}.{HOLE}")
        # YAML files of content/, through frontmatter.read_yaml_file: '<prefix>.yaml'
        literals |= {f"{prefix}.yaml" for prefix in re.findall(r'read_yaml_file\([^)]*"([a-z]+)", ', text)}
    return literals, templates


def test_every_code_the_source_emits_is_in_the_registry():
    literals, templates = _used()
    patterns = [_pattern(name) for code in CODES for name in code.names]
    assert literals and templates
    missing = sorted(c for c in literals if not any(p.fullmatch(c) for p in patterns))
    assert missing == [], f"add these to src/publisher/codes.py: {missing}"
    names = [name for code in CODES for name in code.names]
    loose = sorted(t for t in templates if not any(name.startswith(t.split(HOLE)[0]) for name in names))
    assert loose == [], f"no registry entry covers these code templates: {loose}"


def test_nothing_in_the_registry_is_unused():
    literals, templates = _used()
    unused = sorted(name for code in CODES for name in code.names
                    if "<" not in name and name not in literals
                    and not any(_pattern(t.replace(HOLE, "<x>")).fullmatch(name) for t in templates))
    assert unused == [], f"no source emits these; remove them from src/publisher/codes.py: {unused}"


def test_the_error_reference_lists_every_code():
    page = errors()
    assert all(f"`{name}`" in page for code in CODES for name in code.names)


def test_each_code_is_listed_once():
    names = [name for code in CODES for name in code.names]
    assert len(names) == len(set(names))
