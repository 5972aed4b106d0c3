"""The project file, ``demandlab.toml``: which of the user's files hold which input.

A project file lives anywhere, next to the user's own exports, and names them: one
section per input kind of ``docs/data-contracts.md`` (``trends``, ``sales``,
``customers``, ...) plus ``sales_index`` (a sector turnover index such as the CBS one),
each with the file's ``path`` (relative to the project file), and where the file does
not follow the contract, a ``columns`` map (contract name = the user's header), a
``values`` map per column (the user's value = the contract value), an ``order`` for
ordinal columns and ``sep``, ``decimal``, ``encoding``, ``sheet``, ``date_format`` where
detection is not enough. ``docs/project-file.md`` is the reference.

Examples
--------
>>> from demandlab.io import load_project
>>> project = load_project()  # the bundled data/raw/demandlab.toml
>>> project.title, project.region, project.currency
('Demo importer (synthetic)', 'Netherlands', 'EUR')
>>> project.has("sales"), project.is_synthetic("sales"), project.is_synthetic("trends")
(True, True, False)
>>> project.load("pilots")["units_sold"].sum() > 0
np.True_
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import validate_params
from ..errors import DataError, DemandlabError, SchemaError
from ..paths import RAW
from ._loaders import (
    _FUNNEL_EVENTS,
    _TRENDS_EXPORTS,
    KINDS,
    SIZES,
    ReadOptions,
    Schema,
    _check_key,
    _check_table,
    _Ctx,
    _funnel_schema,
    _head_text,
    _header_name,
    _is_trends_source,
    _read_table,
    check_frame,
    combine,
    summarize,
)

__all__ = [
    "Project", "InputSpec", "load_project", "init_project", "guess_project", "PROJECT_FILE",
    "SECTION_KEYS", "kinds",
]

PathLike = str | os.PathLike[str]

#: The name of a project file (``load_project(folder)`` looks for it in the folder).
PROJECT_FILE = "demandlab.toml"
#: The keys of the ``[project]`` table and their defaults.
PROJECT_KEYS = ("title", "region", "currency")
#: The keys an input section may hold.
SECTION_KEYS = (
    "path", "sheet", "columns", "values", "order", "sep", "decimal", "encoding",
    "date_format", "synthetic", "sector",
)
#: The section of the sector turnover index and the contract it follows.
SALES_INDEX = "sales_index"
_SEP_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}


def kinds() -> list[str]:
    """The section names an input may have: every contract kind plus ``sales_index``.

    Examples
    --------
    >>> "sales" in kinds() and "sales_index" in kinds()
    True
    """
    return [*KINDS, SALES_INDEX]


def _schema(kind: str) -> Schema:
    return KINDS["turnover" if kind == SALES_INDEX else kind]


def _contract_columns(kind: str) -> list[str]:
    names = [c.name for c in _schema(kind).columns]
    if kind == "funnel":
        names += [c.name for c in _FUNNEL_EVENTS.columns if c.name not in names]
    return names


def _norm_value(v: object) -> str:
    """A category value as matched: surrounding spaces dropped, inner runs as one, lower case."""
    return " ".join(str(v).split()).lower()


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


@dataclass(frozen=True)
class InputSpec:
    """One input section of a project file.

    Attributes
    ----------
    kind : str
        The section name (a contract kind, or ``sales_index``).
    path : str or list of str
        File, folder (trends) or list of files, relative to the project file.
    sheet : str or int, optional
        Excel sheet.
    columns : dict
        Contract column -> the user's header.
    values : dict
        Contract column -> {user's value: contract value}.
    order : dict
        Column -> its levels from low to high (ordinal columns).
    sep, decimal, encoding, date_format : str, optional
        Reading options where detection is not enough.
    synthetic : bool
        The data are made up (the bundled demo world); reports say so.
    sector : str, optional
        ``sales_index`` only: the sector to compare with (code or name).
    """

    kind: str
    path: str | list[str]
    sheet: str | int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    order: dict[str, list[str]] = field(default_factory=dict)
    sep: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    date_format: str | None = None
    synthetic: bool = False
    sector: str | None = None

    @property
    def paths(self) -> list[str]:
        """``path`` as a list."""
        return [self.path] if isinstance(self.path, str) else list(self.path)

    def options(self, project: str = PROJECT_FILE) -> ReadOptions:
        """The reading options of this section."""
        return ReadOptions(
            sep=self.sep, decimal=self.decimal, encoding=self.encoding, sheet=self.sheet,
            date_format=self.date_format, section=self.kind, project=project,
        )


# --------------------------------------------------------------------------------------
# Parsing the project file
# --------------------------------------------------------------------------------------


class _Parser:
    """Turns the TOML tables into specs, collecting every problem with its line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.problems: list[DemandlabError] = []

    def line_of(self, section: str, key: str | None = None) -> int | None:
        head = section.split(".")[0]
        start = None
        pattern = re.compile(rf"^\s*\[\s*{re.escape(head)}(\s*\]|\.)")
        for i, text in enumerate(self.lines):
            if pattern.match(text):
                start = i
                break
        if start is None:
            return None
        if key is None:
            return start + 1
        kpat = re.compile(rf"^\s*(\"?){re.escape(key)}\1\s*(=|\.)")
        for i in range(start + 1, len(self.lines)):
            if re.match(r"^\s*\[", self.lines[i]) and not re.match(
                rf"^\s*\[\s*{re.escape(head)}\.", self.lines[i]
            ):
                break
            if kpat.match(self.lines[i]):
                return i + 1
        return start + 1

    def fail(self, section: str, key: str | None, message: str, hint: str | None = None) -> None:
        where = f"[{section}]" if key is None else f"[{section}] {key}"
        self.problems.append(SchemaError(
            f"{where}: {message}", path=self.path, row=self.line_of(section, key), hint=hint
        ))

    def text(self, section: str, key: str, value: object, *, allow_int: bool = False) -> str | None:
        if value is None:
            return None
        if isinstance(value, str) or (allow_int and isinstance(value, int)):
            return value
        self.fail(section, key, f"must be text, got {value!r}", hint=f'write {key} = "..."')
        return None

    def project(self, table: object) -> dict[str, str | None]:
        out: dict[str, str | None] = {"title": None, "region": None, "currency": "EUR"}
        if not isinstance(table, dict):
            self.fail("project", None, "must be a table", hint="write [project] on its own line")
            return out
        for key, value in table.items():
            if key not in PROJECT_KEYS:
                self.fail("project", key, f"unknown key {key!r}",
                          hint=f"{_did_you_mean(key, list(PROJECT_KEYS))}"
                          f"[project] takes {', '.join(PROJECT_KEYS)}")
                continue
            out[key] = self.text("project", key, value)
        cur = out["currency"]
        if cur is not None and not re.fullmatch(r"[A-Z]{3}", cur):
            self.fail("project", "currency", f"{cur!r} is not a 3-letter ISO 4217 code",
                      hint='e.g. currency = "EUR"')
        return out

    def section(self, kind: str, table: object) -> InputSpec | None:
        if isinstance(table, str | list):  # `sales = "file.csv"` as a shorthand
            table = {"path": table}
        if not isinstance(table, dict):
            self.fail(kind, None, "must be a table with at least a path",
                      hint=f'write [{kind}] and below it path = "your_file.csv"')
            return None
        before = len(self.problems)
        for key in table:
            if key not in SECTION_KEYS or (key == "sector" and kind != SALES_INDEX):
                self.fail(kind, key, f"unknown key {key!r}",
                          hint=f"{_did_you_mean(key, list(SECTION_KEYS))}a section takes "
                          f"{', '.join(k for k in SECTION_KEYS if k != 'sector')}"
                          + (" and sector" if kind == SALES_INDEX else ""))
        path = table.get("path")
        misspelt = any(k not in SECTION_KEYS and difflib.get_close_matches(k, ["path"], cutoff=0.6)
                       for k in table)
        if path is None:
            if not misspelt:  # a misspelt path key is reported as such
                self.fail(kind, None, "has no path",
                          hint=f'add path = "your_file.csv" under [{kind}]')
        elif isinstance(path, list):
            if not path or not all(isinstance(p, str) and p.strip() for p in path):
                self.fail(kind, "path", "must be a file name or a list of file names",
                          hint='e.g. path = ["2024.csv", "2025.csv"]')
        elif not isinstance(path, str) or not path.strip():
            self.fail(kind, "path", f"must be a file name, got {path!r}",
                      hint='e.g. path = "sales.csv" (relative to this file)')
        contract = _contract_columns(kind)
        columns = self._columns(kind, table.get("columns", {}), contract)
        values = self._values(kind, table.get("values", {}), contract)
        order = self._order(kind, table.get("order", {}), contract)
        sep = self.text(kind, "sep", table.get("sep"))
        if sep is not None:
            sep = _SEP_NAMES.get(sep.lower(), sep)
            if len(sep) != 1:
                self.fail(kind, "sep", f"{sep!r} is not one character",
                          hint='use sep = ";" or ",", or sep = "tab"')
        decimal = self.text(kind, "decimal", table.get("decimal"))
        if decimal is not None and decimal not in (".", ","):
            self.fail(kind, "decimal", f"{decimal!r} is not a decimal mark",
                      hint='use decimal = "," or decimal = "."')
        encoding = self.text(kind, "encoding", table.get("encoding"))
        if encoding is not None:
            try:
                codecs.lookup(encoding)
            except LookupError:
                self.fail(kind, "encoding", f"unknown encoding {encoding!r}",
                          hint='e.g. encoding = "utf-8", "utf-16" or "cp1252"')
        sheet = self.text(kind, "sheet", table.get("sheet"), allow_int=True)
        date_format = self.text(kind, "date_format", table.get("date_format"))
        if date_format is not None and "%" not in date_format:
            self.fail(kind, "date_format", f"{date_format!r} has no % codes",
                      hint='write it as for strftime, e.g. date_format = "%d.%m.%Y"')
        synthetic = table.get("synthetic", False)
        if not isinstance(synthetic, bool):
            self.fail(kind, "synthetic", f"must be true or false, got {synthetic!r}",
                      hint="synthetic = true marks made-up data")
        sector = self.text(kind, "sector", table.get("sector"), allow_int=True)
        if len(self.problems) > before:
            return None
        return InputSpec(
            kind=kind, path=path, sheet=sheet, columns=columns, values=values, order=order,
            sep=sep, decimal=decimal, encoding=encoding, date_format=date_format,
            synthetic=bool(synthetic), sector=None if sector is None else str(sector),
        )

    def _contract_key(self, kind: str, where: str, name: str, contract: list[str]) -> bool:
        if name in contract:
            return True
        self.fail(kind, where, f"{name!r} is not a column of the {kind} contract",
                  hint=f"{_did_you_mean(name, contract)}the contract columns are "
                  f"{', '.join(contract)}; the left side is the contract name, the right "
                  "side your header")
        return False

    def _columns(self, kind: str, table: object, contract: list[str]) -> dict[str, str]:
        if not isinstance(table, dict):
            self.fail(kind, "columns", "must be a table",
                      hint='e.g. columns = { unique_id = "Article", ds = "Period" }')
            return {}
        out: dict[str, str] = {}
        for name, header in table.items():
            if not self._contract_key(kind, "columns", name, contract):
                continue
            if not isinstance(header, str) or not header.strip():
                self.fail(kind, "columns", f"{name} must name a header of the file, got {header!r}",
                          hint=f'e.g. {name} = "Your header"')
                continue
            out[name] = header
        seen: dict[str, str] = {}
        for name, header in out.items():
            h = _header_name(header)
            if h in seen:
                self.fail(kind, "columns", f"{seen[h]} and {name} both map to {header!r}",
                          hint="map each contract column to its own header")
            seen[h] = name
        return out

    def _values(self, kind: str, table: object, contract: list[str]) -> dict[str, dict[str, str]]:
        if not isinstance(table, dict):
            self.fail(kind, "values", "must be a table of tables",
                      hint='e.g. values.size = { "Micro (<10)" = "micro" }')
            return {}
        schema = _schema(kind)
        out: dict[str, dict[str, str]] = {}
        for name, mapping in table.items():
            if not self._contract_key(kind, "values", name, contract):
                continue
            if not isinstance(mapping, dict):
                self.fail(kind, "values", f"values.{name} must be a table",
                          hint=f'e.g. values.{name} = {{ "Your value" = "contract value" }}')
                continue
            allowed = next((c.allowed for c in schema.columns if c.name == name), None)
            clean: dict[str, str] = {}
            for src, dst in mapping.items():
                if not isinstance(dst, str | int | float) or isinstance(dst, bool):
                    self.fail(kind, "values", f"values.{name}.{src!r} must be a value, got {dst!r}")
                    continue
                dst = str(dst)
                if allowed is not None and dst.strip().lower() not in allowed:
                    self.fail(kind, "values",
                              f"values.{name}: {dst!r} (for {src!r}) is not one of "
                              f"{', '.join(allowed)}",
                              hint=f"{_did_you_mean(dst.strip().lower(), list(allowed))}"
                              "the right side is the contract value")
                    continue
                clean[src] = dst
            out[name] = clean
        return out

    def _order(self, kind: str, table: object, contract: list[str]) -> dict[str, list[str]]:
        if not isinstance(table, dict):
            self.fail(kind, "order", "must be a table of lists",
                      hint='e.g. order.size = ["micro", "small", "medium", "large"]')
            return {}
        out: dict[str, list[str]] = {}
        for name, levels in table.items():
            if not self._contract_key(kind, "order", name, contract):
                continue
            if (not isinstance(levels, list) or len(levels) < 2
                    or not all(isinstance(v, str | int) for v in levels)):
                self.fail(kind, "order", f"order.{name} must list at least two levels, low to high",
                          hint=f'e.g. order.{name} = ["low", "mid", "high"]')
                continue
            norm = [_norm_value(v) for v in levels]
            if len(set(norm)) != len(norm):
                self.fail(kind, "order", f"order.{name} repeats a level",
                          hint="list every level once")
                continue
            out[name] = [str(v) for v in levels]
        return out


def _join_inline_tables(text: str) -> str:
    r"""Let inline tables span lines and end with a comma, as TOML 1.1 allows.

    Python's ``tomllib`` reads TOML 1.0, where ``columns = { ... }`` must sit on one
    line; users (and the examples in the docs) write long maps over several lines.
    Newlines and comments inside braces are dropped and the newlines put back after
    the closing brace, so line numbers in messages stay right.

    Examples
    --------
    >>> print(_join_inline_tables('a = { x = "1",  # one\n      y = "}", }\nb = 2'))
    a = { x = "1",         y = "}" }
    <BLANKLINE>
    b = 2
    """
    out: list[str] = []
    depth = 0
    held = 0  # newlines removed inside the current inline table
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            q = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(q)
            while j < n:
                if q[0] == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(q, j):
                    j += len(q)
                    break
                if len(q) == 1 and text[j] == "\n":
                    break
                j += 1
            out.append(text[i:j])
            i = j
            continue
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            if depth == 0:
                out.append(text[i:j])
            i = j
            continue
        if c == "{":
            depth += 1
        elif c == "}" and depth > 0:
            depth -= 1
            k = len(out) - 1
            while k >= 0 and out[k].isspace():
                k -= 1
            if k >= 0 and out[k] == ",":  # a trailing comma
                out[k] = ""
            if depth == 0 and held:
                out.append("}" + "\n" * held)
                held = 0
                i += 1
                continue
        elif c == "\n" and depth > 0:
            held += 1
            out.append(" ")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> SchemaError:
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column \d+\)", msg)
    text = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg).strip()
    return SchemaError(
        f"not valid TOML: {text}", path=path, row=int(m.group(1)) if m else None,
        hint='write key = "value" pairs under [section] headers; text in double quotes',
    )


def _resolve_path(path: PathLike | None) -> Path:
    if path is None or str(path) == "":
        env = os.environ.get("DEMANDLAB_PROJECT")
        path = env if env else RAW / PROJECT_FILE
    p = Path(path).expanduser()
    if p.is_dir():
        p = p / PROJECT_FILE
        if not p.exists():
            raise SchemaError(
                f"no {PROJECT_FILE} in this folder", path=p.parent,
                hint=f"create one with: demandlab init {p.parent}  (or --from a folder of exports)",
            )
    if not p.exists():
        raise SchemaError(
            "project file not found", path=p,
            hint="check the path, or create one with: demandlab init FOLDER",
        )
    return p


def _load_project(path: PathLike | None = None, *, check_files: bool = True) -> Project:
    p = _resolve_path(path).resolve()
    text = _project_text(p)
    try:
        data = tomllib.loads(_join_inline_tables(text))
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(p, exc) from None
    parser = _Parser(p, text)
    known = ["project", *kinds()]
    meta: dict[str, str | None] = {"title": None, "region": None, "currency": "EUR"}
    inputs: dict[str, InputSpec] = {}
    for key, value in data.items():
        if key == "project":
            meta = parser.project(value)
        elif key in known:
            spec = parser.section(key, value)
            if spec is not None:
                inputs[key] = spec
        elif key in PROJECT_KEYS:
            parser.problems.append(SchemaError(
                f"{key!r} must be under [project]", path=p, hint=f"move {key} = ... below [project]"
            ))
        else:
            parser.fail(key, None, f"unknown section [{key}]",
                        hint=f"{_did_you_mean(key, known)}sections: {', '.join(known)}")
    project = Project(
        path=p.resolve(), title=meta["title"] or p.resolve().parent.name,
        region=meta["region"], currency=meta["currency"] or "EUR", inputs=inputs,
    )
    if check_files or parser.problems:  # when raising anyway, say every problem
        for kind in inputs:
            parser.problems.extend(project._missing(kind))
    if parser.problems:
        raise combine(parser.problems)
    return project


def _project_text(p: Path) -> str:
    """The text of a project file, or one clear line on what it is instead."""
    hint = "give the demandlab.toml (TOML text, UTF-8) or the folder holding it"
    if p.is_dir():
        raise SchemaError("is a folder, not a project file", path=p, hint=hint)
    if not p.is_file():  # a FIFO or a device would block or never end
        raise SchemaError("is not a regular file (a device, pipe or socket)", path=p, hint=hint)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise SchemaError(f"cannot read the project file ({exc.strerror})", path=p, hint=hint) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise SchemaError("binary data, not a TOML project file", path=p, hint=hint)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}",
                          path=p, row=data[: exc.start].count(b"\n") + 1,
                          hint="save it as UTF-8 text") from None


@validate_params({"path": ["path-like", None]})
def load_project(path: PathLike | None = None) -> Project:
    """Read a project file (``demandlab.toml``) and check it.

    Parameters
    ----------
    path : str or path-like, optional
        The project file, or a folder holding ``demandlab.toml``. ``None`` or ``""``:
        the ``DEMANDLAB_PROJECT`` environment variable if set, else the bundled
        ``data/raw/demandlab.toml``.

    Returns
    -------
    Project

    Raises
    ------
    SchemaError
        Bad TOML, an unknown section or key (with a did-you-mean), a value of the
        wrong type, a file that is not there: every problem at once, one line each,
        naming the project file, its line and the key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "demandlab.toml").write_text('[project]\\ntitle = "Bikes"\\n[sales]\\npaht = "s.csv"\\n')
    >>> try:
    ...     load_project(d)
    ... except Exception as err:
    ...     print(str(err).replace(str(d), "DIR"))
    DIR/demandlab.toml:4: [sales] paht: unknown key 'paht' (fix: did you mean 'path'? a section takes path, sheet, columns, values, order, sep, decimal, encoding, date_format, synthetic)
    """
    return _load_project(path, check_files=True)


# --------------------------------------------------------------------------------------
# The project
# --------------------------------------------------------------------------------------


@dataclass
class Project:
    """A project: its title, region and currency, and where each input is.

    Made by :func:`load_project`. Input paths are relative to the project file's folder
    (``root``).

    Attributes
    ----------
    path : pathlib.Path
        The project file.
    root : pathlib.Path
        Its folder.
    title : str
        ``[project] title`` (default: the folder name).
    region : str or None
        ``[project] region``, for report text (None: not said).
    currency : str
        ``[project] currency`` (default ``EUR``).
    inputs : dict
        Section name -> :class:`InputSpec`, for the sections in the file.
    """

    path: Path
    title: str
    region: str | None
    currency: str
    inputs: dict[str, InputSpec]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        """The folder of the project file; input paths are relative to it."""
        return self.path.parent

    def __repr__(self) -> str:
        return (f"Project({self.title!r}, region={self.region!r}, currency={self.currency!r}, "
                f"inputs={list(self.inputs)})")

    # -- where the files are -----------------------------------------------------------
    def spec(self, kind: str) -> InputSpec:
        """The section of ``kind``; a SchemaError naming the project file when it is absent."""
        if kind not in kinds():
            raise SchemaError(
                f"unknown input kind {kind!r}", path=self.path,
                hint=f"{_did_you_mean(kind, kinds())}kinds: {', '.join(kinds())}",
            )
        spec = self.inputs.get(kind)
        if spec is None:
            raise SchemaError(
                f"no [{kind}] section: the project has no {kind} input", path=self.path,
                hint=f'add [{kind}] with path = "your_file" to {self.path.name} '
                "(see docs/project-file.md)",
            )
        return spec

    def files(self, kind: str) -> list[Path]:
        """The files (or folders) of ``kind``, resolved against the project folder."""
        return [(self.root / p).resolve() if not Path(p).is_absolute() else Path(p)
                for p in self.spec(kind).paths]

    def _missing(self, kind: str) -> list[DemandlabError]:
        spec = self.inputs[kind]
        out: list[DemandlabError] = []
        for rel, full in zip(spec.paths, self.files(kind), strict=True):
            if not full.exists():
                parent = full.parent
                near = ""
                if parent.is_dir():
                    names = [q.name for q in parent.iterdir()]
                    near = _did_you_mean(full.name, names)
                out.append(SchemaError(
                    f"[{kind}] path: {rel!r} not found", path=self.path,
                    row=_Parser(self.path, self._text()).line_of(kind, "path"),
                    hint=f"{near}paths are relative to the folder of {self.path.name} "
                    f"({self.root})",
                ))
        return out

    def _text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8-sig")
        except OSError:
            return ""

    def has(self, kind: str) -> bool:
        """Whether the project has a ``kind`` section and its file(s) exist."""
        return kind in self.inputs and all(p.exists() for p in self.files(kind))

    def is_synthetic(self, kind: str) -> bool:
        """Whether the section of ``kind`` says ``synthetic = true`` (False when absent)."""
        spec = self.inputs.get(kind)
        return bool(spec and spec.synthetic)

    # -- loading -------------------------------------------------------------------------
    def load(self, kind: str) -> pd.DataFrame:
        """Read, map and check the input ``kind``; every problem is raised at once.

        Columns are renamed by the section's ``columns`` map, values replaced by its
        ``values`` maps (headers and values matched without regard to case and
        surrounding spaces), then the table is checked against the kind's contract.
        Ordinal orders (``order`` or the contract's size order) are in
        ``df.attrs["order"]``.

        Raises
        ------
        SchemaError
            No such section, a file not found, or the structure is wrong.
        DemandlabError
            One error listing every problem of the input, one line each, naming the
            file, the column, the rows and the project-file key to set.
        """
        spec = self.spec(kind)
        if kind in self._cache:
            return self._cache[kind].copy()
        missing = self._missing(kind)
        if missing:
            raise combine(missing)
        files = self.files(kind)
        if kind == "trends":
            df = self._load_trends(spec, files)
        elif kind in (SALES_INDEX, "turnover") and _is_cbs(files[0]) and len(files) == 1:
            from ._datasets import cbs_turnover

            df = cbs_turnover(files[0])
        elif kind == "geomap" and len(files) == 1 and not files[0].is_dir() and (
            _is_trends_source(files[0])
        ):
            from ..trends import _api as trends

            df = trends.read_geomap_csv(files[0])
        elif kind == "volumes" and all(_is_keyword_planner(f) for f in files):
            from ..trends._volume import read_keyword_planner

            df = check_frame(read_keyword_planner(files).volumes, KINDS["volumes"], files[0])
        else:
            df = self._load_tables(spec, files)
        order = {c: tuple(v) for c, v in spec.order.items() if c in df.columns}
        if "size" in df.columns and "size" not in order and kind == "customers":
            order["size"] = SIZES
        df.attrs["order"] = order
        df.attrs["kind"] = kind
        df.attrs["synthetic"] = spec.synthetic
        self._cache[kind] = df
        return df.copy()

    def _load_trends(self, spec: InputSpec, files: list[Path]) -> pd.DataFrame:
        from ..trends._csv import list_csv_files

        exports: list[Path] = []
        frames: list[pd.DataFrame] = []
        for f in files:
            if f.is_dir():
                exports += list_csv_files(f)
            elif _is_trends_source(f):
                exports.append(f)
            else:
                frames.append(self._load_tables(spec, [f]))
        if exports:
            from ..trends import _api as trends

            raw = trends.read_trends_csv(exports)
            ctx_path = str(files[0]) if len(files) == 1 else str(self.path)
            from ._loaders import check_frame

            checked = check_frame(raw, _TRENDS_EXPORTS, ctx_path)
            checked.attrs.update(raw.attrs)  # granularity per source file
            frames.append(checked)
        if not frames:
            raise SchemaError(
                "[trends] path: no Google Trends exports found", path=self.path,
                hint="point path at a multiTimeline.csv export, a folder of them or a list",
            )
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def _load_tables(self, spec: InputSpec, files: list[Path]) -> pd.DataFrame:
        kind = spec.kind
        options = spec.options(self.path.name)
        frames: list[pd.DataFrame] = []
        problems: list[DemandlabError] = []
        for f in files:
            try:
                df, ctx = _read_table(f, options, kind)
            except DemandlabError as exc:
                problems.append(exc)
                continue
            df, found = self._map(spec, df, ctx)
            schema = _funnel_schema(df) if kind == "funnel" else _schema(kind)
            try:
                clean = _check_table(df, schema, ctx, found)
                self._check_order(spec, clean, ctx)
            except DemandlabError as exc:
                problems.append(exc)
                continue
            frames.append(clean)
        if problems:
            raise combine(problems)
        if len(frames) == 1:
            return frames[0]
        out = pd.concat(frames, ignore_index=True)
        ctx = _Ctx(", ".join(str(f) for f in files), None, options, kind=kind)
        _check_key(out, _schema(kind).key, ctx)
        return out

    def _map(
        self, spec: InputSpec, df: pd.DataFrame, ctx: _Ctx
    ) -> tuple[pd.DataFrame, list[DemandlabError]]:
        """Rename the user's headers and replace their values; the problems found."""
        problems: list[DemandlabError] = []
        key = f"[{spec.kind}.columns]"
        rename: dict[str, str] = {}
        names: dict[str, str] = {}
        failed: set[str] = set()
        headers = list(df.columns)
        written = [ctx.header(h) for h in headers]
        for contract, header in spec.columns.items():
            h = _header_name(header)
            if h not in headers:
                near = difflib.get_close_matches(h, headers, n=1, cutoff=0.6)
                guess = ctx.header(near[0]) if near else "<a header of the file>"
                problems.append(SchemaError(
                    f"not in the file (found: {', '.join(written)})",
                    path=ctx.path, column=header, row=1 if ctx.row_word == "line" else None,
                    hint=(f"did you mean {guess!r}? " if near else "")
                    + f"set {contract} = \"{guess}\" under {key} in {self.path.name}",
                ))
                failed.add(contract)
                continue
            if contract != h and contract in headers and contract not in spec.columns.values():
                problems.append(SchemaError(
                    f"the file has a column {contract!r} and {header!r} is mapped to {contract}",
                    path=ctx.path, column=header, row=1 if ctx.row_word == "line" else None,
                    hint=f"map {contract} under {key} to one of them, or rename the other",
                ))
                continue
            rename[h] = contract
            names[contract] = header
        df = df.rename(columns=rename)
        ctx.names = names
        ctx.mapped_away = frozenset(c for c in failed if c not in df.columns)
        for col, mapping in spec.values.items():
            if col not in df.columns:
                if col in spec.columns or any(c.name == col and c.required
                                              for c in _schema(spec.kind).columns):
                    continue  # reported as a missing column
                problems.append(SchemaError(
                    f"values are mapped for {col!r} but the file has no such column",
                    path=ctx.path, column=col,
                    hint=f"remove [{spec.kind}.values.{col}], or map the column under {key}",
                ))
                continue
            s = df[col]
            if not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
                s = s.astype(str)
            lookup = {_norm_value(k): v for k, v in mapping.items()}
            norm = s.map(lambda v: _norm_value(v) if isinstance(v, str) else v)
            mapped = norm.map(lookup)
            df[col] = s.where(mapped.isna(), mapped)
        return df, problems

    def _check_order(self, spec: InputSpec, df: pd.DataFrame, ctx: _Ctx) -> None:
        """Every value of an ordered column is one of its levels; values take the levels' spelling."""
        problems: list[DemandlabError] = []
        for col, levels in spec.order.items():
            if col not in df.columns:
                continue
            lookup = {_norm_value(v): v for v in levels}
            s = df[col]
            present = s.notna() & (s.astype(str).str.strip() != "")
            norm = s.astype(str).map(_norm_value)
            canon = norm.map(lookup)
            bad = (present & canon.isna()).to_numpy()
            if bad.any():
                from ._loaders import _listing

                problems.append(ctx.fail(
                    DataError,
                    f"{int(bad.sum())} value(s) not among the levels of order.{col}: "
                    f"{_listing(s.astype(str), bad, ctx)}",
                    column=col, i=int(np.flatnonzero(bad)[0]),
                    hint=f"add them to order.{col} under [{spec.kind}] in {self.path.name}, or "
                    f"map them under [{spec.kind}.values.{col}]",
                ))
                continue
            df[col] = canon.where(present, s)
        if problems:
            raise combine(problems)

    # -- overview ------------------------------------------------------------------------
    def describe(self) -> pd.DataFrame:
        """One row per input section: kind, path, present, synthetic, rows (where cheap).

        Examples
        --------
        >>> d = load_project().describe()
        >>> d.loc[d["kind"] == "pilots", ["path", "present", "synthetic", "rows"]].values.tolist()
        [['demo/pilots.csv', True, True, 7]]
        """
        rows = []
        for kind, spec in self.inputs.items():
            files = self.files(kind)
            present = all(f.exists() for f in files)
            rows.append({
                "kind": kind,
                "path": spec.path if isinstance(spec.path, str) else ", ".join(spec.path),
                "present": present,
                "synthetic": spec.synthetic,
                "rows": _cheap_rows(files) if present else None,
            })
        out = pd.DataFrame(rows, columns=["kind", "path", "present", "synthetic", "rows"])
        out["rows"] = out["rows"].astype("Int64")
        return out

    def validate(self) -> list[str]:
        """Every problem of every input, one line each (empty: all inputs load).

        Examples
        --------
        >>> load_project().validate()
        []
        """
        lines: list[str] = []
        for kind in self.inputs:
            missing = self._missing(kind)
            if missing:
                lines += [str(e) for e in missing]
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self.load(kind)
            except DemandlabError as exc:
                lines += str(exc).splitlines()
        return lines

    def _summary(self, kind: str) -> str:
        """``[kind] path: ok, N rows, ...`` for ``demandlab validate --config``."""
        df = self.load(kind)
        spec = self.inputs[kind]
        name = "turnover" if kind == SALES_INDEX else kind
        s = summarize(df, name, spec.path if isinstance(spec.path, str) else ", ".join(spec.path))
        s.kind = kind
        text = str(s)
        return f"{text}, synthetic" if spec.synthetic else text


def _is_cbs(path: Path) -> bool:
    return path.is_file() and "SectorBranches" in _head_text(path, 2048)


def _cheap_rows(files: list[Path]) -> int | None:
    total = 0
    for f in files:
        name = f.name.lower()
        try:
            if not f.is_file():  # a folder, or a pipe or device that a read would block on
                return None
            if name.endswith((".parquet", ".pq")):
                import pyarrow.parquet as pq

                total += pq.ParquetFile(f).metadata.num_rows
            elif name.endswith((".csv", ".csv.gz")) and not _is_trends_source(f) and (
                f.stat().st_size < 50e6
            ):
                data = f.read_bytes()
                if name.endswith(".gz"):
                    import gzip

                    data = gzip.decompress(data)
                if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    data = data.decode("utf-16").encode()
                n = sum(1 for ln in data.splitlines() if ln.strip())
                total += max(n - 1, 0)
            else:
                return None
        except Exception:  # a count is a nicety: never fail describe() on it
            return None
    return total


# --------------------------------------------------------------------------------------
# demandlab init: a project file with templates, or guessed from a folder of exports
# --------------------------------------------------------------------------------------

#: The sections ``demandlab init`` writes, in order, with their template file and two
#: example rows that pass the contract.
_TEMPLATES: dict[str, tuple[str, str]] = {
    "trends": ("trends/multiTimeline.csv",
               "Category: All categories\n\n"
               "Month,kettlebell: (Netherlands),yoga mat: (Netherlands)\n"
               "2024-01,100,40\n2024-02,86,45\n"),
    "sales": ("sales.csv",
              "unique_id,ds,y,price,promo\n"
              "Kettlebell 8 kg,2024-01,120,24.95,0\nKettlebell 8 kg,2024-02,135,24.95,1\n"),
    "customers": ("customers.csv",
                  "customer_id,size,employees,industry,orders_per_year,avg_order_value,region,"
                  "purpose\n"
                  "C001,small,25,retail,12,350.5,North,resale\n"
                  "C002,micro,4,hospitality,4,120,South,own_production\n"),
    "marketplace": ("marketplace.csv",
                    "niche,seller_rank,revenue_share,review_count,price,n_sellers,currency,"
                    "marketplace\n"
                    "Kettlebell,1,0.35,1250,29.99,40,EUR,bol.com\n"
                    "Kettlebell,2,0.2,830,24.5,40,EUR,bol.com\n"),
    "trade": ("trade.csv",
              "year,reporter,partner,hs6,flow,value_usd,quantity_kg\n"
              "2023,NL,CN,950691,import,1250000,410000\n2023,NL,DE,950691,import,830000,150000\n"),
    "niche_hs": ("niche_hs.csv",
                 "niche,hs6,share\nKettlebell,950691,0.2\nYoga mat,950691,0.1\n"),
    "landed_costs": ("landed_costs.csv",
                     "niche,currency,fob_price,freight_per_unit,insurance_rate,duty_rate,vat_rate,"
                     "fees_per_unit,fx_rate,home_currency,hs6,moq,lead_time_days\n"
                     "Kettlebell,USD,6.5,1.2,0.005,0.027,0.21,0.8,0.92,EUR,950691,200,45\n"
                     "Yoga mat,USD,3.1,0.6,0.005,0.047,0.21,0.5,0.92,EUR,950691,300,40\n"),
    "channels": ("channels.csv",
                 "period,channel,spend,impressions,clicks,sessions,bounces,orders,revenue,"
                 "new_customers,other_acquisition_costs,gross_profit\n"
                 "2024-01,Google Ads,1200,85000,2100,1900,800,95,7400,60,0,2900\n"
                 "2024-01,Meta,800,120000,1500,1300,700,40,3100,30,0,1200\n"),
    "funnel": ("funnel.csv",
               "stage,count,channel,period,stage_order\n"
               "awareness,12000,all,2024-01,1\npurchase,240,all,2024-01,2\n"),
    "orders": ("orders.csv",
               "customer_id,order_id,date,value,channel,country\n"
               "C001,O-1001,2024-01-15,350.5,webshop,NL\nC002,O-1002,2024-01-20,-40,webshop,BE\n"),
    "pilots": ("pilots.csv",
               "pilot,niche,units_offered,units_sold,price,days\n"
               "P1,Kettlebell,200,150,24.95,30\nP2,Yoga mat,150,60,19.95,30\n"),
    "geomap": ("geomap.csv", "keyword,region,interest\nkettlebell,Utrecht,100\nkettlebell,Groningen,64\n"),
    SALES_INDEX: ("sales_index.csv",
                  "sector_code,sector_name,date,index\n"
                  "S1,Sports goods,2024-01,104.2\nS1,Sports goods,2024-02,98.7\n"),
}

_EXAMPLES: dict[str, list[str]] = {
    "trends": ['# path = ["multiTimeline.csv", "multiTimeline (1).csv"]   # or a list of exports'],
    "sales": ['# sheet = "Sales"                  # Excel only: the sheet (default: the first)',
              '# columns = { unique_id = "Article", ds = "Period", y = "Qty sold" }',
              '# date_format = "%d.%m.%Y"          # only when the dates are not read right'],
    "customers": ['# columns = { customer_id = "Client ID", size = "Company size", industry = "Sector",',
                  '#             orders_per_year = "Orders/yr", avg_order_value = "Avg order EUR",',
                  '#             region = "Region", purpose = "Purpose" }',
                  '# values.size = { "Micro (<10)" = "micro", "Small (10-49)" = "small",',
                  '#                 "Medium (50-249)" = "medium", "Large (250+)" = "large" }',
                  '# values.purpose = { "Resale" = "resale", "Own production" = "own_production",',
                  '#                    "Own use" = "personal_use" }',
                  '# sep = ";"                          # CSV separator, when detection is not enough',
                  '# decimal = ","                      # decimal mark, when detection is not enough',
                  '# encoding = "cp1252"                # text encoding, when detection is not enough'],
    SALES_INDEX: ['# sector = "S1"                     # the sector to compare with (code or name)'],
}

_DESCRIPTIONS: dict[str, str] = {
    "trends": "search interest over time: Google Trends exports (any UI language, several "
              "terms per file), a folder of them, a list, or a tidy table",
    SALES_INDEX: "a turnover index per sector and month (optional; a CBS StatLine extract "
                 "is read as it is)",
}

_README = """# {title}

A demandlab project: `demandlab.toml` names the input files, one section per kind.

1. Replace the example files (two made-up rows each) with your own exports, or point
   `path` in `demandlab.toml` at them (paths are relative to `demandlab.toml`). Excel
   `.xlsx`, `;`-separated CSV, decimal commas, UTF-16 and cp1252 are read.
2. Where your headers or labels differ from the contract, map them under the section:
   `columns = {{ y = "Qty sold" }}`, `values.size = {{ "Micro (<10)" = "micro" }}`.
3. Delete `synthetic = true` once a file holds your own data, and delete the sections you
   have no data for.
4. Check everything: `demandlab validate --config {folder}/demandlab.toml`
   (one line per problem, naming the file, column, rows and the key to set).
5. Write the reports: `demandlab report --config {folder}/demandlab.toml --out reports`.

Reference: docs/project-file.md and docs/data-contracts.md in the demandlab repository.
"""


def _toml_str(v: str) -> str:
    import json

    return json.dumps(v, ensure_ascii=False)


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _toml_str(k)


def _columns_comment(kind: str) -> list[str]:
    cols = [c for c in _schema(kind).columns
            if c.name not in ("true_segment", "is_partial", "below_one", "source_file")]
    req = ", ".join(c.describe() for c in cols if c.required)
    opt = ", ".join(c.name for c in cols if not c.required)
    out = [f"# columns: {req}"]
    if opt:
        out.append(f"# optional: {opt}")
    return out


def _inline_table(key: str, items: list[str], width: int = 88) -> list[str]:
    """``key = { a = 1, b = 2 }``, wrapped over lines (TOML 1.1, read by load_project)."""
    head = f"{key} = {{ "
    lines: list[str] = []
    line = head
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else " }")
        if len(line) + len(piece) > width and line.strip() not in (head.strip(), ""):
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece
    lines.append(line)
    return lines


def _section_lines(kind: str, spec: dict[str, object], *, template: bool) -> list[str]:
    desc = _DESCRIPTIONS.get(kind) or _schema(kind).description
    lines = [f"# -- {kind}: {desc}"]
    if kind != "trends":
        lines += _columns_comment(kind)
    lines.append(f"[{kind}]")
    path = spec["path"]
    if isinstance(path, list):
        lines.append("path = [" + ", ".join(_toml_str(p) for p in path) + "]")
    else:
        lines.append(f"path = {_toml_str(str(path))}")
    for key in ("sheet", "sep", "decimal", "encoding", "date_format"):
        if spec.get(key) is not None:
            lines.append(f"{key} = {_toml_str(str(spec[key]))}")
    columns = spec.get("columns") or {}
    if columns:
        lines += _inline_table("columns", [f"{_toml_key(k)} = {_toml_str(v)}"
                                           for k, v in columns.items()])
    for col, mapping in (spec.get("values") or {}).items():
        lines += _inline_table(f"values.{_toml_key(col)}",
                               [f"{_toml_str(k)} = {_toml_str(v)}" for k, v in mapping.items()])
    if template:
        lines.append("synthetic = true   # example rows: delete this line when the file is yours")
        lines += _EXAMPLES.get(kind, [])
    return lines


def _project_header(title: str, region: str | None, currency: str) -> list[str]:
    return [
        "# demandlab project file: which of your files hold which input.",
        "# Reference: docs/project-file.md; column contracts: docs/data-contracts.md.",
        "# Paths are relative to this file. Check every input with",
        "#   demandlab validate --config demandlab.toml",
        "# Each section may also take: sheet (Excel), columns = { contract = \"your header\" },",
        "# values.<column> = { \"your value\" = \"contract value\" }, order.<column> = [low, ..., high],",
        "# sep, decimal, encoding, date_format (when detection is not enough), synthetic = true.",
        "",
        "[project]",
        f"{'title = ' + _toml_str(title):<34}# report title",
        (f"{'region = ' + _toml_str(region):<34}# where the data are from, used in report text"
         if region else f"{'# region = ' + _toml_str('Netherlands'):<34}# where the data are "
         "from (or \"Worldwide\"), used in report text"),
        f"{'currency = ' + _toml_str(currency):<34}# ISO 4217 code of your prices",
    ]


@validate_params({"folder": ["path-like"], "from_folder": ["path-like", None]})
def init_project(folder: PathLike, *, from_folder: PathLike | None = None) -> Path:
    """Write ``folder/demandlab.toml``: with example files, or guessed from a folder of exports.

    Without ``from_folder`` every section is written with comments, an example file
    per section (the contract's headers and two made-up rows, marked
    ``synthetic = true``) and a short ``README.md``. With ``from_folder`` the sections
    and column maps are guessed from the files there (kind from the file name, else
    from the headers; columns by header similarity; category labels by their first
    word); :func:`guess_project` tells what could not be guessed.

    Parameters
    ----------
    folder : str or path-like
        Where to write; created if needed. An existing ``demandlab.toml`` is not
        overwritten.
    from_folder : str or path-like, optional
        A folder of the user's exports.

    Returns
    -------
    pathlib.Path
        The project file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "study"
    >>> p = init_project(d)
    >>> load_project(p).validate()
    []
    >>> sorted(q.name for q in d.iterdir())[:4]
    ['README.md', 'channels.csv', 'customers.csv', 'demandlab.toml']
    """
    path, _ = _init(folder, from_folder)
    return path


def _init(folder: PathLike, from_folder: PathLike | None) -> tuple[Path, list[str]]:
    folder = Path(folder)
    target = folder / PROJECT_FILE
    if target.exists():
        raise SchemaError(
            f"{PROJECT_FILE} already exists", path=target,
            hint="edit it, or remove it first to start again",
        )
    if folder.exists() and not folder.is_dir():
        raise SchemaError("is a file, not a folder", path=folder, hint="give a folder")
    if from_folder is not None:
        source = Path(from_folder)
        if not source.is_dir():
            raise SchemaError("not a folder", path=source,
                              hint="give the folder that holds your exports")
        sections, notes = guess_project(source, folder)
        lines = _project_header(source.resolve().name, None, "EUR")
        for kind, spec in sections.items():
            lines += ["", *_section_lines(kind, spec, template=False)]
        _write_all({target: "\n".join(lines) + "\n"})
        return target, notes
    lines = _project_header("My market study", "Netherlands", "EUR")
    notes: list[str] = []
    files: dict[Path, str] = {}
    for kind, (rel, content) in _TEMPLATES.items():
        f = folder / rel
        example = not f.exists()
        if example:
            files[f] = content
        else:
            notes.append(f"{rel} was there already: [{kind}] points at it (not overwritten)")
        spec = {"path": "trends" if kind == "trends" else rel}
        lines += ["", *_section_lines(kind, spec, template=example)]
    files[target] = "\n".join(lines) + "\n"
    readme = folder / "README.md"
    if not readme.exists():
        files[readme] = _README.format(title="My market study", folder=folder)
    _write_all(files)
    return target, notes


def _write_all(files: dict[Path, str]) -> None:
    """Every file of the new project, all-or-nothing (checked first, then renamed at once)."""
    from ._atomic import OutputPlan

    plan = OutputPlan()
    for path in files:
        plan.file(str(path), path)
    plan.check().write({str(p): text for p, text in files.items()})


# -- guessing ----------------------------------------------------------------------------

#: Other names users give the contract columns (compared after lower-casing and
#: replacing punctuation by spaces).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "unique_id": ("article", "article number", "sku", "item", "product", "product id",
                  "artikel", "artikelnummer", "series", "ean"),
    "ds": ("date", "month", "period", "week", "day", "datum", "maand", "periode"),
    "y": ("qty", "qty sold", "quantity", "units", "units sold", "sales", "demand", "volume",
          "aantal", "sold"),
    "customer_id": ("client id", "client", "customer", "customer number", "customer no",
                    "klant", "klantnummer", "account", "account id"),
    "size": ("company size", "size class", "grootte", "bedrijfsgrootte"),
    "employees": ("employees", "headcount", "head count", "staff", "fte", "medewerkers"),
    "industry": ("sector", "branch", "branche", "industry", "segment"),
    "orders_per_year": ("orders yr", "orders per year", "orders year", "order frequency",
                        "frequency", "orders"),
    "avg_order_value": ("avg order", "avg order eur", "average order value", "aov",
                        "average order", "order value"),
    "region": ("region", "province", "area", "regio", "provincie", "territory"),
    "purpose": ("purpose", "use", "usage", "doel", "purchase purpose"),
    "order_id": ("order", "order no", "order number", "invoice", "invoice no", "invoiceno"),
    "date": ("order date", "invoice date", "datum", "day", "month", "period"),
    "value": ("amount", "total", "order value", "revenue", "net amount"),
    "keyword": ("term", "search term", "query"),
    "interest": ("search interest", "index", "value"),
    "niche": ("product group", "category", "product"),
    "price": ("unit price", "list price", "selling price"),
    "units_offered": ("offered", "units shipped", "shipped"),
    "units_sold": ("sold", "units sold"),
}

#: Other labels of the contract categories (normalised) -> the contract value.
_VALUE_SYNONYMS: dict[str, str] = {
    "own use": "personal_use", "personal": "personal_use", "private": "personal_use",
    "eigen gebruik": "personal_use", "reseller": "resale", "resell": "resale",
    "wederverkoop": "resale", "own production": "own_production", "production": "own_production",
    "productie": "own_production", "imports": "import", "exports": "export",
}

#: Kinds guessed by headers (the bundled real data sets are recognised by name only).
_GUESS_KINDS = ("sales", "customers", "orders", "marketplace", "trade", "niche_hs",
                "landed_costs", "channels", "funnel", "pilots", "geomap")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower().replace("_", " ")).split())


def _similarity(contract: str, header: str) -> float:
    h = _words(header)
    best = 0.0
    for s in (contract.replace("_", " "), *_SYNONYMS.get(contract, ())):
        s = _words(s)
        if s == h:
            return 1.0
        if set(s.split()) == set(h.split()):
            best = max(best, 0.95)
        elif set(s.split()) <= set(h.split()) and len(s) >= 3:
            best = max(best, 0.8)
        best = max(best, difflib.SequenceMatcher(None, s, h).ratio() * 0.9)
    return best


def _guess_columns(kind: str, headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Contract column -> header for the columns not already named as in the contract."""
    schema = _schema(kind) if kind != "funnel" else _funnel_schema(pd.DataFrame(columns=headers))
    names = [c.name for c in schema.columns]
    free = [h for h in headers if h not in names]
    scores = []
    for c in schema.columns:
        if c.name in headers:
            continue
        for h in free:
            scores.append((_similarity(c.name, h), c.name, h))
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for score, c, h in sorted(scores, key=lambda t: -t[0]):
        if score < 0.75 or c in mapping or h in used:
            continue
        mapping[c] = h
        used.add(h)
    missing = [c.name for c in schema.columns
               if c.required and c.name not in headers and c.name not in mapping]
    return mapping, missing


def _guess_value(value: str, allowed: tuple[str, ...]) -> str | None:
    v = _words(value)
    if v in _VALUE_SYNONYMS and _VALUE_SYNONYMS[v] in allowed:
        return _VALUE_SYNONYMS[v]
    hits = [a for a in allowed
            if v.split()[:1] == a.split("_")[:1] and set(a.split("_")) <= set(v.split())]
    if len(hits) == 1:
        return hits[0]
    hits = [a for a in allowed if v.startswith(a.replace("_", " "))]
    return hits[0] if len(hits) == 1 else None


def _candidates(source: Path) -> list[Path]:
    """Files (and folders of Google Trends exports) in ``source`` and one level below."""
    out: list[Path] = []
    skip = {PROJECT_FILE.lower(), "readme.md", "sources.md"}

    def visit(folder: Path, depth: int) -> None:
        for p in sorted(folder.iterdir(), key=lambda q: q.name):
            if p.name.startswith((".", "~$")) or p.name.lower() in skip:
                continue
            if p.is_dir():
                csvs = [q for q in p.iterdir() if q.suffix.lower() == ".csv" and q.is_file()]
                if csvs and all(_is_trends_source(q) for q in csvs):
                    out.append(p)
                elif depth < 1:
                    visit(p, depth + 1)
            elif p.suffix.lower() in (".csv", ".gz", ".tsv", ".txt", ".xlsx", ".xlsm",
                                      ".parquet", ".pq"):
                out.append(p)

    visit(source, 0)
    return out


def _kind_of(p: Path) -> str | None:
    from ._loaders import infer_kind

    if p.is_dir():
        return "trends"
    if _is_cbs(p):
        return SALES_INDEX
    try:
        kind = infer_kind(p)
    except SchemaError:
        return None
    return SALES_INDEX if kind == "turnover" else kind


def _is_keyword_planner(path: Path) -> bool:
    from ..trends._volume import is_keyword_planner

    return path.suffix.lower() in (".csv", ".tsv", ".txt") and is_keyword_planner(path)


def guess_project(
    source: PathLike, folder: PathLike | None = None
) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Guess the project sections from the files in ``source``.

    Parameters
    ----------
    source : path-like
        A folder of exports (searched one level deep; a sub-folder of Google Trends
        exports is one ``trends`` input).
    folder : path-like, optional
        The folder the project file will be in (paths are written relative to it);
        default ``source``.

    Returns
    -------
    sections : dict
        Kind -> ``{"path": ..., "columns": {...}, "values": {...}}``.
    notes : list of str
        One line per thing guessed from headers and per thing that could not be guessed.

    Examples
    --------
    >>> from demandlab.paths import RAW
    >>> sections, notes = guess_project(RAW)
    >>> sections["customers"], sections["trends"]
    ({'path': 'demo/customers.csv'}, {'path': 'google_trends_nl_monthly'})
    """
    source = Path(source)
    folder = Path(folder) if folder is not None else source
    base = folder.resolve() if folder.exists() else folder.absolute()

    def rel(p: Path) -> str:
        full = p.resolve()
        if os.path.commonpath([full, base]) == full.anchor:  # nothing in common: absolute
            return full.as_posix()
        return Path(os.path.relpath(full, base)).as_posix()

    sections: dict[str, dict[str, object]] = {}
    notes: list[str] = []
    exports: list[Path] = []
    for p in _candidates(source):
        kind = _kind_of(p)
        if kind == "trends" and p.is_file():
            exports.append(p)
            continue
        if kind in ("trends", SALES_INDEX):
            if kind in sections:
                notes.append(f"{rel(p)} also looks like {kind}; [{kind}] uses "
                             f"{sections[kind]['path']}")
            else:
                sections[kind] = {"path": rel(p)}
            continue
        if kind in (None, "volumes") and _is_keyword_planner(p):
            # a Keyword Planner export is read by its own reader: no column map to guess
            if "volumes" in sections:
                notes.append(f"{rel(p)} also looks like volumes; [volumes] uses "
                             f"{sections['volumes']['path']} (one file per section)")
            else:
                sections["volumes"] = {"path": rel(p)}
                notes.append(f"{rel(p)}: a Keyword Planner export, read as [volumes]")
            continue
        tables = _read_sheets(p, notes, rel(p))
        if not tables:
            continue
        kinds_to_try = [kind] if kind is not None else list(_GUESS_KINDS)
        scored = sorted(
            ((_score(k, list(df.columns)), i, k) for i, (_, df, _) in enumerate(tables)
             for k in kinds_to_try),
            key=lambda x: (-x[0], x[1]),
        )
        score, i, best = scored[0]
        tie = any(s == score and k != best for s, _, k in scored[1:])
        sheet, df, ctx = tables[i]
        if kind is None:
            if score < 0.6 or tie:
                heads = ", ".join(str(c) for c in tables[0][1].columns) or "none"
                notes.append(f"could not guess the kind of {rel(p)} (headers: {heads}): "
                             "add its section by hand")
                continue
            kind = best
            notes.append(f"{rel(p)}: guessed [{kind}] from its headers")
        if kind in sections:
            notes.append(f"{rel(p)} also looks like {kind}; [{kind}] uses "
                         f"{sections[kind]['path']} (one file per section)")
            continue
        spec: dict[str, object] = {"path": rel(p)}
        if sheet is not None and sheet != tables[0][0]:
            spec["sheet"] = sheet
            notes.append(f"{rel(p)}: using sheet {sheet!r}")
        headers = list(df.columns)
        mapping, missing = _guess_columns(kind, headers)
        if mapping:
            spec["columns"] = {c: _original_header(p, ctx, h, sheet) for c, h in mapping.items()}
            notes.append(f"{rel(p)}: guessed [{kind}.columns] "
                         + ", ".join(f"{c} = {h!r}" for c, h in spec["columns"].items())
                         + " - check them")
        if missing:
            notes.append(f"{rel(p)}: no column found for {', '.join(missing)} of [{kind}]: "
                         f"map them under [{kind}.columns] (headers: {', '.join(headers)})")
        values = _guess_values(kind, df, mapping, notes, rel(p))
        if values:
            spec["values"] = values
        sections[kind] = spec
    if exports:
        if "trends" in sections:
            notes.append("Google Trends exports found both in a folder and as files: [trends] "
                         f"uses {sections['trends']['path']}")
        else:
            sections["trends"] = {"path": rel(exports[0]) if len(exports) == 1
                                  else [rel(e) for e in exports]}
    order = [k for k in ("trends", SALES_INDEX) if k in sections]
    order += [k for k in sections if k not in order]
    for k in ("sales", "customers", "trends"):
        if k not in sections:
            notes.append(f"no {k} input found: add [{k}] by hand if you have one")
    return {k: sections[k] for k in order}, notes


def _score(kind: str, headers: list[str]) -> float:
    """Share of the kind's required columns found among ``headers`` (as named or guessed)."""
    _, missing = _guess_columns(kind, headers)
    need = [c for c in _schema(kind).columns if c.required]
    return (len(need) - len(missing)) / len(need)


def _read_sheets(
    p: Path, notes: list[str], where: str
) -> list[tuple[str | None, pd.DataFrame, _Ctx]]:
    """The tables of a file: one, or one per sheet of a workbook."""
    sheets: list[str | None] = [None]
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            with pd.ExcelFile(p, engine="openpyxl") as book:
                sheets = [str(s) for s in book.sheet_names]
        except Exception as exc:  # reported as a note: the guess goes on with other files
            notes.append(f"could not read {where}: {exc}")
            return []
    out = []
    for sheet in sheets:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df, ctx = _read_table(p, ReadOptions(sheet=sheet))
        except DemandlabError as exc:
            if len(sheets) == 1:
                notes.append(f"could not read {where}: {exc}")
            continue
        out.append((sheet, df, ctx))
    return out


def _original_header(path: Path, ctx: _Ctx | None, header: str, sheet: str | None = None) -> str:
    """The header as written in the file (the reader matches them in lower case)."""
    if path.suffix.lower() in (".csv", ".gz", ".tsv", ".txt"):
        text = _head_text(path, 8192)
        first = text.splitlines()[0] if text.splitlines() else ""
        sep = ctx.sep if ctx is not None and ctx.sep else ","
        import csv

        for cell in next(csv.reader([first], delimiter=sep), []):
            if _header_name(cell) == header:
                return cell.strip()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            raw = pd.read_excel(path, sheet_name=sheet or 0, header=None, nrows=1, dtype=object)
            for cell in raw.iloc[0].tolist():
                if _header_name(cell) == header:
                    return str(cell).strip()
        except Exception:  # the guess falls back to the lower-case header
            pass
    return header


def _guess_values(
    kind: str, df: pd.DataFrame, mapping: dict[str, str], notes: list[str], where: str
) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for col in _schema(kind).columns:
        if col.allowed is None:
            continue
        header = mapping.get(col.name, col.name)
        if header not in df.columns:
            continue
        labels = pd.unique(df[header].astype(str).str.strip())
        unknown = [v for v in labels if v and v.lower() not in col.allowed][:50]
        found: dict[str, str] = {}
        missed: list[str] = []
        for v in unknown:
            g = _guess_value(v, col.allowed)
            if g is None:
                missed.append(v)
            else:
                found[v] = g
        if found:
            found = dict(sorted(found.items(), key=lambda kv: col.allowed.index(kv[1])))
            out[col.name] = found
            notes.append(f"{where}: guessed [{kind}.values.{col.name}] "
                         + ", ".join(f"{k!r} = {v!r}" for k, v in found.items()) + " - check them")
        if missed:
            notes.append(f"{where}: could not map {', '.join(repr(m) for m in missed)} of "
                         f"{col.name} to {', '.join(col.allowed)}: add them under "
                         f"[{kind}.values.{col.name}]")
    return out
