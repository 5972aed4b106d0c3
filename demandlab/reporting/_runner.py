"""Reproducible HTML reports: run the notebooks on a project, render them, write an index.

``demandlab report`` (and ``make report``) reads a project file (``demandlab.toml``, see
:func:`demandlab.load_project`) and executes, with papermill, every notebook of the
report configuration (``notebooks/report.toml``) whose required inputs the project has;
a notebook whose inputs are absent is listed under "Not run" with what would make it
run. Each executed notebook is rendered to one self-contained HTML file (no code, images
inline, no external scripts) and ``index.html`` is written: a one-page executive summary
headed by the project's title, region and currency, the inputs with their period and
granularity, per notebook its headline tables and chart linking to the full report, and
the data used (every file with its size and SHA-256).

Everything is built in a temporary folder next to the output folder and swapped in
place of it only when every notebook ran (:func:`demandlab.io._atomic.atomic_dir`). The
output folder is checked first: it may not be, contain or lie inside an input, and an
existing folder is replaced only when it is empty or holds the marker file
``.demandlab-report`` that every report folder gets. A
project with problems (or no inputs) is refused before anything runs, a failing notebook stops the run
with a :class:`ReportError` naming the notebook, the cell and the error, and the
previous reports stay as they were.

Each notebook receives two parameters, ``project`` (absolute path of the project file)
and ``summary_dir``, and writes its summary with
:class:`~demandlab.reporting.ReportSummary` (the JSON contract is in
:mod:`demandlab.reporting._summary`). The runner keeps each summary in
``<out>/_summary/<notebook>/summary.json`` and the executed notebooks in
``<out>/_executed/``, so ``--only NAME`` can re-run one notebook and keep the others'
sections.

Determinism: notebooks fix their ``random_state`` and PNGs are written without
metadata, so two runs on the same data give the same numbers and images; the date in
the header of ``index.html`` is the only wall-clock value.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._results import Result
from ..errors import DemandlabError, SchemaError
from ..io._atomic import atomic_dir, atomic_write_text
from ..paths import REPORTS
from ._config import DEFAULT_CONFIG, NotebookSpec, load_report_config, notebooks_dir_of
from ._errors import ReportError, ReportWarning
from ._index import Section, render_index
from ._inventory import data_inventory, input_facts
from ._kernel import KERNEL_SETUP
from ._pages import notebook_to_html
from ._summary import SUMMARY_SCHEMA

__all__ = ["Report", "build_report", "requirement_gap"]

_SUMMARY_DIR = "_summary"
_EXECUTED_DIR = "_executed"


@dataclass(repr=False)
class Report(Result):
    """The result of :func:`build_report`.

    Attributes
    ----------
    path : pathlib.Path
        The output folder (``index.html`` inside).
    table : pandas.DataFrame
        One row per notebook run: ``notebook``, ``title``, ``seconds``, ``html``.
    not_run : pandas.DataFrame
        One row per notebook not run: ``notebook``, ``title``, ``reason``.
    """

    path: Path
    table: pd.DataFrame
    not_run: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["notebook", "title", "reason"])
    )

    @property
    def index(self) -> Path:
        """Path of ``index.html``."""
        return self.path / "index.html"

    def to_frame(self) -> pd.DataFrame:
        """The per-notebook table."""
        return self.table.copy()

    def _facts(self) -> dict[str, Any]:
        return {"ran": len(self.table), "not_run": len(self.not_run), "index": str(self.index)}

    def summary(self) -> str:
        """A few lines: where the report is, how long each notebook took, what did not run."""
        lines = [f"reports written to {self.index}"]
        lines += [f"  {r.notebook}: {r.seconds:.1f} s" for r in self.table.itertuples()]
        lines += [f"  {r.notebook}: not run, {r.reason}" for r in self.not_run.itertuples()]
        return "\n".join(lines)


def _section_needs(kind: str) -> str:
    """``a [sales] section in demandlab.toml: unique_id, ds, y`` (the contract's columns)."""
    from ..io._loaders import KINDS

    schema = KINDS.get(kind)
    cols = [c.name for c in schema.columns if c.required] if schema is not None else []
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    text = f"{article} [{kind}] section in demandlab.toml"
    return f"{text}: {', '.join(cols)}" if cols else text


def requirement_gap(spec: NotebookSpec, project: Any) -> str | None:
    """Why a notebook cannot run on a project (``None`` when it can).

    Examples
    --------
    >>> class P:  # a project with trends only
    ...     inputs = {"trends": {}}
    ...     def has(self, kind): return kind in self.inputs
    >>> requirement_gap(NotebookSpec("3.0", "F", requires=("sales",)), P())
    'needs a [sales] section in demandlab.toml: unique_id, ds, y'
    >>> requirement_gap(NotebookSpec("4.0", "K", requires_any=("funnel", "orders")), P())
    'needs one of the sections [funnel], [orders] in demandlab.toml'
    >>> requirement_gap(NotebookSpec("1.0", "N", requires=("trends",)), P()) is None
    True
    """
    missing = [k for k in spec.requires if not project.has(k)]
    if missing:
        return "needs " + "; ".join(_section_needs(k) for k in missing)
    if spec.requires_any and not any(project.has(k) for k in spec.requires_any):
        names = ", ".join(f"[{k}]" for k in spec.requires_any)
        return f"needs one of the sections {names} in demandlab.toml"
    return None


def _as_project(project: Any) -> Any:
    """A loaded project from a Project, a demandlab.toml, a folder holding one, or None."""
    if hasattr(project, "inputs") and hasattr(project, "load"):
        return project
    from ..io._project import load_project

    return load_project(project)


def no_inputs(project: Any) -> SchemaError | None:
    """The error of a project that names no input file (``None`` when it names one).

    ``demandlab validate --config`` and :func:`build_report` both refuse such a project,
    so that a project ``validate`` passes is one ``report`` runs on.
    """
    if project.inputs:
        return None
    return SchemaError(
        "the project names no input files", path=project.path,
        hint="add a section such as [sales] with path = \"sales.csv\" (see docs/project-file.md), "
        "or start one with 'demandlab init FOLDER --from FOLDER'",
    )


def _check_project(project: Any) -> None:
    """Refuse a project with problems: every problem on its own line, then what happened."""
    from ..io._loaders import SchemaProblems

    empty = no_inputs(project)
    if empty is not None:
        raise empty
    lines = list(project.validate())
    if lines:
        raise SchemaProblems([
            *(SchemaError(line) for line in lines),
            SchemaError(
                f"{len(lines)} problem(s) in the project: no report was written and the "
                "previous reports are untouched",
                path=project.path,
                hint=f"fix them in {Path(project.path).name}; check with "
                f"'demandlab validate --config {project.path}'",
            ),
        ])


#: Written into every report folder: only a folder holding it is ever replaced.
MARKER = ".demandlab-report"


def _check_out(out: Path, project: Any, config: Path, nb_dir: Path) -> None:
    """Refuse, before any work, an output folder that is not ours to replace.

    It may not be, contain or lie inside an input (the project file and its folder,
    every input file or folder, the report configuration, the notebooks), and an
    existing folder is replaced only when it is empty or a previous report (it holds
    :data:`MARKER`).
    """
    from ..errors import ParameterError
    from ..io._atomic import OutputPlan

    inputs = [Path(project.path).parent, Path(project.path), config, nb_dir]
    for kind in project.inputs:
        inputs += project.files(kind)
    OutputPlan(inputs=inputs).folder("out", out).check()
    if out.is_dir() and not _is_report(out) and any(out.iterdir()):
        raise ParameterError(
            f"{out} is not a folder 'demandlab report' wrote (no {MARKER} in it), so it is "
            "not replaced", column="out",
            hint="give a new or empty folder, or the folder of a previous report",
        )


def _is_report(folder: Path) -> bool:
    """A folder ``build_report`` wrote: it holds the marker (or, from before the marker,
    ``index.html`` with the ``_summary`` and ``_executed`` folders)."""
    if (folder / MARKER).is_file():
        return True
    return ((folder / "index.html").is_file() and (folder / _SUMMARY_DIR).is_dir()
            and (folder / _EXECUTED_DIR).is_dir())


def _check_kernel(kernel_name: str) -> None:
    """Warn if the kernel would not run this interpreter (the venv's)."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:  # pragma: no cover - jupyter_client comes with papermill
        return
    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise ReportError(
            f"no Jupyter kernel named {kernel_name!r}",
            hint="run 'make setup' (installs ipykernel into .venv) or "
            f"'{sys.executable} -m ipykernel install --sys-prefix'",
        ) from None
    exe = spec.argv[0] if spec.argv else ""
    # 'python' is replaced by this interpreter when the kernel starts
    if exe not in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        if Path(exe).resolve() != Path(sys.executable).resolve():
            import warnings

            warnings.warn(
                f"kernel {kernel_name!r} runs {exe}, not {sys.executable}; the notebooks may "
                "see other packages (fix: remove that kernelspec or run "
                f"'{sys.executable} -m ipykernel install --sys-prefix')",
                ReportWarning,
                stacklevel=3,
            )


def _source_position(executed: Path, cell_index: int) -> int:
    """1-based position of a cell in the notebook as written (without papermill's cell)."""
    try:
        import nbformat

        cells = nbformat.read(executed, as_version=4).cells[:cell_index]
    except Exception:  # the executed notebook could not be read: best effort
        return cell_index + 1
    injected = sum("injected-parameters" in c.metadata.get("tags", []) for c in cells)
    return cell_index + 1 - injected


def _project_label(path: Any) -> str:
    """The project file as a report names it: its folder and name, never the machine's full path.

    >>> _project_label("/home/ana/acme/data/demandlab.toml")
    'data/demandlab.toml'
    """
    p = Path(path)
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def _execute(
    spec: NotebookSpec,
    src: Path,
    dst: Path,
    parameters: dict[str, Any],
    *,
    kernel_name: str,
    cwd: Path,
    timeout: int | None,
) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(src),
            str(dst),
            parameters=parameters,
            kernel_name=kernel_name,
            language="python",
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            # quiet the kernel's start-up chatter (its TCP-transport notice) on our stderr
            # and show warnings as one line each, without the paths of this machine
            extra_arguments=["--IPKernelApp.log_level=CRITICAL", f"--IPKernelApp.exec_lines={KERNEL_SETUP}"],
        )
    except PapermillExecutionError as exc:
        first = next((ln for ln in str(exc.source).splitlines() if ln.strip()), "")
        keep = Path(tempfile.mkdtemp(prefix="demandlab-failed-")) / src.name
        with contextlib.suppress(OSError):
            shutil.copyfile(dst, keep)
        position = _source_position(dst, exc.cell_index)
        raise ReportError(
            f"notebook {spec.name} failed in cell {position} (In [{exc.exec_count}]: "
            f"{first.strip()[:80]!r}): "
            f"{exc.ename}: {_strip_ansi(str(exc.evalue))}",
            path=src,
            hint=f"the executed notebook with the full traceback is in {keep}; "
            "the previous reports were left untouched",
        ) from None
    except DemandlabError:
        raise
    except Exception as exc:  # kernel died, timeout, bad notebook file
        raise ReportError(
            f"notebook {spec.name} could not be run: {type(exc).__name__}: "
            f"{_strip_ansi(str(exc)).strip()[:300]}",
            path=src,
            hint="run it in JupyterLab ('make lab') to see what happens; "
            "the previous reports were left untouched",
        ) from None


def build_report(
    project: Any = None,
    out: str | os.PathLike[str] = REPORTS,
    *,
    config: str | os.PathLike[str] = DEFAULT_CONFIG,
    notebooks_dir: str | os.PathLike[str] | None = None,
    only: Sequence[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    kernel_name: str = "python3",
    timeout: int | None = 900,
    date: str | None = None,
    progress: Callable[[str], None] | None = print,
) -> Report:
    """Run the report notebooks on a project and write the HTML reports.

    Parameters
    ----------
    project : Project, str or path-like, optional
        A loaded :class:`demandlab.Project`, a ``demandlab.toml`` file or a folder
        holding one. ``None``: ``$DEMANDLAB_PROJECT``, else the bundled project
        (``data/raw/demandlab.toml``).
    out : str or path-like
        The output folder; replaced as a whole only when every notebook ran. It may not
        be, contain or lie inside an input; an existing folder must be empty or a
        previous report (holding ``.demandlab-report``).
    config : str or path-like
        The report configuration (see :func:`load_report_config`); it may live anywhere.
    notebooks_dir : str or path-like, optional
        Where the notebooks are; default: see :func:`notebooks_dir_of`.
    only : sequence of str, optional
        Run only these notebooks (by name or name prefix, e.g. ``"1.0"``); the other
        sections are kept from the previous report in ``out`` when there is one.
    overrides : mapping, optional
        Extra parameters per notebook name (``{"1.0-niche-scoring": {"n_draws": 50}}``),
        applied over the configuration; used by tests to run small.
    kernel_name : str
        The Jupyter kernel (the venv's ``python3``).
    timeout : int or None
        Per-cell time limit in seconds.
    date : str, optional
        The date shown in the header of ``index.html`` (default: now, to the minute).
        It is the only wall-clock value in the reports.
    progress : callable or None
        Receives one line per notebook with its time (default: ``print``).

    Returns
    -------
    Report
        With ``.path``, ``.index``, ``.table`` (time per notebook) and ``.not_run``.

    Raises
    ------
    ReportError
        If a notebook fails (naming the notebook, the cell and the error) or the kernel
        is missing; ``out`` is left untouched.
    SchemaError
        If the project has problems (all listed) or no inputs, or the configuration or
        a listed notebook is missing; ``out`` is left untouched.
    ParameterError
        If ``out`` overlaps an input or is a folder that is not a previous report.
    """
    import nbformat

    from .._version import __version__

    project = _as_project(project)
    out = Path(out).resolve()  # the kernels run in the notebooks folder: pass absolute paths
    config = Path(config)
    specs = load_report_config(config)
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else notebooks_dir_of(config, specs)
    overrides = overrides or {}

    def selected(spec: NotebookSpec) -> bool:
        return not only or any(spec.name == o or spec.name.startswith(o) for o in only)

    if only and not any(selected(s) for s in specs):
        raise SchemaError(
            f"no notebook matches --only {', '.join(only)}",
            path=config,
            hint="use one of: " + ", ".join(s.name for s in specs),
        )
    _check_out(out, project, config, nb_dir)
    _check_project(project)
    gaps = {s.name: requirement_gap(s, project) for s in specs}
    for spec in specs:
        if selected(spec) and gaps[spec.name] is None and not (nb_dir / spec.file_name).is_file():
            raise SchemaError(
                f"notebook {spec.file_name} listed in the configuration does not exist",
                path=nb_dir / spec.file_name,
                hint="create it (and its .py pair) or remove its [[notebook]] entry",
            )
    facts = input_facts(project)
    inventory = data_inventory(project)
    _check_kernel(kernel_name)
    date = date or _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    say = progress or (lambda _line: None)

    timings = []
    not_run: list[tuple[str, str, str]] = []
    with atomic_dir(out) as tmp:
        sections: list[Section] = []
        (tmp / _EXECUTED_DIR).mkdir()
        (tmp / _SUMMARY_DIR).mkdir()
        for i, spec in enumerate(specs, start=1):
            summary_dir = tmp / _SUMMARY_DIR / spec.name
            gap = gaps[spec.name]
            if gap is not None:
                not_run.append((spec.name, spec.title, gap))
                say(f"[{i}/{len(specs)}] {spec.name} not run: {gap}")
                continue
            if not selected(spec):
                if _carry_over(out, tmp, spec):
                    sections.append(Section(spec.name, spec.title, _read_summary(summary_dir),
                                            kept=True))
                continue
            summary_dir.mkdir()
            executed = tmp / _EXECUTED_DIR / spec.file_name
            params = {
                **spec.parameters,
                **dict(overrides.get(spec.name, {})),
                "project": str(Path(project.path).resolve()),
                "summary_dir": str(summary_dir),
            }
            say(f"[{i}/{len(specs)}] {spec.name} ...")
            t0 = time.perf_counter()
            _execute(
                spec, nb_dir / spec.file_name, executed, params,
                kernel_name=kernel_name, cwd=nb_dir.resolve(), timeout=timeout,
            )
            nb = nbformat.read(executed, as_version=4)
            for cell in nb.cells:  # papermill gives its cell a random id: keep pages stable
                if "injected-parameters" in cell.metadata.get("tags", []):
                    cell["id"] = "injected-parameters"
            page = notebook_to_html(nb, spec.title)
            atomic_write_text(tmp / f"{spec.name}.html", page)
            seconds = time.perf_counter() - t0
            timings.append((spec.name, spec.title, seconds, f"{spec.name}.html"))
            say(f"[{i}/{len(specs)}] {spec.name} done in {seconds:.1f} s")
            sections.append(Section(spec.name, spec.title, _read_summary(summary_dir)))
        index = render_index(
            project=project,
            facts=facts,
            sections=sections,
            not_run=not_run,
            inventory=inventory,
            project_label=_project_label(project.path),
            version=__version__,
            date=date,
        )
        atomic_write_text(tmp / "index.html", index)
        atomic_write_text(tmp / MARKER, f"written by demandlab {__version__} report; "
                          "the next report replaces this folder\n")
        _publishable(tmp)
    table = pd.DataFrame(timings, columns=["notebook", "title", "seconds", "html"])
    return Report(
        path=out, table=table,
        not_run=pd.DataFrame(not_run, columns=["notebook", "title", "reason"]),
    )


def _publishable(folder: Path) -> None:
    """Give the temp folder's files ordinary permissions (mkstemp makes them private)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    for path in folder.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def _read_summary(folder: Path) -> dict[str, Any] | None:
    path = folder / "summary.json"
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"summary.json is not valid JSON: {exc}", path=path,
            hint="write it with demandlab.reporting.ReportSummary",
        ) from None
    if doc.get("schema") != SUMMARY_SCHEMA:
        raise ReportError(
            f"summary schema {doc.get('schema')!r} is not {SUMMARY_SCHEMA!r}", path=path,
            hint="write it with demandlab.reporting.ReportSummary",
        )
    return doc


def _carry_over(old: Path, tmp: Path, spec: NotebookSpec) -> bool:
    """Copy a notebook's previous HTML, summary and executed notebook into the new folder."""
    page = old / f"{spec.name}.html"
    if not page.is_file():
        return False
    shutil.copy2(page, tmp / page.name)
    summary = old / _SUMMARY_DIR / spec.name
    if summary.is_dir():
        shutil.copytree(summary, tmp / _SUMMARY_DIR / spec.name)
    executed = old / _EXECUTED_DIR / spec.file_name
    if executed.is_file():
        shutil.copy2(executed, tmp / _EXECUTED_DIR / spec.file_name)
    return True
