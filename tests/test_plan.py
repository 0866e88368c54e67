"""One run reports every problem it can find, and ``check`` refuses whatever ``build`` refuses.

A fresh project used to need one failed build per problem (``layout.missing``, then
``review.missing``, then ``summary.missing``...). Here five independent problems, from five
different stages (configuration, front matter, layouts, medical review, embedded files and
summaries), must all be printed by a single build, and by a single ``publish check``, with the
same messages. A template that raises (a TypeError in ``{{ ... }}``) is a diagnostic naming the
template file and line, in ``build`` and in ``publish serve``, which keeps running.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

from conftest import (
    AS_OF,
    build_cli,
    copy_repo,
    failed,
    free_port,
    http_get,
    ok,
    run_cli,
    tree_bytes,
    wait_for_page,
    write_article,
)

EXPECTED = {
    "config.unknown": r"^publish\.toml:\d+: error: unknown section \[htlm\] \(did you mean 'html'\?\)",
    "frontmatter.date": r"^content/bad-date\.md:4: error: 'date' must be an ISO 8601 date",
    "layout.missing": r"^layouts/summary/missing\.txt: error: template 'summary/missing\.txt' is neither in the "
                      r"project's layouts nor in the theme",
    "review.missing": r"^content/ketamine-therapy\.md:1: error: no medical review",
    "summary.missing": r"^content/no-summary\.md:1: error: no plain_summary: run 'publish summarize no-summary --write'",
    "content.reference": r"^content/no-summary\.md:\d+: error: 'missing\.png': no such file",
}


def broken_project(root):
    proj = copy_repo(root)
    config = proj / "publish.toml"
    text = config.read_text(encoding="utf-8").replace("required = false", "required = true")
    config.write_text(text + "\n[htlm]\ntoc = true\n", encoding="utf-8")
    # a removed layout file is the theme's again: a template that names a file neither has is missing
    (proj / "layouts" / "summary" / "summary.txt").write_text('{% include "summary/missing.txt" %}\n', encoding="utf-8")
    write_article(proj, "bad-date", "title: Bad Date\nauthor: A. Writer\ndate: yesterday\ndescription: A test.\n")
    write_article(proj, "no-summary", "title: No Summary\nauthor: A. Writer\ndate: 2026-06-01\n"
                  "description: A test.\nreviewed_by: Dr. A. Reviewer\nreviewed_on: 2026-06-01\n",
                  "\nText with an image.\n\n![A chart](missing.png)\n")
    return proj


def _codes(text: str) -> list[str]:
    return re.findall(r"\[([a-z]+\.[a-z.-]+)\]$", text, re.MULTILINE)


def test_one_build_reports_every_independent_problem(tmp_path):
    proj = broken_project(tmp_path / "proj")
    text = failed(build_cli(proj))
    for code, pattern in EXPECTED.items():
        assert re.search(pattern, text, re.MULTILINE), f"{code} missing from:\n{text}"
    errors = [line for line in text.splitlines() if ": error: " in line or line.startswith("error: ")]
    assert re.search(rf"^Build failed: {len(errors)} errors\.$", text, re.MULTILINE), text
    assert not (proj / "build").exists()


def test_check_reports_the_same_problems_with_the_same_messages(tmp_path):
    proj = broken_project(tmp_path / "proj")
    built = failed(build_cli(proj))
    result = run_cli(proj, "check", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    shown = {f"{d['path']}:{d['line']}: {d['severity']}: {d['message']} [{d['code']}]" if d["line"]
             else f"{d['path']}: {d['severity']}: {d['message']} [{d['code']}]" for d in report["diagnostics"]}
    refused = [line for line in built.splitlines() if ": error: " in line]
    assert len(refused) >= len(EXPECTED)
    assert [line for line in refused if line not in shown] == []


def test_a_layout_that_raises_is_a_diagnostic_naming_the_template(tmp_path):
    proj = copy_repo(tmp_path / "proj")
    ok(build_cli(proj))
    before = tree_bytes(proj / "build")
    template = proj / "layouts" / "html" / "article.html"
    lines = template.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if "<h1" in line)
    lines.insert(number, "{{ article.title + 1 }}")
    template.write_text("\n".join(lines), encoding="utf-8")
    text = failed(build_cli(proj))
    assert re.search(rf"^layouts/html/article\.html:{number + 1}: error: template error \(TypeError\): "
                     r".*\[layout\.error\]$", text, re.MULTILINE), text
    assert tree_bytes(proj / "build") == before


def test_serve_shows_a_template_error_and_keeps_running(tmp_path):
    proj = copy_repo(tmp_path / "proj")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "-C", str(proj), "serve", "--port", str(port), "--channel", "html"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1798761600"})
    url = f"http://127.0.0.1:{port}/ketamine-therapy/"
    try:
        assert wait_for_page(url, "<h1>", 60) is not None, "the server never served the page"
        template = proj / "layouts" / "html" / "article.html"
        template.write_text(template.read_text(encoding="utf-8").replace("<h1", "{{ article.title + 1 }}<h1", 1),
                            encoding="utf-8")
        assert wait_for_page(url, "[layout.error]", 30) is not None, http_get(url)
        assert process.poll() is None, "publish serve stopped"
        template.write_text(template.read_text(encoding="utf-8").replace("{{ article.title + 1 }}", ""),
                            encoding="utf-8")
        assert wait_for_page(url, "the last build failed", 30, present=False) is not None
        assert "<h1>" in http_get(url)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert "Traceback" not in output, output
    assert "layouts/html/article.html" in output and process.returncode == 0, output
