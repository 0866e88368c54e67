"""Run ``publish`` as a real process: exit status, stderr, and no progress lines when piped."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import AS_OF, write_article


def _env() -> dict:
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, env=_env(), timeout=120)


def test_bad_front_matter_as_a_process(project):
    write_article(project, "bad", "title: Bad\ndate: yesterday\nauthor: A. Writer\ndescription: A test.\n")
    proc = _run([sys.executable, "-m", "publisher", "-C", str(project), "build", "--as-of", AS_OF])
    assert proc.returncode == 1, proc.stderr
    assert "content/bad.md:3: error:" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (project / "build").exists()


def test_piped_publish_prints_no_progress(project):
    script = Path(sys.executable).with_name("publish")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "publisher"]
    proc = _run(command + ["-C", str(project), "build", "--as-of", AS_OF])
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stdout and "\r" not in proc.stderr
    assert not re.search(r"\w+: \d+/\d+", proc.stderr), proc.stderr  # the progress line reads '     html: 1/1'
    assert "Built 1 article" in proc.stdout
    assert (project / "build" / "manifest.json").is_file()
