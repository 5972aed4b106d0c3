"""Input files: regular files within stated limits, read without surprises (private).

Every reader of demandlab (the loaders, the Google Trends export parser) gets its bytes
through :func:`read_input`: the path must be a regular file (a FIFO or a device is
refused before it is opened, so nothing blocks), and its size, also once a ``.gz`` is
decompressed, is bounded. The limits are stated in ``docs/data-contracts.md``.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from pathlib import Path

from ..errors import SchemaError

__all__ = ["MAX_CELL_CHARS", "MAX_COLUMNS", "MAX_INPUT_BYTES", "check_path", "read_input"]

PathLike = str | os.PathLike[str]

#: Limits of every input file (docs/data-contracts.md), each checked in linear time before
#: the table is built: the bytes of a file (a ``.gz`` once decompressed, a Parquet file by
#: its uncompressed size), the columns of a table and the characters of one cell (the
#: limit of Python's csv module).
MAX_INPUT_BYTES = 2**29
MAX_COLUMNS = 10_000
MAX_CELL_CHARS = 131_072


def human_size(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"


def too_big(path: Path, what: str) -> SchemaError:
    return SchemaError(
        f"{what}; inputs are limited to {human_size(MAX_INPUT_BYTES)}",
        path=path,
        hint="keep only the rows and columns you need, or split the file",
    )


_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
                (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def check_path(path: Path) -> None:
    """A regular, readable file within :data:`MAX_INPUT_BYTES`; checked without opening it."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SchemaError(
            "file not found", path=path, hint="check the path (relative to the current folder)"
        ) from None
    except OSError as exc:
        raise SchemaError(f"cannot read the file ({exc.strerror})", path=path,
                          hint="check the path and its permissions") from None
    if stat.S_ISDIR(st.st_mode):
        raise SchemaError(
            "is a folder, not a file", path=path, hint="pass a file, or --kind trends for a folder of exports"
        )
    if not stat.S_ISREG(st.st_mode):
        what = next((name for test, name in _NOT_REGULAR if test(st.st_mode)), "a special file")
        raise SchemaError(f"is {what}, not a regular file", path=path,
                          hint="save the table as a file and pass that file")
    if not os.access(path, os.R_OK):
        raise SchemaError("file is not readable", path=path, hint="check its permissions")
    if st.st_size > MAX_INPUT_BYTES:
        raise too_big(path, f"the file has {human_size(st.st_size)}")


def read_input(path: PathLike) -> bytes:
    """The bytes of an input file, a ``.gz`` decompressed, within :data:`MAX_INPUT_BYTES`.

    The path must be a regular file (a FIFO or a device is refused before it is
    opened); a gzip stream is decompressed in steps and refused as soon as it passes
    the limit, so a small "gzip bomb" never fills the memory.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sales.csv.gz"
    >>> _ = p.write_bytes(gzip.compress(b"unique_id,ds,y\\n"))
    >>> read_input(p)
    b'unique_id,ds,y\\n'
    >>> read_input("/dev/zero")
    Traceback (most recent call last):
    ...
    demandlab.errors.SchemaError: /dev/zero: is a device, not a regular file (fix: save the table as a file and pass that file)
    """
    path = Path(path)
    check_path(path)
    try:
        if path.suffix.lower() != ".gz":
            with open(path, "rb") as fh:
                return fh.read(MAX_INPUT_BYTES + 1)
        out = bytearray()
        with gzip.open(path, "rb") as gz:
            while chunk := gz.read(2**24):
                out += chunk
                if len(out) > MAX_INPUT_BYTES:
                    raise too_big(path, f"it decompresses to more than {human_size(MAX_INPUT_BYTES)}")
        return bytes(out)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise SchemaError(
            f"not a valid gzip file ({exc})", path=path, hint="re-compress it with gzip"
        ) from None
    except OSError as exc:
        raise SchemaError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
