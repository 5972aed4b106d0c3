"""Atomic writers: a temp file in the target folder, then ``os.replace``.

A failed run never leaves half a file behind: either the old file stays, or the
new one is complete.

:class:`OutputPlan` does this for every output of one command at once: the outputs
are declared and checked before any work (suffix, folder, writable, not an input),
rendered to temp files next to their targets, and renamed into place only when all
of them rendered; a failure leaves every target as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "OutputPlan",
    "TABLE_SUFFIXES",
    "FIGURE_SUFFIXES",
    "atomic_path",
    "atomic_write_text",
    "atomic_write_bytes",
    "write_frame",
    "atomic_dir",
]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=path.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.exists():  # mkstemp makes 0600 files; give them the usual mode
            os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")
    return Path(path)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


_WRITERS: dict[str, Callable[[pd.DataFrame, Path], None]] = {
    ".csv": lambda df, p: df.to_csv(p, index=False, lineterminator="\n"),
    ".parquet": lambda df, p: df.to_parquet(p, index=False),
}


def write_frame(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a DataFrame atomically as CSV or Parquet, chosen by the file suffix.

    One output of an :class:`OutputPlan`: the path is checked first (suffix, folder,
    writable).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = write_frame(pd.DataFrame({"a": [1, 2]}), p)
    >>> p.read_text()
    'a\\n1\\n2\\n'
    """
    (written,) = OutputPlan().table("path", path).check().write({"path": df})
    return written


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Build a folder in a temp location, then swap it in place of ``path``.

    On failure the temp folder is removed and ``path`` is untouched. ``path`` must be
    a folder or not exist: a file there is never moved away.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "site"
    >>> with atomic_dir(d) as tmp:
    ...     _ = (tmp / "index.html").write_text("hi")
    >>> sorted(p.name for p in d.iterdir())
    ['index.html']
    """
    path = Path(path)
    if os.path.lexists(path) and not path.is_dir():
        from ..errors import DemandlabError

        raise DemandlabError("is a file, not a folder", path=path, hint="give a folder path")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
        os.replace(path, old)  # onto the empty temp folder: a unique name, nobody else's
    try:
        os.replace(tmp, path)
    except BaseException:
        if old is not None:
            os.replace(old, path)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# -- every output of one command --------------------------------------------------------

#: Suffixes a table output may have (see :data:`_WRITERS`).
TABLE_SUFFIXES = (".csv", ".parquet")
#: Suffixes a chart output may have (matplotlib writes each natively).
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")

_WHAT = {"table": "a table", "figure": "a chart", "file": "this file", "folder": "a folder"}
_EXAMPLE = {"table": "out.csv", "figure": "chart.png", "folder": "reports"}


@dataclass(frozen=True)
class _Output:
    flag: str
    path: Path
    kind: str  # table, figure, file, folder
    suffixes: tuple[str, ...]


def _nearest(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists."""
    for p in (path, *path.parents):
        if os.path.lexists(p):
            return p
    return Path(path.anchor or ".")


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _relation(out: Path, inp: Path) -> str | None:
    """How output ``out`` overlaps input ``inp``: it is it, contains it or lies inside it."""
    o, i = _resolved(out), _resolved(inp)
    if o == i:
        return "is"
    if o in i.parents:
        return "contains"
    if i in o.parents:
        return "lies inside"
    return None


class OutputPlan:
    """The outputs of one command: declared and checked first, written all-or-nothing.

    Declare every output with :meth:`table`, :meth:`figure`, :meth:`file` or
    :meth:`folder` (a ``None`` path is skipped), call :meth:`check` before any work,
    and give the rendered objects to :meth:`write` at the end. Each output is
    rendered to a temp file next to its target; only when all rendered are they
    renamed into place (a rename that fails puts back what was replaced), so a
    failed run changes no existing file.

    Parameters
    ----------
    inputs : iterable of path-like
        The command's inputs: no output file may be one; no output folder may be
        one, contain one or lie inside one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> plan = OutputPlan().table("--out", d / "t.csv").figure("--plot", d / "c.jpg")
    >>> plan.check()
    Traceback (most recent call last):
    ...
    demandlab.errors.ParameterError: argument '--plot': cannot write ...c.jpg: a chart is written as .png, .svg or .pdf (fix: e.g. --plot chart.png)
    >>> plan = OutputPlan().table("--out", d / "t.csv").check()
    >>> [p.name for p in plan.write({"--out": pd.DataFrame({"a": [1]})})]
    ['t.csv']
    """

    def __init__(self, inputs: Iterable[str | os.PathLike[str] | None] = ()) -> None:
        self._inputs = [Path(p) for p in inputs if p is not None and str(p) != ""]
        self._outputs: list[_Output] = []

    def _add(self, flag: str, path: str | os.PathLike[str] | None, kind: str,
             suffixes: tuple[str, ...] = ()) -> OutputPlan:
        if path is not None:
            self._outputs.append(_Output(flag, Path(path), kind, suffixes))
        return self

    def table(self, flag: str, path: str | os.PathLike[str] | None) -> OutputPlan:
        """Declare a table output (``.csv`` or ``.parquet``)."""
        return self._add(flag, path, "table", TABLE_SUFFIXES)

    def figure(self, flag: str, path: str | os.PathLike[str] | None,
               suffixes: tuple[str, ...] = FIGURE_SUFFIXES) -> OutputPlan:
        """Declare a chart output (``.png``, ``.svg`` or ``.pdf``)."""
        return self._add(flag, path, "figure", suffixes)

    def file(self, flag: str, path: str | os.PathLike[str] | None,
             suffixes: tuple[str, ...] = ()) -> OutputPlan:
        """Declare another file output (text or bytes); ``suffixes`` empty: any."""
        return self._add(flag, path, "file", suffixes)

    def folder(self, flag: str, path: str | os.PathLike[str] | None) -> OutputPlan:
        """Declare a folder output (checked only; write it with :func:`atomic_dir`)."""
        return self._add(flag, path, "folder")

    @property
    def paths(self) -> dict[str, Path]:
        """The declared outputs, by flag."""
        return {o.flag: o.path for o in self._outputs}

    def check(self) -> OutputPlan:
        """Refuse, before any work, an output that cannot be written; return ``self``."""
        from ..errors import ParameterError

        seen: list[_Output] = []
        for out in self._outputs:
            problem, hint = self._problem(out)
            if problem is None:
                for inp in self._inputs:
                    rel = _relation(out.path, inp)
                    if rel is not None and (out.kind == "folder" or rel == "is"):
                        problem = f"{out.path} {rel} the input {inp}"
                        hint = ("choose a folder outside every input, e.g. next to the project "
                                "folder" if out.kind == "folder" else
                                "write to another file; a command never overwrites its inputs")
                        break
            if problem is None:
                for other in seen:
                    if _relation(out.path, other.path) is not None:
                        problem = f"{out.path} is also the output of {other.flag}"
                        hint = "give each output its own path"
                        break
            if problem is not None:
                raise ParameterError(problem, column=out.flag, hint=hint)
            seen.append(out)
        return self

    @staticmethod
    def _problem(out: _Output) -> tuple[str | None, str | None]:
        path = out.path
        example = f"e.g. {out.flag} {_EXAMPLE.get(out.kind, 'out' + (out.suffixes or ('.txt',))[0])}"
        if str(path) in ("", "."):
            return f"{str(path)!r} is not a {'folder' if out.kind == 'folder' else 'file'} name", example
        if out.kind == "folder":
            if os.path.lexists(path) and not path.is_dir():
                return f"{path} is a file, not a folder", "give a new or existing folder"
        else:
            if path.is_dir():
                return f"{path} is a folder, not a file", f"give a file name, {example}"
            suffix = path.suffix.lower()
            if out.suffixes and suffix not in out.suffixes:
                allowed = ", ".join(out.suffixes[:-1]) + f" or {out.suffixes[-1]}" \
                    if len(out.suffixes) > 1 else out.suffixes[0]
                return (f"cannot write {path}: {_WHAT[out.kind]} is written as {allowed}", example)
            if os.path.lexists(path) and path.exists() and not path.is_file():
                return f"{path} is not a regular file (a device, pipe or socket)", example
            if path.is_file() and not os.access(path, os.W_OK):
                return f"{path} is read-only", "make it writable or choose another path"
        parent = _nearest(Path(os.path.abspath(path)).parent)
        if not parent.is_dir():
            return f"{parent} is a file, not a folder", "choose a path inside a folder"
        if not os.access(parent, os.W_OK | os.X_OK):
            return f"cannot create files in {parent} (permission denied)", "choose a writable folder"
        return None, None

    def write(self, contents: Mapping[str, Any]) -> list[Path]:
        """Render every declared output given in ``contents`` and rename all into place.

        ``contents`` maps a flag to a DataFrame (table), a matplotlib Figure (chart),
        text or bytes, or a callable that writes the temp path it is given. A flag
        missing or ``None`` in ``contents`` is not written. Returns the paths written.
        """
        from ..errors import DemandlabError

        staged: list[tuple[Path, Path]] = []
        made: list[Path] = []
        current: Path | None = None
        try:
            for out in self._outputs:
                obj = contents.get(out.flag)
                if obj is None or out.kind == "folder":
                    continue
                current = out.path
                made += _make_folders(out.path.parent)
                fd, name = tempfile.mkstemp(prefix=f".{out.path.name}.",
                                            suffix=out.path.suffix or ".tmp", dir=out.path.parent)
                os.close(fd)
                tmp = Path(name)
                staged.append((tmp, out.path))
                _render(out, obj, tmp)
                os.chmod(tmp, 0o666 & ~_umask())
            current = None
            _swap_all(staged)
        except BaseException as exc:
            for tmp, _ in staged:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            for folder in reversed(made):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            if isinstance(exc, OSError):
                raise DemandlabError(
                    f"cannot write the output ({exc.strerror or exc}); nothing was written",
                    path=current or exc.filename, hint="check the folder, its space and permissions",
                ) from None
            raise
        return [target for _, target in staged]


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return those created, outermost first."""
    missing = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
    for p in reversed(missing):
        p.mkdir()
    return list(reversed(missing))


def _render(out: _Output, obj: Any, tmp: Path) -> None:
    if out.kind == "table" and isinstance(obj, pd.DataFrame):
        _WRITERS[out.path.suffix.lower()](obj, tmp)
    elif out.kind == "figure" and hasattr(obj, "savefig"):
        obj.savefig(tmp, format=out.path.suffix.lower().lstrip("."), dpi=120)
    elif isinstance(obj, bytes):
        tmp.write_bytes(obj)
    elif isinstance(obj, str):
        tmp.write_text(obj, encoding="utf-8", newline="")
    elif callable(obj):
        obj(tmp)
    else:
        raise TypeError(f"cannot write a {type(obj).__name__} as {_WHAT[out.kind]}")


def _swap_all(staged: list[tuple[Path, Path]]) -> None:
    """Rename every temp file onto its target; if one rename fails, undo the others."""
    done: list[tuple[Path, Path | None]] = []  # replaced targets and their backups
    backup: Path | None = None
    try:
        for tmp, target in staged:
            backup = None
            if target.is_file():
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".bak", dir=target.parent)
                os.close(fd)
                backup = Path(name)
                backup.unlink()
                try:
                    os.link(target, backup)
                except OSError:
                    shutil.copy2(target, backup)
            os.replace(tmp, target)
            done.append((target, backup))
            backup = None
    except BaseException:
        for target, old in reversed(done):
            with contextlib.suppress(OSError):
                if old is not None:
                    os.replace(old, target)
                else:
                    target.unlink()
        raise
    finally:
        for old in [b for _, b in done] + [backup]:
            if old is not None:
                with contextlib.suppress(OSError):
                    old.unlink()
