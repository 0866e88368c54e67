"""A hostile machine around the build: its lock file planted or blocked, its output folder a link
or inside the sources, folders it may not change, and signals (SIGTERM, Ctrl-C) mid-build.

Every case runs ``publish build`` as a real process (see test_hostile.py) and asserts what a user
sees: the exit code, a message naming the file or folder, no traceback, the previous build
byte-identical, no staging or old folder left, nothing written outside the output folder. Where
root cannot be refused by permissions, ``chattr +i`` (immutable) provokes the same errors.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import AS_OF, tree_bytes
from test_hostile import (
    TIME_BOUND,
    Publish,
    assert_valid_build,
    build,
    built_base,  # noqa: F401  (a fixture)
    copy_base,
    leftovers,
    lock_path,
    ok,
    small_article,
)

import publisher.api
from publisher.errors import PublishError


def refused(run, *names: str) -> str:
    """The run failed with exit 1 and a clear message naming each of ``names``."""
    assert not run.timed_out, run.output
    assert run.code == 1, run.output
    assert "Traceback" not in run.output, run.output
    for name in names:
        assert name in run.stderr, run.stderr
    return run.stderr


def no_leftovers(project: Path) -> None:
    assert [name for name in leftovers(project) if not name.endswith(".lock")] == []


@contextlib.contextmanager
def immutable(path: Path):
    """``chattr +i path`` for the block: even root may then not change it (skip where unsupported)."""
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture
def project(built_base, tmp_path) -> Path:  # noqa: F811 (the fixture imported above)
    return copy_base(built_base, tmp_path / "proj")


# --- the lock --------------------------------------------------------------------------------


def test_lock_is_beside_the_output_and_gone_after_a_build(project):
    (project / "content" / "extra.md").write_text(small_article(1), encoding="utf-8")
    ok(build(project))
    assert not lock_path(project / "build").exists()
    assert leftovers(project) == []
    (project / "content" / "bad.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    refused(build(project), "content/bad.md")
    assert not lock_path(project / "build").exists()  # a failed build removes it too
    assert leftovers(project) == []


def test_lock_left_by_a_killed_build_is_taken_and_removed(project):
    lock_path(project / "build").write_text("99999999", encoding="utf-8")
    ok(build(project))
    assert leftovers(project) == []


@pytest.mark.parametrize("dangling", [False, True])
def test_symlink_at_the_lock_path_is_refused(project, tmp_path, dangling):
    victim = tmp_path / "victim.txt"
    if not dangling:
        victim.write_bytes(b"someone else's file\n")
    lock = lock_path(project / "build")
    lock.symlink_to(victim)
    before = tree_bytes(project / "build")
    message = refused(build(project), str(lock), "symbolic link")
    assert "[output.lock]" in message
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_bytes() == b"someone else's file\n"
    assert tree_bytes(project / "build") == before
    assert lock.is_symlink()  # never removed for the user: they are told to
    no_leftovers(project)


def test_hard_link_at_the_lock_path_is_refused(project):
    victim = project / "notes.txt"
    victim.write_bytes(b"keep me\n")
    os.link(victim, lock_path(project / "build"))
    before = tree_bytes(project / "build")
    refused(build(project), str(lock_path(project / "build")), "hard links")
    assert victim.read_bytes() == b"keep me\n"
    assert tree_bytes(project / "build") == before
    no_leftovers(project)


def test_folder_at_the_lock_path_is_refused(project):
    lock_path(project / "build").mkdir()
    before = tree_bytes(project / "build")
    refused(build(project), str(lock_path(project / "build")), "is a folder")
    assert tree_bytes(project / "build") == before
    no_leftovers(project)


def test_lock_file_that_cannot_be_opened_is_refused(project):
    lock = lock_path(project / "build")
    lock.write_text("", encoding="utf-8")
    before = tree_bytes(project / "build")
    with immutable(lock):
        refused(build(project), str(lock), "cannot be opened", "[output.lock]")
    assert tree_bytes(project / "build") == before
    no_leftovers(project)


# --- the output folder -----------------------------------------------------------------------


@pytest.mark.parametrize("inside", ["content/out", "content/site/build", "layouts/build", "content"])
def test_output_inside_the_sources_is_refused(project, inside):
    sources = {name: tree_bytes(project / name) for name in ("content", "layouts")}
    before = tree_bytes(project / "build")
    for _ in range(2):  # the second build would have swallowed the first
        refused(build(project, "--out", inside), inside, "[output.unsafe]")
    assert {name: tree_bytes(project / name) for name in ("content", "layouts")} == sources  # not even a lock
    assert tree_bytes(project / "build") == before


def test_symlinked_output_folder_is_refused(project, tmp_path):
    served = tmp_path / "www"
    (project / "build").rename(served)
    (project / "build").symlink_to(served)
    before = tree_bytes(served)
    message = refused(build(project), "build", "symbolic link", "--out", str(served))
    assert "[output.symlink]" in message
    assert (project / "build").is_symlink() and tree_bytes(served) == before
    assert leftovers(project) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["proj", "www"]


def test_unwritable_parent_is_a_clear_error(project):
    before = tree_bytes(project / "build")
    with immutable(project):
        refused(build(project), str(lock_path(project / "build")), "cannot be opened")
    assert tree_bytes(project / "build") == before
    no_leftovers(project)


def test_staging_that_cannot_be_made_is_a_clear_error(project):
    lock_path(project / "build").write_text("", encoding="utf-8")  # left by a killed build
    before = tree_bytes(project / "build")
    with immutable(project):
        message = refused(build(project), "the staging folder", "[output.staging]")
    assert f"{project}: error:" in message
    assert tree_bytes(project / "build") == before
    no_leftovers(project)


def test_old_build_that_cannot_be_removed_is_a_clear_error(project):
    (project / "content" / "extra.md").write_text(small_article(1), encoding="utf-8")
    stuck = next(p for p in (project / "build").iterdir() if p.is_dir())
    before = tree_bytes(project / "build")
    with immutable(stuck):
        message = refused(build(project), "[output.replace]", str(stuck))
    assert tree_bytes(project / "build") == before
    assert leftovers(project) == []
    assert "cannot be replaced" in message
    ok(build(project))  # once it may be changed again
    assert_valid_build(project / "build", {"good", "extra"})


def _api_build(project: Path):
    return publisher.api.build(project, channels=["summary"], as_of=AS_OF, use_cache=False)


def _refused_through_library(project, before: dict, *expected: str) -> None:
    """publisher.api.build raises PublishError saying each of ``expected``; the previous build is
    byte-identical and nothing is left beside it."""
    with pytest.raises(PublishError) as caught:
        _api_build(project)
    assert all(text in str(caught.value) for text in expected), str(caught.value)
    assert tree_bytes(project / "build") == before
    assert leftovers(project) == []


def test_permission_denied_making_staging_through_the_library(project, monkeypatch):
    """Where chattr is not available: EACCES from the library itself, through publisher.api.build."""
    before = tree_bytes(project / "build")

    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(suffix=None, prefix=None, dir=None):
        if dir is not None and Path(dir) == project:
            raise PermissionError(13, "Permission denied", str(project))
        return real_mkdtemp(suffix, prefix, dir)

    monkeypatch.setattr("publisher.output.tempfile.mkdtemp", mkdtemp)
    _refused_through_library(project, before, "Permission denied", "[output.staging]")


def test_permission_denied_swapping_in_through_the_library(project, monkeypatch):
    before = tree_bytes(project / "build")
    real_rename = os.rename

    def rename(source, target):
        if Path(source).name.startswith(".build.staging-"):  # the new build may not take build/'s place
            raise PermissionError(13, "Permission denied", str(target))
        return real_rename(source, target)

    monkeypatch.setattr("publisher.output.exchange", lambda a, b: False)  # the fallback: move aside, then in
    monkeypatch.setattr("publisher.output.os.rename", rename)
    _refused_through_library(project, before, "Permission denied", "[output.replace]")


def test_a_full_disk_while_writing_is_a_clear_error(project, monkeypatch):
    """ENOSPC while the staging folder fills: a clear error, the previous build and no leftovers."""
    before = tree_bytes(project / "build")

    def full(self, relpath, data):
        raise OSError(28, "No space left on device", str(self.root / relpath))

    monkeypatch.setattr("publisher.output.StagingFolder.write_bytes", full)
    _refused_through_library(project, before, "No space left on device", "[output.write]", "is unchanged")


# --- signals ---------------------------------------------------------------------------------


def _stat(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def living_in_session(session: int) -> list[int]:
    """Processes of the build's session that still run (the build's own pid excluded)."""
    found = []
    for name in os.listdir("/proc"):
        fields = _stat(name) if name.isdigit() and int(name) != session else None
        if fields and fields[0] != "Z" and int(fields[3]) == session:  # state, ppid, pgrp, session
            found.append(int(name))
    return found


def renderers(pid: int) -> list[int]:
    """Forked children of the build (render processes, WeasyPrint workers), not pandoc."""
    found = []
    for child in living_in_session(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"-m\0publisher" in command:
            found.append(child)
    return found


def interrupt(project: Path, signum: int, *args: str, group: bool = False):
    """Start a build, send ``signum`` once it renders in child processes; the run, and what it left."""
    victim = Publish(project, "build", "--as-of", AS_OF, "--no-cache", *args)
    deadline = victim.started + TIME_BOUND
    while time.monotonic() < deadline and not victim.poll():
        if list(project.glob(".build.staging-*")) and renderers(victim.proc.pid):
            break
        time.sleep(0.005)
    assert victim.result is None, f"the build ended before it could be interrupted: {victim.result}"
    (os.killpg if group else os.kill)(victim.proc.pid, signum)
    while time.monotonic() < deadline:  # ended, but not yet reaped: its session is still its pid
        if os.waitid(os.P_PID, victim.proc.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
            break
        time.sleep(0.005)
    left, settled = living_in_session(victim.proc.pid), time.monotonic() + 3
    while left and time.monotonic() < settled:
        time.sleep(0.05)
        left = living_in_session(victim.proc.pid)
    return victim.wait(), left


def assert_interrupted(run, left, project: Path, before: dict, name: str, code: int) -> None:
    assert not run.timed_out, run.output
    assert left == [], f"processes of the build still run: {left}"
    assert run.code == code, run.output
    assert "Traceback" not in run.output, run.output
    assert f"Build interrupted by {name}" in run.stderr and "build/ is unchanged" in run.stderr, run.stderr
    assert tree_bytes(project / "build") == before, "an interrupted build changed the previous build"
    assert leftovers(project) == [], leftovers(project)


@pytest.fixture
def many_leaflets(project) -> Path:
    for number in range(30):
        (project / "content" / f"note-{number}.md").write_text(small_article(number), encoding="utf-8")
    return project


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_during_leaflets_stops_every_worker(many_leaflets, signum, code):
    """The signal goes to the build's main process only, as `kill PID` or a service manager sends it."""
    project = many_leaflets
    before = tree_bytes(project / "build")
    run, left = interrupt(project, signum, "--channel", "pdf")
    assert_interrupted(run, left, project, before, signal.Signals(signum).name, code)
    ok(build(project))  # and the next build is not disturbed by anything left
    assert_valid_build(project / "build", {"good", *(f"note-{n}" for n in range(30))})


def test_ctrl_c_to_the_whole_process_group(many_leaflets):
    """A terminal sends Ctrl-C to every process of the group: workers leave stopping to the build."""
    before = tree_bytes(many_leaflets / "build")
    run, left = interrupt(many_leaflets, signal.SIGINT, "--channel", "pdf", group=True)
    assert_interrupted(run, left, many_leaflets, before, "SIGINT", 130)


def test_sigterm_during_render_processes(project):
    """200 articles or more: page renders are forked across processes (fanout.py)."""
    for number in range(220):
        (project / "content" / f"note-{number}.md").write_text(small_article(number), encoding="utf-8")
    before = tree_bytes(project / "build")
    run, left = interrupt(project, signal.SIGTERM, "--channel", "html")
    assert_interrupted(run, left, project, before, "SIGTERM", 143)


def test_sigterm_while_waiting_for_the_lock(project):
    import fcntl

    before = tree_bytes(project / "build")
    with open(lock_path(project / "build"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        waiting = Publish(project, "build", "--as-of", AS_OF)
        deadline = time.monotonic() + TIME_BOUND
        while "waiting" not in waiting.stderr_so_far() and time.monotonic() < deadline:
            time.sleep(0.05)
        waiting.proc.send_signal(signal.SIGTERM)
        run = waiting.wait()
        assert lock_path(project / "build").exists()  # the holder's lock is not taken from it
    assert run.code == 143 and "Traceback" not in run.output, run.output
    assert "Build interrupted by SIGTERM" in run.stderr
    assert tree_bytes(project / "build") == before


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
