"""``publish import FILE``: a Word (.docx) or OpenDocument (.odt) file as a draft page bundle.

Agencies deliver Word files, so the file is untrusted: its size and its unzipped size are bounded
before anything else reads it; every member is unzipped here (CRC checked), and pandoc reads that
verified copy from stdin, sandboxed, with a time limit. Document properties are read with
defusedxml. pandoc turns the document into a tree, wordclean.py takes Word's debris out of it,
the embedded images become ``image-N.<type>`` beside ``index.md`` (checked by their bytes), and
pandoc writes the Markdown. Tracked changes are refused unless the caller says to accept or
reject them; comments come back as warnings. Nothing is written until all of it has succeeded.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as SafeXML
import pypandoc
import yaml
from defusedxml import DefusedXmlException

from . import schema, wordclean
from .bundles import svg_problem
from .errors import Diagnostic, PublishError, error, raise_if_errors, warning
from .frontmatter import write_source
from .scaffold import DESCRIPTION_PLACEHOLDER

MAX_FILE_BYTES = 50 * 2**20
MAX_UNZIPPED_BYTES = 200 * 2**20
MAX_MEMBERS = 10_000
PANDOC_SECONDS = 60
FORMATS = {".docx": "docx", ".odt": "odt"}
MARKDOWN = "markdown-smart-simple_tables-multiline_tables-raw_html-raw_attribute-native_divs-native_spans-bracketed_spans-fenced_divs"
_NS = {"dc": "http://purl.org/dc/elements/1.1/", "cp": "http://schemas.openxmlformats.org/package/2006/metadata/"
       "core-properties", "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
       "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
       "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
_ODT_TITLE_STYLES = ("Title", "Author")


@dataclass(frozen=True)
class Converted:
    """A document as an article would hold it, before anything is written."""
    title: str | None
    properties: dict  # title, author, subject, keywords (empty strings when unset)
    markdown: str
    images: dict  # file name -> bytes
    warnings: list[Diagnostic] = field(default_factory=list)
    without_alt: tuple[str, ...] = ()


def convert_document(file: Path, shown: str, changes: str | None) -> Converted:
    """``file`` converted; every problem found is raised at once. ``changes``: None (refuse tracked
    changes), "accept" or "reject"."""
    kind = FORMATS.get(file.suffix.lower())
    if kind is None:
        hint = ("save it as .docx in Word (File > Save As)" if file.suffix.lower() in (".doc", ".rtf")
                else "publish imports Word (.docx) and OpenDocument (.odt) documents")
        raise PublishError([error(shown, None, "import.file", f"is not a .docx or .odt file; {hint}")])
    members = read_package(file, shown, kind)
    package = _repacked(members)
    properties = read_properties(members, kind, shown)
    everything = pandoc_tree(package, kind, "all", shown)
    remarks = wordclean.remarks(everything["blocks"]) if kind == "docx" else odt_remarks(members, shown)
    tracked = [r for r in remarks if r.kind != "comment"]
    comments = [warning(shown, None, "import.comment", f"comment by {r.author}{_on(r)}: \"{r.text}\"{_where(r)}; "
                        "it is not imported: settle it in the text") for r in remarks if r.kind == "comment"]
    problems = _refuse_changes(tracked, changes, kind, shown)
    raise_if_errors(problems)
    tree = everything if not tracked else pandoc_tree(package, kind, changes, shown)
    blocks = wordclean.clean_blocks(tree["blocks"])
    visible = " ".join(wordclean.stringify(tree["meta"].get("title", {}).get("c", [])).split()) or None
    if kind == "odt":  # pandoc reads the Title and Author paragraphs as plain paragraphs
        visible, blocks = _odt_title(blocks, properties)
    title, blocks = wordclean.take_title(blocks, visible)
    blocks = wordclean.shift_headings(blocks)
    images, without_alt, image_problems = _images(blocks, members, shown)
    raise_if_errors(image_problems)
    body = {"pandoc-api-version": tree["pandoc-api-version"], "meta": {}, "blocks": blocks}
    markdown = _pandoc(["-f", "json", "-t", MARKDOWN, "--wrap=auto", "--columns=100"],
                       json.dumps(body).encode("utf-8"), shown).decode("utf-8")
    return Converted(title or properties["title"] or None, properties, markdown, images, comments, without_alt)


def _on(remark) -> str:
    return f" on {remark.date}" if remark.date else ""


def _where(remark) -> str:
    return f" (paragraph {remark.paragraph}: \"{remark.context}\")" if remark.paragraph else ""


def _refuse_changes(tracked: list, changes: str | None, kind: str, shown: str) -> list[Diagnostic]:
    if not tracked:
        return []
    if kind == "odt" and changes != "accept":
        fix = ("--reject-changes works for .docx only: reject them in LibreOffice (Edit > Track Changes > Manage)"
               if changes == "reject" else
               "accept or reject them in LibreOffice (Edit > Track Changes > Manage), or pass --accept-changes")
        return [error(shown, None, "import.tracked-change", f"the document has {len(tracked)} tracked change"
                      f"{'s' if len(tracked) != 1 else ''} (the first by {tracked[0].author}{_on(tracked[0])}); {fix}")]
    if changes:
        return []
    return [error(shown, None, "import.tracked-change",
                  f"tracked {r.kind} by {r.author}{_on(r)}: \"{r.text}\"{_where(r)}; accept or reject the changes in "
                  "Word (Review > Accept or Reject), or pass --accept-changes or --reject-changes") for r in tracked]


# The package: bounded, verified, and repacked for pandoc

def read_package(file: Path, shown: str, kind: str) -> dict[str, bytes]:
    """Every member of the zip package, unzipped here within the bounds."""
    def refuse(message: str) -> PublishError:
        return PublishError([error(shown, None, "import.file", message)])

    try:
        size = file.stat().st_size
        if not file.is_file():
            raise refuse("is not a file: give the path of a .docx or .odt document")
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror}); check the path") from None
    if size > MAX_FILE_BYTES:
        raise refuse(f"is {size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB an import reads: "
                     "compress its pictures (Word: Picture Format > Compress Pictures) and save it again")
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(file) as archive:
            entries = [e for e in archive.infolist() if not e.is_dir()]
            if len(entries) > MAX_MEMBERS:
                raise refuse(f"holds {len(entries)} parts, over {MAX_MEMBERS}: it is not a document publish imports")
            declared = sum(e.file_size for e in entries)
            if declared > MAX_UNZIPPED_BYTES:
                raise refuse(f"unzips to {declared / 2**20:.0f} MB, over {MAX_UNZIPPED_BYTES // 2**20} MB: compress "
                             "its pictures and save it again")
            for entry in entries:  # zipfile stops at the declared size and checks each CRC
                members[entry.filename] = archive.read(entry)
    except zipfile.BadZipFile:
        raise refuse(f"is not a {kind} document (it is not a zip package, or it is damaged): open it and save "
                     f"it again as .{kind}") from None
    except RuntimeError:  # zipfile's word for an encrypted member
        raise refuse("is password-protected: remove the password (File > Info > Protect Document), save, and "
                     "import again") from None
    except (NotImplementedError, zlib.error, EOFError, ValueError) as exc:
        raise refuse(f"cannot be unzipped ({exc}): open it and save it again as .{kind}") from None
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror}); check the path") from None
    main = "word/document.xml" if kind == "docx" else "content.xml"
    if main not in members:
        raise refuse(f"has no {main}: it is not a {kind} document; open it and save it again as .{kind}")
    return members


def _repacked(members: dict[str, bytes]) -> bytes:
    """The verified members as a fresh zip: pandoc reads exactly what was checked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(members, key=lambda n: n != "mimetype"):  # OpenDocument's mimetype first
            archive.writestr(name, members[name])
    return buffer.getvalue()


def _xml(members: dict[str, bytes], name: str, shown: str):
    data = members.get(name)
    if data is None:
        return None
    try:
        return SafeXML.fromstring(data)
    except (DefusedXmlException, SafeXML.ParseError) as exc:
        raise PublishError([error(shown, None, "import.file", f"its {name} is not valid XML or declares entities "
                                  f"({exc}): open the document and save it again")]) from None


def read_properties(members: dict[str, bytes], kind: str, shown: str) -> dict[str, str]:
    """title, author, subject and keywords from docProps/core.xml or meta.xml ('' when unset)."""
    if kind == "docx":
        root, paths = _xml(members, "docProps/core.xml", shown), {
            "title": "dc:title", "author": "dc:creator", "subject": "dc:subject", "keywords": "cp:keywords"}
    else:
        root, paths = _xml(members, "meta.xml", shown), {
            "title": "office:meta/dc:title", "author": "office:meta/dc:creator",
            "subject": "office:meta/dc:subject", "keywords": "office:meta/meta:keyword"}
    found = {}
    for key, path in paths.items():
        node = root.find(path, _NS) if root is not None else None
        found[key] = " ".join((node.text or "").split()) if node is not None else ""
    if kind == "odt" and root is not None and not found["author"]:
        node = root.find("office:meta/meta:initial-creator", _NS)
        found["author"] = " ".join((node.text or "").split()) if node is not None else ""
    return found


def odt_remarks(members: dict[str, bytes], shown: str) -> list[wordclean.Remark]:
    """Tracked changes and comments (annotations) of an OpenDocument text, which pandoc does not show."""
    root = _xml(members, "content.xml", shown)
    found = []
    for region in root.iter(f"{{{_NS['text']}}}changed-region"):
        for change in region:
            creator = change.find("office:change-info/dc:creator", _NS)
            date = change.find("office:change-info/dc:date", _NS)
            text = " ".join("".join(change.itertext()).split())
            found.append(wordclean.Remark(change.tag.rsplit("}", 1)[-1], _text(creator) or "unknown author",
                                          _text(date)[:10], text, 0, ""))
    for note in root.iter(f"{{{_NS['office']}}}annotation"):
        creator, date = note.find("dc:creator", _NS), note.find("dc:date", _NS)
        words = " ".join(" ".join(p.itertext()) for p in note.iter(f"{{{_NS['text']}}}p"))
        found.append(wordclean.Remark("comment", _text(creator) or "unknown author", _text(date)[:10],
                                      " ".join(words.split()), 0, ""))
    return found


def _text(node) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def _odt_title(blocks: list, properties: dict) -> tuple[str | None, list]:
    """An OpenDocument's first paragraphs that repeat its title and author (its Title and Author
    paragraphs) are the title, not the body."""
    title = None
    for key in ("title", "author"):
        if blocks and blocks[0].get("t") == "Para" and properties[key] and \
                " ".join(wordclean.stringify(blocks[0]["c"]).split()) == properties[key]:
            title = title or (properties[key] if key == "title" else None)
            blocks = blocks[1:]
    return title, blocks


# pandoc

def pandoc_tree(package: bytes, kind: str, track: str, shown: str) -> dict:
    args = ["-f", kind, "-t", "json"] + ([f"--track-changes={track}"] if kind == "docx" else [])
    try:
        return json.loads(_pandoc(args, package, shown))
    except ValueError:
        raise PublishError([error(shown, None, "import.pandoc", "pandoc's reading of it could not be parsed")]) from None


def _pandoc(args: list[str], data: bytes, shown: str) -> bytes:
    try:
        done = subprocess.run([pypandoc.get_pandoc_path(), "--sandbox", *args], input=data, capture_output=True,
                              timeout=PANDOC_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise PublishError([error(shown, None, "import.pandoc", f"pandoc took over {PANDOC_SECONDS} s to read it: "
                                  "split the document")]) from None
    if done.returncode != 0:
        raise PublishError([error(shown, None, "import.pandoc", "pandoc could not read it: "
                                  + done.stderr.decode("utf-8", "replace").strip()[:500])])
    return done.stdout


# Images

_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))


def image_type(data: bytes) -> str | None:
    for magic, extension in _MAGIC:
        if data.startswith(magic):
            return extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "svg"
    return None


def _inlines_of(node):
    """Every inline dict in a pandoc JSON subtree."""
    if isinstance(node, dict):
        if "t" in node:
            yield node
        for value in node.values():
            yield from _inlines_of(value)
    elif isinstance(node, list):
        for value in node:
            yield from _inlines_of(value)


def _images(blocks: list, members: dict[str, bytes], shown: str):
    """Each embedded image named image-N.<type> in order of first use; the tree points at the names."""
    names: dict[str, str] = {}
    images: dict[str, bytes] = {}
    without_alt, problems = [], []
    for node in _inlines_of(blocks):
        if node.get("t") != "Image":
            continue
        target = node["c"][2][0]
        if target not in names:
            member = next((m for m in (target, f"word/{target}") if m in members), None)
            data = members.get(member) if member else None
            kind = image_type(data) if data is not None else None
            if data is None:
                problems.append(error(shown, None, "import.image", f"the picture {target!r} is linked, not embedded: "
                                      "insert the picture itself (Insert > Pictures > This Device) and save again"))
            elif kind is None or (kind == "svg" and svg_problem(data)[0]):
                why = svg_problem(data)[0] if kind == "svg" else "is not a PNG, JPEG, GIF, WebP or SVG image"
                problems.append(error(shown, None, "import.image", f"the picture {member} {why}: save it as PNG or "
                                      "JPEG, insert that instead, and import again"))
            else:
                name = f"image-{len(images) + 1}.{kind}"
                images[name] = data
                names[target] = name
            names.setdefault(target, target)
        node["c"][2][0] = names[target]
        if not wordclean.stringify(node["c"][1]).strip() and names[target] in images:
            without_alt.append(names[target])
    return images, tuple(dict.fromkeys(without_alt)), problems


# Writing

def front_matter(converted: Converted, title: str, author: str, date: str) -> dict:
    """What `publish new` writes, from the document's properties."""
    keywords = [k.strip() for k in converted.properties["keywords"].replace(";", ",").split(",") if k.strip()]
    return {
        "id": str(uuid.uuid4()),
        "title": title,
        "date": date,
        "author": author,
        "description": converted.properties["subject"] or f"{DESCRIPTION_PLACEHOLDER} {title!r} covers.",
        "status": "draft",
        "tags": list(dict.fromkeys(keywords)),
        "disclaimers": [],
    }


def checked_fields(values: dict, shown: str) -> list[Diagnostic]:
    """The document's properties as front matter: plain text, one line each."""
    problems = []
    for key in ("title", "author", "description"):
        try:
            schema.plain_text(values[key])
        except ValueError as exc:
            problems.append(error(shown, None, "import.property", f"the document's {key} {exc}: correct it in the "
                                  "document's properties (File > Info), or in the article after the import"))
    return problems


def write_bundle(folder: Path, shown: str, front: dict, converted: Converted) -> Path:
    """A new page bundle, staged beside its final place and renamed into it whole."""
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + converted.markdown
    if folder.exists() or folder.is_symlink():
        raise PublishError([error(shown, None, "import.exists", "an article with this slug exists: pass --slug "
                                  "for a new one, or --update SLUG to replace its body")])
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.import-"))
    try:
        for name, data in converted.images.items():
            (staging / name).write_bytes(data)
        (staging / "index.md").write_text(text, encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, folder)
    except OSError as exc:
        raise PublishError([error(shown, None, "file.write", f"cannot be written ({exc.strerror}); check the "
                                  "folder's permissions")]) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder / "index.md"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_body(source: Path, shown: str, body_line: int, converted: Converted, bundle: bool) -> Path:
    """The article's front matter as it is, byte for byte, over the new body; images beside it."""
    if converted.images and not bundle:
        raise PublishError([error(shown, None, "import.update", f"is a single file, and the document has "
                                  f"{len(converted.images)} picture(s): move it into a page bundle "
                                  f"({source.with_suffix('').name}/index.md) and import again")])
    raw = source.read_bytes()
    head = b"".join(raw.splitlines(keepends=True)[: body_line - 1])
    for name, data in converted.images.items():
        write_source(source.parent / name, data, f"{Path(shown).parent.as_posix()}/{name}",
                     new=not (source.parent / name).exists())
    separator = b"" if head.endswith((b"\n\n", b"\r\n\r\n")) else b"\n"
    write_source(source, head + separator + converted.markdown.encode("utf-8"), shown)
    return source
