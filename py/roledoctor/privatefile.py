"""Files only the current user can have written: the parser's cached tables.

The tables are a pickle, and unpickling runs code
(https://docs.python.org/3/library/pickle.html, "Warning"), so a cache is read
only from a directory and a file that this user owns and that no one else can
write, opened without following symlinks: fstat on the open descriptors, not
checks on paths that could change between the check and the open
(https://cwe.mitre.org/data/definitions/367.html). Where that cannot be
checked (no uid, no dir_fd: Windows), there is no disk cache.
"""

from __future__ import annotations

import os
import stat

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted at the path must not block the open
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
MAX_BYTES = 20_000_000  # the tables are ~0.3 MB; never read an unbounded file


def supported() -> bool:
    return (hasattr(os, "geteuid") and bool(_O_NOFOLLOW) and bool(_O_DIRECTORY)
            and os.open in os.supports_dir_fd)


def _private(st: os.stat_result, is_kind) -> bool:
    """Of the right kind, owned by us, writable by no one else."""
    return is_kind(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _open_dir(directory: str) -> int:
    """A descriptor of `directory` if it is private (raises OSError otherwise)."""
    fd = os.open(directory, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC)
    if not _private(os.fstat(fd), stat.S_ISDIR):
        os.close(fd)
        raise PermissionError(f"{directory} is not a private directory of this user")
    return fd


def read(path: str) -> bytes | None:
    """The bytes of `path`, or None when it is missing or anyone else could have written it."""
    if not supported():
        return None
    directory, name = os.path.split(os.path.abspath(path))
    try:
        dfd = _open_dir(directory)
    except OSError:
        return None
    try:
        fd = os.open(name, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC, dir_fd=dfd)
    except OSError:
        return None
    finally:
        os.close(dfd)
    with os.fdopen(fd, "rb") as f:
        if not _private(os.fstat(fd), stat.S_ISREG):
            return None
        data = f.read(MAX_BYTES + 1)
    return data if len(data) <= MAX_BYTES else None


def write(path: str, data: bytes) -> None:
    """Write `path` (mode 0600) inside a private directory, created 0700 if
    missing; raises OSError when the directory exists but is not private."""
    if not supported():
        raise OSError("no private files on this platform")
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    dfd = _open_dir(directory)
    try:
        tmp = f".{name}.{os.urandom(8).hex()}.tmp"  # then renamed: readers never see half a file
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, 0o600, dir_fd=dfd)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=dfd)
            except OSError:
                pass
            raise
    finally:
        os.close(dfd)
