"""Atomic file writes for ``save`` and ``to_onnx``, and the checks before reading.

A write goes to a temporary file beside its target, is flushed to disk, and replaces
the target in one rename, so an interrupted write leaves the old file as it was.

- A **symlink** is written through: the file it points to is replaced and the link
  stays a link (``os.path.realpath`` follows the whole chain).
- A path that exists and is **not a regular file** (a directory, a FIFO, a device
  such as ``/dev/null``, a socket) is refused with ``OSError`` before anything is
  created, so nothing is touched.
- **Stale temporary files** left by writes that died (``kill -9``, a power cut) are
  removed by the next successful write to the same target. A temporary file is ours
  when all of this holds: its name is ``.<target name>.<16 hex digits>.scalar-
  autograd.tmp``; it is a regular file (not a link) of our user; it is empty or
  starts with the first bytes of one of our formats (a model file, an ONNX file);
  and no process holds its lock. Each write holds an exclusive ``flock`` on its
  temporary file until the rename, and the kernel drops the lock of a process that
  dies, so a write in progress elsewhere is never disturbed. Where ``fcntl`` is
  missing (Windows), stale files are left alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Iterable

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["read_regular", "write_atomically"]

SUFFIX = ".scalar-autograd.tmp"

_KINDS = [
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
]


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"  # pragma: no cover - door, whiteout, ...


def _not_regular(where: str, path: str, mode: int, action: str) -> OSError:
    message = f"{where}: {path} is {_kind(mode)}, not a regular file; {action}"
    if stat.S_ISDIR(mode):
        return IsADirectoryError(message)
    return OSError(message)


def target_of(where: str, path: str) -> tuple[str, int]:
    """The file a write to ``path`` replaces (through symlinks) and its mode bits.

    Raises ``OSError`` when it exists and is not a regular file.
    """
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return target, 0o644  # a new file (or the missing target of a link)
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(where, path, info.st_mode, "refusing to replace it")
    # Keep the old file's permissions: the temporary file is private (0600).
    return target, stat.S_IMODE(info.st_mode)


def read_regular(where: str, path: str, limit: int) -> tuple[int, bytes]:
    """The size of the regular file at ``path`` and at most ``limit + 1`` of its bytes.

    ``OSError`` if it is not a regular file: it is opened without blocking (a FIFO
    would wait for a writer) and checked before a byte is read (a device such as
    ``/dev/zero`` never ends). Nothing is read when the size exceeds ``limit``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:  # pragma: no cover - POSIX opens a folder read-only
        raise _not_regular(
            where, path, stat.S_IFDIR, "only a regular file is read"
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(where, path, info.st_mode, "only a regular file is read")
        if info.st_size > limit:
            return info.st_size, b""
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return info.st_size, b"".join(chunks)
    finally:
        os.close(fd)


def write_atomically(
    where: str, path: str, data: bytes, heads: Iterable[bytes] = ()
) -> None:
    """Replace the file at ``path`` (or a symlink's target) by ``data``, atomically.

    ``heads`` are the first bytes of the formats whose stale temporary files this
    write may remove (``data`` must start with one of them).
    """
    target, mode = target_of(where, path)
    directory, name = os.path.split(target)
    fd, temporary = _create_locked(directory, name)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            else:  # pragma: no cover - Windows
                os.chmod(temporary, mode)
            os.replace(temporary, target)
        finally:
            os.close(fd)  # also releases the lock
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)
    with contextlib.suppress(OSError):  # tidying up must never fail a save
        remove_stale(directory, name, tuple(heads))


def _create_locked(directory: str, name: str) -> tuple[int, str]:
    """A new temporary file beside ``name``, open for writing and locked by us."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    while True:
        temporary = os.path.join(directory, f".{name}.{secrets.token_hex(8)}{SUFFIX}")
        fd = os.open(temporary, flags, 0o600)
        if fcntl is None:  # pragma: no cover - Windows: no locks, no tidying
            return fd, temporary
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            here = os.stat(temporary, follow_symlinks=False)
            mine = os.fstat(fd)
            if (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino):
                return fd, temporary
        except OSError:
            pass
        # Another process's tidying took the file between its creation and our
        # lock (it was empty, so it looked stale): start again with a new name.
        os.close(fd)


def remove_stale(directory: str, name: str, heads: tuple[bytes, ...]) -> list[str]:
    """Remove the stale temporary files of earlier writes to ``name``; return them."""
    if fcntl is None:  # pragma: no cover - Windows
        return []
    pattern = re.compile(re.escape(f".{name}.") + "[0-9a-f]{16}" + re.escape(SUFFIX))
    longest = max((len(h) for h in heads), default=0)
    removed = []
    with os.scandir(directory) as entries:
        candidates = [e.path for e in entries if pattern.fullmatch(e.name)]
    for candidate in candidates:
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(candidate, flags | getattr(os, "O_CLOEXEC", 0))
        except OSError:  # a symlink (O_NOFOLLOW), gone, or unreadable: not ours
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # a write in progress holds it
                continue
            head = os.read(fd, longest)
            if not any(h.startswith(head) or head.startswith(h) for h in heads):
                continue  # a file of someone else's that happens to match the name
            here = os.stat(candidate, follow_symlinks=False)
            if (here.st_dev, here.st_ino) != (info.st_dev, info.st_ino):
                continue
            os.unlink(candidate)
            removed.append(candidate)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def _sync_directory(directory: str) -> None:
    """Flush the rename itself to disk where the platform allows it (POSIX)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open a folder
        return
    try:
        with contextlib.suppress(OSError):  # some file systems refuse
            os.fsync(fd)
    finally:
        os.close(fd)
