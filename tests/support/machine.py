"""A failing machine, for tests: a read-only folder and a tiny disk.

As root, `chmod a-w` stops nobody, so a read-only folder is a tmpfs remounted read-only, and a
full disk is a tmpfs of a few hundred kilobytes. Without root, the folder is made read-only
with chmod, and the disk cannot be mounted (the caller falls back to RLIMIT_FSIZE).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> bool:
    try:
        done = subprocess.run(["mount", *args], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=10)


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (such as ``256k``) mounted on `folder`; skips the test if it cannot."""
    folder.mkdir(parents=True, exist_ok=True)
    if not can_mount() or not _mount(
        "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder)
    ):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield folder
    finally:
        _umount(folder)


@contextmanager
def read_only_copy(files: Iterable[Path], folder: Path) -> Iterator[Path]:
    """Copies `files` into `folder`, then makes the files and the folder read-only for real."""
    files = list(files)
    folder.mkdir(parents=True, exist_ok=True)
    if can_mount() and _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)):
        try:
            for f in files:
                shutil.copy2(f, folder / f.name)
            if not _mount("-o", "remount,ro", str(folder)):
                pytest.skip("cannot remount the tmpfs read-only")
            yield folder
        finally:
            _umount(folder)
        return
    if os.geteuid() == 0:
        pytest.skip("root without mount: chmod cannot make a file read-only for root")
    for f in files:
        shutil.copy2(f, folder / f.name)
        (folder / f.name).chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        yield folder
    finally:
        folder.chmod(stat.S_IRWXU)
        for f in folder.iterdir():
            f.chmod(stat.S_IRUSR | stat.S_IWUSR)
