"""Batched conversion (a few `pandoc lua` processes) gives exactly what pandoc gives per document."""

from __future__ import annotations

from pathlib import Path

import pypandoc
import pytest
from conftest import REPO

from publisher.markdown import HTML, PLAIN, Conversion, MarkdownConverter

TRICKY = [
    "Plain *emphasis*, **strong**, \"quotes\" and it's -- dashes... and a footnote.[^1]\n\n[^1]: The note.",
    "```python\nx = 1  # code keeps its spaces\n```\n\n    indented code\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\nTerm\n:   Definition\n",
    "<div onclick=\"x()\">raw <b>html</b></div>\n\n<script>alert(1)</script>\n",
    "![An image](pic.png){width=50%}\n\n[link](../other/#anchor) and <https://example.org>\n",
    "# Heading {#custom}\n\n## Second\n\n1. one\n2. two\n\n3) three\n",
    "",
]


def _texts() -> list[str]:
    texts = list(TRICKY)
    for path in sorted((REPO / "content").rglob("*.md")) + sorted((REPO / "tests" / "projects").rglob("*.md")):
        texts.append(path.read_text(encoding="utf-8").split("\n---\n", 1)[-1])
    return texts


def _alone(text: str, conversion: Conversion) -> str:
    wrap = ["--wrap=auto", f"--columns={conversion.columns}"] if conversion.columns else ["--wrap=none"]
    args = ["--sandbox", "--syntax-highlighting=none", *wrap]
    return pypandoc.convert_text(text, conversion.writer, format="markdown", extra_args=args)


@pytest.mark.parametrize("conversion", [HTML, PLAIN, Conversion("plain", 72)], ids=["html", "plain", "plain-72"])
def test_batch_equals_pandoc_run_on_each_document_alone(conversion):
    texts = _texts()
    converter = MarkdownConverter()
    converter.prefetch((text, conversion, f"doc {i}") for i, text in enumerate(texts))
    for text in texts:
        assert converter.convert(text, conversion) == _alone(text, conversion), text[:80]


def test_batch_reads_no_file_the_text_names(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    text = f"```{{.include}}\n{secret}\n```\n\n![x]({secret})\n"
    html = MarkdownConverter().convert(text)
    assert "TOP SECRET" not in html


def _fake_pandoc(tmp_path: Path, script: str) -> str:
    path = tmp_path / "pandoc"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_a_conversion_pandoc_fails_names_the_file_and_the_line(tmp_path):
    from publisher.errors import PublishError

    converter = MarkdownConverter()
    converter._pandoc = _fake_pandoc(tmp_path, "echo 'pandoc: something broke' >&2; exit 1")
    with pytest.raises(PublishError) as raised:
        converter.convert("Some *text*.", HTML, "content/broken.md", 7)
    [problem] = raised.value.diagnostics
    assert (problem.path, problem.line, problem.code) == ("content/broken.md", 7, "markdown.pandoc")
    assert "pandoc: something broke" in problem.message


def test_a_conversion_out_of_time_names_the_file_and_the_line(tmp_path, monkeypatch):
    from publisher import markdown
    from publisher.errors import PublishError

    monkeypatch.setattr(markdown, "BATCH_SECONDS", 0.2)
    monkeypatch.setattr(markdown, "DOCUMENT_SECONDS", 0.0)
    monkeypatch.setattr(markdown, "DOCUMENT_ALONE_SECONDS", 0.2)
    converter = MarkdownConverter()
    converter._pandoc = _fake_pandoc(tmp_path, "sleep 5")
    with pytest.raises(PublishError) as raised:
        converter.convert("Some *text*.", HTML, "content/slow.md", 12)
    [problem] = raised.value.diagnostics
    assert (problem.path, problem.line, problem.code) == ("content/slow.md", 12, "markdown.timeout")
