"""Word and OpenDocument files for the import tests, made two ways: by pandoc from Markdown (what
an author's Word file looks like after a round trip), and as raw WordprocessingML, for what
pandoc cannot write: tracked insertions and deletions, comments, manual numbering, empty
paragraphs, hard line breaks and non-breaking spaces typed in Word."""

from __future__ import annotations

import struct
import subprocess
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

import pypandoc

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (red pixels), so an image's magic bytes and size are what a reader expects."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def pandoc_document(markdown: str, target: Path, resources: Path | None = None) -> Path:
    """``target`` (.docx or .odt, by its suffix) written by pandoc from ``markdown``; images are
    read from ``resources``. Not sandboxed: the tests' own files, read on purpose."""
    source = target.with_suffix(".source.md")
    source.write_text(markdown, encoding="utf-8")
    subprocess.run([pypandoc.get_pandoc_path(), str(source), "-o", str(target),
                    f"--resource-path={resources or source.parent}"], check=True, capture_output=True)
    source.unlink()
    return target


# Raw WordprocessingML: a paragraph is a list of runs; a run is text, or a change around runs.

def run(text: str, *, bold: bool = False, italic: bool = False) -> str:
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    return (f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}"
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


def line_break() -> str:
    return "<w:r><w:br/></w:r>"


def inserted(text: str, author: str, date: str = "2026-11-20T10:00:00Z", change: int = 101) -> str:
    return f'<w:ins w:id="{change}" w:author="{escape(author)}" w:date="{date}">{run(text)}</w:ins>'


def deleted(text: str, author: str, date: str = "2026-11-20T10:05:00Z", change: int = 102) -> str:
    return (f'<w:del w:id="{change}" w:author="{escape(author)}" w:date="{date}"><w:r>'
            f'<w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>')


def commented(runs: str, comment: int) -> str:
    """``runs`` as the range comment number ``comment`` is about."""
    return (f'<w:commentRangeStart w:id="{comment}"/>{runs}<w:commentRangeEnd w:id="{comment}"/>'
            f'<w:r><w:commentReference w:id="{comment}"/></w:r>')


def paragraph(*runs: str, style: str | None = None) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}{''.join(runs)}</w:p>"


def raw_docx(target: Path, paragraphs: list[str], *, comments: dict[int, tuple[str, str]] | None = None,
             title: str = "", creator: str = "", subject: str = "", keywords: str = "") -> Path:
    """A minimal .docx Word opens: ``paragraphs`` (from paragraph()), ``comments`` as
    id -> (author, text), and the core properties given."""
    comments = comments or {}
    styles = "".join(
        f'<w:style w:type="paragraph" w:styleId="{name}"><w:name w:val="{label}"/>'
        f'{f"<w:pPr><w:outlineLvl w:val={chr(34)}{level}{chr(34)}/></w:pPr>" if level is not None else ""}</w:style>'
        for name, label, level in (("Normal", "Normal", None), ("Title", "Title", None),
                                   ("Heading1", "heading 1", 0), ("Heading2", "heading 2", 1)))
    relationships = ['<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/styles" Target="styles.xml"/>']
    overrides = ['<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.wordprocessingml.document.main+xml"/>',
                 '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.wordprocessingml.styles+xml"/>',
                 '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.'
                 'core-properties+xml"/>']
    parts = {
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" '
                             f'xmlns:r="{R}"><w:body>{"".join(paragraphs)}</w:body></w:document>',
        "word/styles.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W}">'
                           f"{styles}</w:styles>",
        "docProps/core.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
                             'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                             'xmlns:dc="http://purl.org/dc/elements/1.1/">'
                             f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(creator)}</dc:creator>"
                             f"<dc:subject>{escape(subject)}</dc:subject><cp:keywords>{escape(keywords)}"
                             "</cp:keywords></cp:coreProperties>",
    }
    if comments:
        parts["word/comments.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments xmlns:w="{W}">'
            + "".join(f'<w:comment w:id="{number}" w:author="{escape(author)}" w:date="2026-11-21T09:00:00Z">'
                      f"{paragraph(run(text))}</w:comment>" for number, (author, text) in comments.items())
            + "</w:comments>")
        relationships.append('<Relationship Id="rIdComments" Type="http://schemas.openxmlformats.org/'
                             'officeDocument/2006/relationships/comments" Target="comments.xml"/>')
        overrides.append('<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.comments+xml"/>')
    parts["word/_rels/document.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships">{"".join(relationships)}</Relationships>')
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/></Relationships>')
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.'
        'org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'{"".join(overrides)}</Types>')
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("[Content_Types].xml", *sorted(n for n in parts if n != "[Content_Types].xml")):
            archive.writestr(name, parts[name])
    return target
