"""The README's quick start, run verbatim (its code block, read from the README) in an empty
folder: every command exits 0, and the new article has a page, a leaflet, a feed item and a
plain-language summary. `$EDITOR` is an editor that writes the article as an author would."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import feedparser
from conftest import REPO, wait_for_page

EDITOR = textwrap.dedent('''\
    import re, sys
    path = sys.argv[1]
    text = open(path, encoding="utf-8").read()
    text = text.replace("status: draft", "status: published")
    text = re.sub(r"(?m)^description: .*$", "description: How sleep affects your heart, and what helps.", text)
    text = re.sub(r"(?m)^Write the article here.*$", "Sleep gives your heart a rest. Most adults need seven to "
                  "nine hours a night. Go to bed at the same time each day. Keep your room dark and cool.", text)
    open(path, "w", encoding="utf-8").write(text)
    ''')


def quick_start() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Quick start for editors"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_the_quick_start_runs_as_written(tmp_path):
    editor = tmp_path / "editor"
    editor.write_text(f"#!{sys.executable}\n{EDITOR}", encoding="utf-8")
    editor.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               EDITOR=str(editor))
    work = tmp_path / "work"
    work.mkdir()
    cwd = work
    commands = quick_start()
    assert [c.split()[:2] for c in commands if c.startswith("publish")] == [
        ["publish", "init"], ["publish", "new"], ["publish", "summarize"], ["publish", "serve"], ["publish", "build"]]
    for command in commands:
        if command.startswith("cd "):
            cwd = cwd / command[3:].strip()
            continue
        if command.startswith("publish serve"):
            process = subprocess.Popen(["bash", "-c", command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, start_new_session=True)
            try:
                assert wait_for_page("http://127.0.0.1:8000/sleep-and-your-heart/", "<h1>", 60) is not None
            finally:
                os.killpg(process.pid, signal.SIGINT)
                output = process.communicate(timeout=30)[0]
            assert process.returncode == 0, output
            continue
        run = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"{command}\n{run.stdout}{run.stderr}"
        assert "Traceback" not in run.stdout + run.stderr

    out = cwd / "build"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    record = next(a for a in manifest["articles"] if a["slug"] == "sleep-and-your-heart")
    for name in ("html", "pdf", "summary_html", "summary_text"):
        assert (out / record["outputs"][name]).is_file(), name
    feed = feedparser.parse((out / manifest["feeds"]["rss"]).read_bytes())
    assert "Sleep and your heart" in [entry.title for entry in feed.entries]
