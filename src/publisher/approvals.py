"""Approvals bound to the text: who signed off which words, kept in ``content/approvals.yaml``.

A reviewer approves what the review copy showed them: the title, the description, the body, the
plain summary and the full texts of the article's resolved disclaimers. Each part is hashed, and
the article's fingerprint is the hash of those hashes, so an approval names exactly what it
covers and, when the text moves on, which part changed. Layouts and settings are not in it: a new
stylesheet needs no new sign-off. ``publish approve`` writes the file (one entry per article and
role, atomically); a team keeps it in version control beside the articles.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from . import schema
from .dates import Moment
from .errors import Diagnostic, PublishError, error, warning
from .frontmatter import read_yaml_file, write_source
from .model import Article, Disclaimer, Review
from .schema import ARTICLE_KEY_RE, SLUG_RE, Field

APPROVALS_NAME = "approvals.yaml"
FINGERPRINT_RE = re.compile(r"sha256:[0-9a-f]{64}")
DIGEST_RE = re.compile(r"[0-9a-f]{64}")
PART_RE = re.compile(r"(?:title|description|body|plain_summary|disclaimer:[a-z0-9]+(?:-[a-z0-9]+)*)")
HEADER = """\
# Approvals, written by 'publish approve': one entry per article and role, bound by its
# fingerprint to the exact words the reviewer saw (title, description, body, plain summary and
# the disclaimers' texts). Keep this file in version control. Do not edit it by hand: when an
# article changes, review it again ('publish review SLUG') and approve it again.
"""


@dataclass(frozen=True)
class Fingerprint:
    parts: dict  # part name -> sha256 of its text

    @property
    def value(self) -> str:
        canonical = json.dumps(self.parts, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return "sha256:" + hashlib.sha256(canonical).hexdigest()

    def changes(self, recorded: dict) -> list[str]:
        """The parts that differ from ``recorded``, in words: 'the body', 'the disclaimer crisis-help (added)'."""
        found = []
        for name in sorted(set(self.parts) | set(recorded), key=_part_order):
            if self.parts.get(name) == recorded.get(name):
                continue
            what = describe_part(name)
            found.append(what + (" (added)" if name not in recorded else " (removed)" if name not in self.parts else ""))
        return found


def _part_order(name: str) -> tuple:
    fixed = ("title", "description", "body", "plain_summary")
    return (fixed.index(name), "") if name in fixed else (len(fixed), name)


def describe_part(name: str) -> str:
    if name.startswith("disclaimer:"):
        return f"the disclaimer {name.removeprefix('disclaimer:')}"
    return "the plain summary" if name == "plain_summary" else f"the {name}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def fingerprint(article: Article, disclaimers: tuple[Disclaimer, ...]) -> Fingerprint:
    """What a reviewer of ``article`` read. A summary drafted at build time ([summary] auto) is
    drawn from the body, so the body's hash covers it; an authored one is a part of its own."""
    parts = {"title": _digest(article.title), "description": _digest(article.description),
             "body": _digest(article.body), "plain_summary": _digest(article.plain_summary or "")}
    for disclaimer in disclaimers:
        parts[f"disclaimer:{disclaimer.id}"] = _digest(json.dumps(
            [disclaimer.title, disclaimer.short, disclaimer.plain, disclaimer.body.strip()], ensure_ascii=False))
    return Fingerprint(parts)


@dataclass(frozen=True)
class Approval:
    slug: str
    role: str
    by: str
    on: Moment
    fingerprint: str
    parts: dict
    line: Optional[int] = None  # in approvals.yaml
    source: str = APPROVALS_NAME  # approvals.yaml as the project shows it

    def as_manifest(self) -> dict:
        return {"role": self.role, "by": self.by, "on": self.on.isoformat(), "fingerprint": self.fingerprint}


def _fingerprint_text(value) -> str:
    if not isinstance(value, str) or not FINGERPRINT_RE.fullmatch(value):
        raise ValueError("must be 'sha256:' and 64 hexadecimal digits, as 'publish approve' writes it")
    return value


def _parts(value) -> dict:
    if not isinstance(value, dict) or not all(isinstance(k, str) and PART_RE.fullmatch(k) and isinstance(v, str)
                                              and DIGEST_RE.fullmatch(v) for k, v in value.items()):
        raise ValueError("must map each part (title, description, body, plain_summary, disclaimer:ID) to its sha256")
    return dict(value)


APPROVAL_FIELDS = {
    "by": Field(schema.plain_text, required=True),
    "date": Field(schema.moment, required=True),  # not "on", which YAML 1.1 reads as true
    "fingerprint": Field(_fingerprint_text, required=True),
    "parts": Field(_parts, required=True),
}


def load_approvals(content: Path, shown: str, inside: Path | None = None) -> tuple[dict, list[Diagnostic]]:
    """{slug: {role: Approval}} from ``content/approvals.yaml`` (absent: none), and its problems."""
    node, data, problems = read_yaml_file(content / APPROVALS_NAME, shown, inside, "approvals", {})
    if problems or node is None:
        return {}, problems
    fix = "write it with 'publish approve', which keeps its shape"
    if not isinstance(data, dict):
        return {}, [error(shown, 1, "approvals.entry", f"the file must map each article's slug to its roles; {fix}")]
    found: dict[str, dict[str, Approval]] = {}
    for slug_node, roles_node in node.value:
        slug, roles = slug_node.value, data.get(slug_node.value)
        line = slug_node.start_mark.line + 1
        if not isinstance(slug, str) or not ARTICLE_KEY_RE.fullmatch(slug) or not isinstance(roles, dict):
            problems.append(error(shown, line, "approvals.entry", f"{slug!r} must be an article's slug mapping each "
                                  f"role to its approval; {fix}"))
            continue
        for role_node, record_node in roles_node.value:
            role, record = role_node.value, roles.get(role_node.value)
            line = role_node.start_mark.line + 1
            if not SLUG_RE.fullmatch(str(role)) or not isinstance(record, dict):
                problems.append(error(shown, line, "approvals.entry", f"{slug}: {role!r} must be a role name "
                                      f"(such as medical) mapping to by, date, fingerprint and parts; {fix}"))
                continue
            lines = {str(k.value): k.start_mark.line + 1 for k, _ in record_node.value}
            values, wrong = schema.check_mapping(record, APPROVAL_FIELDS, path=shown, lines=lines,
                                                 code="approvals", first_line=line)
            problems += wrong
            if not wrong:
                values["on"] = values.pop("date")
                found.setdefault(slug, {})[role] = Approval(slug, role, line=line, source=shown, **values)
    return found, problems


def approvals_yaml(approvals: dict) -> str:
    """The whole file, in a stable order (slugs, then roles, sorted): a diff shows only what changed."""
    data = {slug: {role: {"by": a.by, "date": a.on.isoformat(), "fingerprint": a.fingerprint,
                          "parts": dict(sorted(a.parts.items(), key=lambda item: _part_order(item[0])))}
                   for role, a in sorted(roles.items())}
            for slug, roles in sorted(approvals.items()) if roles}
    return HEADER + (yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100) if data else "{}\n")


def record_approval(content: Path, shown: str, approval: Approval, inside: Path | None = None) -> Optional[Approval]:
    """Add or replace one article's approval for one role; return the one it replaced."""
    approvals, problems = load_approvals(content, shown, inside)
    if problems:
        raise PublishError(problems)
    replaced = approvals.setdefault(approval.slug, {}).get(approval.role)
    approvals[approval.slug][approval.role] = approval
    write_source(content / APPROVALS_NAME, approvals_yaml(approvals).encode("utf-8"), shown,
                 new=not (content / APPROVALS_NAME).exists())
    return replaced


ROLE_LABELS = {"medical": "Medically reviewed"}


def review_label(role: str) -> str:
    return ROLE_LABELS.get(role, f"Reviewed ({role.replace('-', ' ')})")


def reviews_of(article: Article, print_: Fingerprint, recorded: dict) -> tuple[Review, ...]:
    """The reviews a page may show: approvals whose fingerprint matches today's text (medical
    first). An article with no approval at all keeps its front matter review (reviewed_by,
    reviewed_on), shown as before: a review that is not bound to the text."""
    if recorded:
        matching = [a for a in recorded.values() if a.fingerprint == print_.value]
        matching.sort(key=lambda a: (a.role != "medical", a.role))
        return tuple(Review(a.role, review_label(a.role), a.by, a.on, a.fingerprint) for a in matching)
    if article.reviewed_by:
        return (Review("medical", review_label("medical"), article.reviewed_by, article.reviewed_on, None),)
    return ()


def check_approvals(article: Article, print_: Fingerprint, recorded: dict, roles: tuple[str, ...],
                    now: Moment) -> list[Diagnostic]:
    """Each required role needs an approval of today's text; an approval may not be dated after now."""
    problems = []
    for approval in recorded.values():
        if approval.on.instant > now.instant:
            problems.append(error(approval.source, approval.line, "approval.future",
                                  f"the {approval.role} approval of {article.slug} is dated {approval.on}, after "
                                  f"{now}: approve with the day the review was done (--on DATE)"))
    again = (f"review and approve again ('publish review {article.slug}', then "
             f"'publish approve {article.slug} --role ROLE --by NAME')")
    for role in sorted(set(roles) | set(recorded), key=lambda r: (r not in roles, r)):
        approval = recorded.get(role)
        if approval is None:
            problems.append(error(article.source, 1, "approval.missing",
                                  f"no {role} approval: [review] roles needs one; " + again.replace("ROLE", role)
                                  .replace("review and approve again", "have it reviewed and approved")))
        elif approval.fingerprint != print_.value:
            parts = print_.changes(approval.parts)
            message = (f"changed since the {role} approval of {approval.on} by {approval.by} "
                       f"({_and(parts) or 'the fingerprint'} changed): " + again.replace("ROLE", role))
            report = error if role in roles else warning
            code = "approval.changed" if role in roles else "approval.outdated"
            problems.append(report(article.source, _line_of_part(article, parts), code,
                                   message if role in roles else message + "; until then the page shows no "
                                   f"{role} review"))
    return problems


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def _line_of_part(article: Article, parts: list[str]) -> Optional[int]:
    """Where the first changed part starts in the article's file (None for a disclaimer)."""
    first = parts[0] if parts else ""
    if first == "the body":
        return article.body_line
    for key in ("title", "description", "plain_summary"):
        if first == describe_part(key):
            return article.lines.get(key)
    return None
