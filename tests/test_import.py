"""``publish import FILE``: Word and OpenDocument files become draft page bundles that build once
the fields the command lists are supplied; tracked changes are refused unless accepted or
rejected, comments are warnings, Word's debris is gone, and bad files get a clear error."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import AS_OF, build_cli, copy_repo, failed, ok, parse_html, run_cli, visible_text
from docx_fixtures import (commented, deleted, inserted, line_break, pandoc_document, paragraph, png, raw_docx,
                           run)

DOCUMENT = """---
title: Sleep and Low Mood
author: Jane Writer
subject: How sleep and mood affect each other.
keywords: [sleep, mood]
---

# Why sleep matters

Sleep affects *mood* and **energy**. See the [sleep guide](https://www.example.org/sleep).

## Simple habits

- Go to bed at the same time.
- Keep the room dark.

Before bed:

1. Write down your worries.
2. Talk to your doctor.

| Habit | How often |
|-------|-----------|
| Walk  | Daily     |

![A dark, quiet bedroom](bedroom.png)
"""
SLUG = "sleep-and-low-mood"
BUNDLE = f"content/{SLUG}/index.md"
SUMMARY = ("Good sleep can help your mood. Go to bed at the same time each night. "
           "Talk to your doctor if you feel low.")


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "proj")


def made_by_pandoc(tmp_path: Path, suffix: str) -> Path:
    (tmp_path / "bedroom.png").write_bytes(png())
    return pandoc_document(DOCUMENT, tmp_path / f"sleep{suffix}", tmp_path)


def import_ok(project: Path, document: Path, *args: str) -> str:
    return ok(run_cli(project, "import", str(document), "--as-of", AS_OF, *args))


def needs_of(printed: str) -> list[str]:
    lines = printed.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Before ") and line.endswith("needs:"))
    return [line[4:] for line in lines[start + 1:] if line.startswith("  - ")]


def front_and_body(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def supply(project: Path, relpath: str, needs: list[str], **extra) -> None:
    """Do what the import said the article needs, in its front matter."""
    path = project / relpath
    front, body = front_and_body(path)
    for need in needs:
        key = need.split(":", 1)[0]
        if key == "disclaimers":
            front["disclaimers"] = ["crisis-help"]
        elif key == "plain_summary":
            front["plain_summary"] = SUMMARY
        elif key == "description":
            front["description"] = "How sleep and mood affect each other."
        elif key.startswith("alt text for "):
            body = re.sub(rf"!\[\]\({re.escape(key[len('alt text for '):])}", r"![A dark, quiet bedroom](image-1.png",
                          body)
        elif key == "status":
            front["status"] = "published"
        elif not key.startswith("the medical approval"):
            raise AssertionError(f"the test does not know how to supply {need!r}")
    front.update(extra)
    path.write_text("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body,
                    encoding="utf-8")


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_an_imported_document_builds_once_the_listed_fields_are_supplied(proj, tmp_path, suffix):
    printed = import_ok(proj, made_by_pandoc(tmp_path, suffix))
    assert f"Wrote {(proj / BUNDLE).resolve()} (status: draft)." in printed
    front, body = front_and_body(proj / BUNDLE)
    assert (front["title"], front["author"], front["status"]) == ("Sleep and Low Mood", "Jane Writer", "draft")
    assert front["description"] == "How sleep and mood affect each other."  # the subject property
    assert front["tags"] == ["sleep", "mood"]
    assert "Sleep and Low Mood" not in body and "Jane Writer" not in body  # title and author are not body text
    assert re.search(r"^## Why sleep matters$", body, re.M) and re.search(r"^### Simple habits$", body, re.M)
    assert (proj / f"content/{SLUG}/image-1.png").read_bytes() == png()
    needs = needs_of(printed)
    assert [n.split(":")[0] for n in needs if not n.startswith("alt text")] == ["disclaimers", "plain_summary",
                                                                                "status"]
    refused = failed(build_cli(proj, "--channel", "html", "--channel", "summary", "--drafts"))
    assert BUNDLE in refused and "plain_summary" in refused  # a draft without its summary cannot publish
    supply(proj, BUNDLE, needs)
    ok(build_cli(proj, "--channel", "html", "--channel", "summary"))

    page = parse_html(proj / f"build/site/{SLUG}/index.html")
    article = page.find("main")
    assert visible_text(page.find("h1")) == "Sleep and Low Mood"
    assert [visible_text(h) for h in article.find_all("h2") if "Why" in h.get_text()] == ["Why sleep matters"]
    assert any(visible_text(h) == "Simple habits" for h in article.find_all("h3"))
    assert any([visible_text(li) for li in ul.find_all("li")] == ["Go to bed at the same time.", "Keep the room dark."]
               for ul in article.find_all("ul"))
    assert [visible_text(li) for li in article.find("ol").find_all("li")] == ["Write down your worries.",
                                                                             "Talk to your doctor."]
    assert article.find("em", string="mood") and article.find("strong", string="energy")
    assert article.find("a", string="sleep guide")["href"] == "https://www.example.org/sleep"
    table = article.find("table")
    assert [visible_text(c) for c in table.find_all(["th", "td"])] == ["Habit", "How often", "Walk", "Daily"]
    image = article.find("img")
    assert image["alt"] == "A dark, quiet bedroom"
    assert (proj / f"build/site/{SLUG}" / image["src"]).read_bytes() == png()


def test_the_required_approval_is_listed_and_update_keeps_the_front_matter(proj, tmp_path):
    config = proj / "publish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("required = false", 'required = true\nroles = '
                                                                 '["medical"]'), encoding="utf-8")
    needs = needs_of(import_ok(proj, made_by_pandoc(tmp_path, ".docx")))
    assert f"the medical approval: 'publish review {SLUG}', have the copy signed, then 'publish approve {SLUG} " \
           "--role medical --by NAME --on DATE'" in needs
    supply(proj, BUNDLE, needs)
    for slug in (SLUG, "ketamine-therapy"):  # the sample article needs its approval too
        ok(run_cli(proj, "approve", slug, "--role", "medical", "--by", "Dr A. Reviewer", "--on", "2026-12-01",
                   "--as-of", AS_OF))
    ok(build_cli(proj, "--channel", "html"))

    source = (proj / BUNDLE).read_text(encoding="utf-8")
    head = source[: source.index("---\n", 4) + 4]
    revised = tmp_path / "revised"
    revised.mkdir()
    (revised / "bedroom.png").write_bytes(png())
    document = pandoc_document(DOCUMENT.replace("Keep the room dark.", "Keep the room dark and cool."),
                               revised / "sleep.docx", revised)
    printed = import_ok(proj, document, "--update", SLUG)
    assert "front matter kept" in printed
    updated = (proj / BUNDLE).read_text(encoding="utf-8")
    assert updated.startswith(head)  # byte for byte, the approval's fingerprint untouched
    assert "Keep the room dark and cool." in updated and "Keep the room dark.\n" not in updated
    assert any(n.startswith("the medical approval") for n in needs_of(printed))  # the words moved on
    text = failed(build_cli(proj, "--channel", "html"))
    assert "changed since the medical approval of 2026-12-01 by Dr A. Reviewer" in text and "body" in text


def tracked_document(tmp_path: Path) -> Path:
    return raw_docx(tmp_path / "tracked.docx", [
        paragraph(run("Ketamine Clinics"), style="Title"),
        paragraph(run("What to expect"), style="Heading1"),
        paragraph(run("The first visit is "), inserted("usually ", "Ann Editor"), run("short"),
                  deleted(" and painless", "Bob Writer"), run(".")),
        paragraph(commented(run("Bring a list of your medicines."), 7)),
        paragraph(),
        paragraph(run("1.\tBook the visit.")), paragraph(run("2.\tArrive early.")),
        paragraph(run("\u2022\tA friend can drive you home.")), paragraph(run("\u2022\tRest that day.")),
        paragraph(run("Call us on"), line_break(), run("0800\u00a0123\u00a0456.")),
    ], comments={7: ("Dr Who", "Which medicines matter here?")}, creator="Jane Writer",
        subject="What happens at a ketamine clinic.")


def test_tracked_changes_are_refused_with_a_list_and_nothing_is_written(proj, tmp_path):
    before = sorted(p.relative_to(proj).as_posix() for p in (proj / "content").rglob("*"))
    text = failed(run_cli(proj, "import", str(tracked_document(tmp_path)), "--as-of", AS_OF))
    assert 'tracked insertion by Ann Editor on 2026-11-20: "usually"' in text
    assert 'tracked deletion by Bob Writer on 2026-11-20: "and painless"' in text
    assert "--accept-changes or --reject-changes" in text and "[import.tracked-change]" in text
    assert "Import failed: 2 errors." in text
    assert sorted(p.relative_to(proj).as_posix() for p in (proj / "content").rglob("*")) == before


@pytest.mark.parametrize("flag, kept, gone", [("--accept-changes", "The first visit is usually short.", "painless"),
                                              ("--reject-changes", "The first visit is short and painless.",
                                               "usually")])
def test_tracked_changes_accepted_or_rejected_and_comments_are_warnings(proj, tmp_path, flag, kept, gone):
    printed = import_ok(proj, tracked_document(tmp_path), flag)
    assert 'warning: comment by Dr Who on 2026-11-21: "Which medicines matter here?" (paragraph 3: "Bring a list ' \
           'of your medicines.")' in printed
    front, body = front_and_body(proj / "content/ketamine-clinics/index.md")
    assert front["title"] == "Ketamine Clinics"  # the Title paragraph
    assert kept in body and gone not in body
    assert "Which medicines" not in body
    supply(proj, "content/ketamine-clinics/index.md", needs_of(printed))
    ok(build_cli(proj, "--channel", "html"))
    main = parse_html(proj / "build/site/ketamine-clinics/index.html").find("main")
    assert [visible_text(li) for li in main.find("ol").find_all("li")] == ["Book the visit.", "Arrive early."]
    assert any([visible_text(li) for li in ul.find_all("li")] == ["A friend can drive you home.", "Rest that day."]
               for ul in main.find_all("ul"))
    paragraphs = [p.get_text() for p in main.find_all("p")]
    assert "Call us on 0800 123 456." in paragraphs  # the line break and the non-breaking spaces are spaces
    assert "\u00a0" not in body and not any(p.strip() == "" for p in paragraphs)
    assert "What to expect" in [visible_text(h) for h in main.find_all("h2")]


def test_typed_numbering_that_does_not_count_up_stays_paragraphs(proj, tmp_path):
    document = raw_docx(tmp_path / "years.docx", [
        paragraph(run("Milestones"), style="Title"),
        paragraph(run("1.\tFirst trial.")), paragraph(run("3.\tThird trial.")),
    ], creator="Jane Writer")
    import_ok(proj, document)
    _, body = front_and_body(proj / "content/milestones/index.md")
    assert "1\\. First trial." in body and "3\\. Third trial." in body  # written as text, not as a list


def test_odt_tracked_changes_are_refused(proj, tmp_path):
    source = made_by_pandoc(tmp_path, ".odt")
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    content = members["content.xml"].decode("utf-8")
    changes = ('<text:tracked-changes><text:changed-region text:id="c1"><text:insertion><office:change-info>'
               '<dc:creator>Ann Editor</dc:creator><dc:date>2026-11-20T10:00:00</dc:date></office:change-info>'
               '</text:insertion></text:changed-region></text:tracked-changes>')
    members["content.xml"] = content.replace("<office:text>", "<office:text>" + changes, 1).encode("utf-8")
    changed = tmp_path / "changed.odt"
    with zipfile.ZipFile(changed, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    text = failed(run_cli(proj, "import", str(changed)))
    assert "1 tracked change (the first by Ann Editor on 2026-11-20)" in text
    assert not (proj / BUNDLE).exists()


def test_files_that_are_not_documents_get_a_clear_error(proj, tmp_path):
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 not a zip")
    assert "save it as .docx in Word" in failed(run_cli(proj, "import", str(tmp_path / "old.doc")))
    (tmp_path / "fake.docx").write_text("hello", encoding="utf-8")
    assert "is not a docx document" in failed(run_cli(proj, "import", str(tmp_path / "fake.docx")))
    assert "cannot be read" in failed(run_cli(proj, "import", str(tmp_path / "missing.docx")))
    empty = tmp_path / "empty.docx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "no document here")
    assert "has no word/document.xml" in failed(run_cli(proj, "import", str(empty)))


def test_a_zip_bomb_is_refused_before_it_is_unzipped(proj, tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/huge.png", "w") as member:
            block = b"\0" * 2**20
            for _ in range(201):
                member.write(block)
    assert bomb.stat().st_size < 2 * 2**20
    text = failed(run_cli(proj, "import", str(bomb)))
    assert "unzips to 201 MB, over 200 MB" in text


def test_a_picture_that_is_not_an_image_type_the_web_shows_is_named(proj, tmp_path):
    source = made_by_pandoc(tmp_path, ".docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            copy.writestr(name, b"\x01\x00\x00\x00 EMF drawing" if name.startswith("word/media/") else data)
    source.write_bytes(buffer.getvalue())
    text = failed(run_cli(proj, "import", str(source)))
    assert re.search(r"the picture word/media/\S+ is not a PNG, JPEG, GIF, WebP or SVG image: save it as PNG", text)
    assert not (proj / "content" / SLUG).exists()


def test_a_document_without_a_title_or_heading_is_refused(proj, tmp_path):
    document = raw_docx(tmp_path / "untitled.docx", [paragraph(run("Just a paragraph."))], creator="Jane Writer")
    text = failed(run_cli(proj, "import", str(document)))
    assert "the document has no title" in text and "[import.title]" in text


def test_usage_errors_exit_2_and_an_existing_slug_is_refused(proj, tmp_path):
    document = made_by_pandoc(tmp_path, ".docx")
    both = run_cli(proj, "import", str(document), "--accept-changes", "--reject-changes")
    assert both.exit_code == 2 and "contradict" in both.output
    twice = run_cli(proj, "import", str(document), "--slug", "a", "--update", "ketamine-therapy")
    assert twice.exit_code == 2 and "give one" in twice.output
    bad = run_cli(proj, "import", str(document), "--slug", "Not A Slug")
    assert bad.exit_code == 2 and "is not a slug" in bad.output
    taken = failed(run_cli(proj, "import", str(document), "--slug", "ketamine-therapy"))
    assert "an article with this slug exists" in taken and "--update ketamine-therapy" in taken
    unknown = failed(run_cli(proj, "import", str(document), "--update", "no-such-article"))
    assert "no article has the slug 'no-such-article'" in unknown
