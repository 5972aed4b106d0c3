"""The report configuration (``notebooks/report.toml``): which notebooks, with what inputs."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SchemaError
from ..paths import ROOT

__all__ = ["NotebookSpec", "load_report_config", "notebooks_dir_of", "DEFAULT_CONFIG",
           "DEFAULT_NOTEBOOKS"]

DEFAULT_NOTEBOOKS = ROOT / "notebooks"
DEFAULT_CONFIG = DEFAULT_NOTEBOOKS / "report.toml"

_ENTRY_KEYS = {"name", "title", "parameters", "requires", "requires_any", "optional"}


@dataclass(frozen=True)
class NotebookSpec:
    """One notebook of the report: its file stem, section title, parameters and inputs.

    Attributes
    ----------
    name, title : str
        The file stem in the notebooks folder and the section title in the index.
    parameters : dict
        Papermill parameters (besides ``project`` and ``summary_dir``).
    requires : tuple of str
        Input kinds (sections of ``demandlab.toml``) that must all be present.
    requires_any : tuple of str
        Input kinds of which at least one must be present.
    optional : tuple of str
        Input kinds the notebook uses when present (a section per absent one is left
        out with a line saying so).

    Examples
    --------
    >>> NotebookSpec("1.0-niche-scoring", "Niche scoring", {"top_k": 5}).file_name
    '1.0-niche-scoring.ipynb'
    """

    name: str
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    requires_any: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        """The ``.ipynb`` file name in the notebooks folder."""
        return f"{self.name}.ipynb"


def _kinds(entry: dict[str, Any], key: str, i: int, path: Path) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SchemaError(
            f"[[notebook]] entry {i}: {key} must be a list of input kinds", path=path,
            hint=f'write {key} = ["sales"] (section names of demandlab.toml)',
        )
    from ..io._project import kinds

    unknown = [v for v in value if v not in kinds()]
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], kinds(), n=1)
        raise SchemaError(
            f"[[notebook]] entry {i}: {key} names unknown input kind {unknown[0]!r}"
            + (f" (did you mean {close[0]!r}?)" if close else ""),
            path=path, hint="input kinds are the sections of demandlab.toml: "
            + ", ".join(kinds()),
        )
    return tuple(value)


def load_report_config(path: str | os.PathLike[str] = DEFAULT_CONFIG) -> list[NotebookSpec]:
    """Read the report configuration: which notebooks, in which order, with which inputs.

    The file is TOML: an optional ``notebooks`` key (the notebooks folder, relative to
    the file), an optional ``[defaults]`` table of parameters given to every notebook,
    and one ``[[notebook]]`` entry per notebook with ``name`` (the file stem in the
    notebooks folder), ``title``, an optional ``parameters`` table and the input kinds
    it needs: ``requires`` (all of them), ``requires_any`` (one of them) and
    ``optional``.

    Raises
    ------
    SchemaError
        If the file is missing, not valid TOML, lacks a notebook name or has an unknown
        key in a ``[[notebook]]`` entry.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "report.toml"
    >>> _ = p.write_text('''
    ... [defaults]
    ... random_state = 0
    ... [[notebook]]
    ... name = "3.0-seasonal-forecast"
    ... title = "Seasonal forecast"
    ... requires = ["sales"]
    ... parameters = { horizon = 6 }
    ... ''')
    >>> spec, = load_report_config(p)
    >>> spec.parameters, spec.requires
    ({'random_state': 0, 'horizon': 6}, ('sales',))
    """
    path = Path(path)
    doc = _read(path)
    defaults = dict(doc.get("defaults", {}))
    specs = []
    for i, entry in enumerate(doc.get("notebook", []), start=1):
        name = entry.get("name")
        if not name or not isinstance(name, str):
            raise SchemaError(
                f"[[notebook]] entry {i} has no name", path=path,
                hint='add name = "<notebook file stem>"',
            )
        unknown = sorted(set(entry) - _ENTRY_KEYS)
        if unknown:
            raise SchemaError(
                f"[[notebook]] {name}: unknown key(s) {', '.join(unknown)}", path=path,
                hint="use " + ", ".join(sorted(_ENTRY_KEYS)),
            )
        params = {**defaults, **dict(entry.get("parameters", {}))}
        specs.append(
            NotebookSpec(
                name,
                str(entry.get("title", name)),
                params,
                requires=_kinds(entry, "requires", i, path),
                requires_any=_kinds(entry, "requires_any", i, path),
                optional=_kinds(entry, "optional", i, path),
            )
        )
    if not specs:
        raise SchemaError(
            "no [[notebook]] entries", path=path, hint="list at least one notebook to run"
        )
    return specs


def notebooks_dir_of(path: str | os.PathLike[str], specs: list[NotebookSpec]) -> Path:
    """The folder of the notebooks a configuration lists.

    The ``notebooks`` key of the file (relative to it) when given; else the file's own
    folder when every listed notebook is there; else the bundled ``notebooks/``
    folder, so a copy of ``report.toml`` may live anywhere.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "my-report.toml"
    >>> _ = p.write_text('[[notebook]]\\nname = "0.0-data-overview"\\n')
    >>> notebooks_dir_of(p, load_report_config(p)) == DEFAULT_NOTEBOOKS
    True
    """
    path = Path(path)
    folder = _read(path).get("notebooks")
    if folder is not None:
        if not isinstance(folder, str):
            raise SchemaError(
                "notebooks must be a folder name", path=path,
                hint='write notebooks = "path/to/notebooks" (relative to this file)',
            )
        return (path.parent / folder).resolve()
    here = path.parent.resolve()
    if all((here / s.file_name).is_file() for s in specs):
        return here
    return DEFAULT_NOTEBOOKS


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(
            "report configuration not found", path=path,
            hint="pass --report-config notebooks/report.toml or create the file",
        ) from None
    except IsADirectoryError:
        raise SchemaError(
            "the report configuration is a folder, not a file", path=path,
            hint="pass the report.toml file",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(
            f"not valid TOML: {exc}", path=path, hint="check the quoting and [[notebook]] tables"
        ) from None
