"""One rule for every file cdtx writes, and one atomic way to write it (docs/security.md).

The rule (:func:`check_output`): an output path must name a file; it may not be a directory, a
symbolic link (cdtx never writes through one, whatever ``--force`` says) or one of the command's
inputs; an existing file is replaced only with ``force``.

The way (:func:`write_atomic`, :func:`atomic_output`): write a temporary file in the target's
directory, ``fsync`` it, then rename it over the target (``os.replace``, or ``os.link`` when the
target must not exist yet, which fails rather than overwrite a file created meanwhile). A full
disk or any other error leaves the target as it was, removes the temporary file and raises
:class:`OutputError` with a message naming the file; nothing half-written ever claims success.

Recordings are not rewritten but appended to as the run goes: :func:`create_exclusive` creates
them (never truncating anything), :func:`create_unique` picks a fresh name for each session of a
shared console.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import CdtxError


class OutputError(CdtxError):
    """An output that cannot or may not be written; the message names the file."""


def describe_os_error(exc: OSError) -> str:
    """A person's words for why a write failed (a full disk, above all)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on the device (disk full or over quota)"
    return exc.strerror or str(exc)


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path}: cannot check the output: {describe_os_error(exc)}") from None


def _same(a: Path, b: str | Path) -> bool:
    try:
        if os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b):
            return True
        return a.resolve() == Path(b).resolve()
    except OSError:
        return False


def check_output(
    path: str | Path,
    *,
    inputs: Iterable[str | Path | None] = (),
    force: bool = False,
    option: str = "-o",
) -> Path:
    """``path`` as a Path if cdtx may write it; :class:`OutputError` saying why not.

    Refused: an empty name, a directory, a symbolic link (always), one of ``inputs`` (always)
    and an existing file unless ``force``. ``option`` names the option in messages.
    """
    if not str(path):
        raise OutputError(f"{option}: give a file name")
    path = Path(path)
    for source in inputs:
        if source and _same(path, source):
            raise OutputError(f"{path}: {option} would overwrite the input {source}")
    info = _lstat(path)
    if info is None:
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise OutputError(f"{path}: cannot write: no such directory {parent}")
        return path
    if stat.S_ISLNK(info.st_mode):
        raise OutputError(
            f"{path}: is a symbolic link; cdtx never writes through one (name the file itself)"
        )
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{path}: is a directory; {option} names a file")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"{path}: is not a regular file; {option} names a file")
    if not force:
        raise OutputError(f"{path}: already exists; give --force to replace it")
    return path


def _temp_in(directory: Path, name: str) -> tuple[Path, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for attempt in range(1000):
        temp = directory / f".{name}.{os.getpid()}.{attempt}.tmp"
        try:
            return temp, os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
    raise OutputError(f"{directory / name}: cannot create a temporary file next to it")


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or file system can
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _link_or_rename(temp: Path, path: Path) -> None:
    """Give ``temp`` the name ``path``, failing with FileExistsError if ``path`` exists."""
    try:
        os.link(temp, path)  # fails if the target appeared meanwhile: never overwrites
    except FileExistsError:
        raise
    except OSError as exc:  # a file system without hard links
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "exists") from None
        os.replace(temp, path)


@contextlib.contextmanager
def atomic_output(path: str | Path, *, force: bool = False) -> Iterator[IO[bytes]]:
    """A binary file to write ``path``'s new content to; on leaving the block without an error
    it is synced and renamed over ``path`` (which must not exist unless ``force``). On any error
    the target is untouched and the temporary file removed; OSError becomes OutputError."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        temp, fd = _temp_in(directory, path.name)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {describe_os_error(exc)}") from None
    done = False
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(temp, path)  # replaces a link itself, never what it points to
        else:
            _link_or_rename(temp, path)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        _fsync_dir(directory)
        done = True
    except FileExistsError:
        raise OutputError(f"{path}: already exists; give --force to replace it") from None
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write: {describe_os_error(exc)}; the file was not written"
        ) from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def write_atomic(path: str | Path, data: str | bytes, *, force: bool = False) -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` atomically (see :func:`atomic_output`)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(path, force=force) as handle:
        handle.write(raw)
    return Path(path)


def create_exclusive(path: str | Path, *, force: bool = False) -> IO[bytes]:
    """A new file at ``path`` opened for appending bytes, created exclusively: never truncating
    or following a link. With ``force`` an existing regular file is removed first (a new file
    takes its name; anyone still reading the old one keeps reading the old one)."""
    path = Path(path)
    if force and (info := _lstat(path)) is not None and stat.S_ISREG(info.st_mode):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        raise OutputError(f"{path}: already exists; give --force to replace it") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot create: {describe_os_error(exc)}") from None
    return os.fdopen(fd, "ab", buffering=1 << 20)


def create_unique(directory: str | Path, stem: str, suffix: str) -> tuple[Path, IO[bytes]]:
    """A new file ``directory/stem-N.suffix`` with the first free N, created exclusively (two
    sessions starting in the same second never share a file)."""
    directory = Path(directory)
    for number in range(1, 100_000):
        path = directory / f"{stem}-{number}{suffix}" if number > 1 else directory / (stem + suffix)
        try:
            return path, create_exclusive(path)
        except OutputError:
            if _lstat(path) is None:  # not "exists": a real failure
                raise
    raise OutputError(f"{directory}: no free name for {stem}{suffix}")


__all__ = ["OutputError", "atomic_output", "check_output", "create_exclusive", "create_unique",
           "describe_os_error", "write_atomic"]  # fmt: skip
