"""The project's frame: environment.yml, the CLI shell, errors, atomic writers."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pandas as pd
import pytest
import yaml

from demandlab.errors import DataError, DemandlabError, SchemaError
from demandlab.io._atomic import atomic_dir, write_frame


def test_environment_yml_points_at_pyproject(root_dir):
    env = yaml.safe_load((root_dir / "environment.yml").read_text())
    deps = env["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and d.startswith("python")]
    assert pythons and ">=3.11" in pythons[0]
    assert "pip" in deps
    pip_block = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert pip_block == ["-e .[dev]"]
    project = tomllib.loads((root_dir / "pyproject.toml").read_text())
    assert "dev" in project["project"]["optional-dependencies"]
    # no package pinned twice: environment.yml carries nothing but python, pip and the project
    assert len(deps) == 3


def test_error_message_is_one_line_and_names_everything():
    err = SchemaError("bad\nthing", path="x.csv", column="y", row=7, hint="do z")
    assert str(err) == "x.csv:7: column 'y': bad thing (fix: do z)"
    assert isinstance(err, DemandlabError)


def test_errors_pickle_round_trip():
    import pickle

    err = DataError("negative", path="s.csv", column="y", row=3)
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err) and type(back) is DataError


def test_write_frame_failure_keeps_old_file(tmp_path):
    target = tmp_path / "out.csv"
    write_frame(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()

    class Boom(pd.DataFrame):
        def to_csv(self, *a, **k):
            with open(a[0], "w") as fh:
                fh.write("half")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_frame(Boom({"a": [2]}), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_frame_rejects_unknown_suffix(tmp_path):
    with pytest.raises(DemandlabError, match="csv or .parquet"):
        write_frame(pd.DataFrame({"a": [1]}), tmp_path / "x.xlsx")


def test_atomic_dir_swaps_only_on_success(tmp_path):
    target = tmp_path / "reports"
    with atomic_dir(target) as d:
        (d / "a.html").write_text("one")
    with pytest.raises(RuntimeError), atomic_dir(target) as d:
        (d / "a.html").write_text("two")
        raise RuntimeError("notebook failed")
    assert (target / "a.html").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_cli_help_lists_subcommands():
    out = subprocess.run(
        [sys.executable, "-m", "demandlab", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "usage: demandlab" in out
    for cmd in ("validate", "trends", "niche", "segment", "forecast", "report"):
        assert cmd in out, cmd


def test_written_files_get_the_usual_mode(tmp_path):
    import os
    import stat

    p = write_frame(pd.DataFrame({"a": [1]}), tmp_path / "m.csv")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask


def test_every_public_name_resolves():
    import demandlab

    missing = []
    for name in demandlab.__all__:
        try:
            getattr(demandlab, name)
        except Exception as exc:  # report every failure at once
            missing.append(f"{name}: {exc}")
    assert not missing, missing
    assert demandlab.NicheBacktest.__module__ == "demandlab.niches._scoring"
    assert demandlab.ForecastBacktest.__module__ == "demandlab.forecasting._api"


def test_cli_usage_errors_are_one_line(cli):
    code, out, err = cli("niche", "score", "x.csv", "--draws", "abc")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "--draws" in err and "--help" in err
    code, out, err = cli("no-such-command")
    assert code == 2 and len(err.strip().splitlines()) == 1
