"""One voice on the command line (issue 18): every error and warning is one line.

Errors read ``demandlab: error: ...`` (argument errors of every subcommand too), exit 2;
warnings read ``demandlab: warning: ...``, once each; the messages say what is wrong
(file not found, UTF-16 detected, a binary or folder project file), and ``validate``
fails on a folder the way ``report`` does.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import pytest
from cli_checks import one_error

from demandlab.cli._warnings import one_line_warnings, warning_line
from demandlab.errors import DemandlabWarning


def _sales(path: Path, months: int = 2) -> Path:
    path.write_text("unique_id;ds;y\n" + "".join(f"kettle;2020-{m:02d}-01;{3 + m}\n"
                                                 for m in range(1, months + 1)))
    return path


# -- argument errors ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("niche", "score", "t.csv", "--seed", "-1"), "argument --seed: need a whole number >= 0"),
        (("niche", "backtest", "t.csv", "--seed", "-1"), "argument --seed"),
        (("segment", "c.csv", "--random-state", "-1"), "argument --random-state"),
        (("data", "build", "--seed", "-1"), "argument --seed"),
        (("forecast", "s.csv", "--h", "twelve"), "argument --h: need a whole number"),
        (("kpi", "funnel"), "the following arguments are required: path"),
        (("kpi", "tiers", "o.csv", "--tier", "100"), "argument --tier"),
        (("pricing", "psm", "p.csv", "--bogus"), "unrecognized arguments: --bogus"),
        (("report", "--data", "a", "--config", "b"), "not allowed with argument"),
        (("nosuchcommand",), "invalid choice"),
    ],
)
def test_argument_errors_of_every_subcommand_read_demandlab_error(cli, tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    err = one_error(cli(*args), needle)
    assert not err.startswith(f"demandlab {args[0]}")
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_bad_numbers_checked_by_the_library_are_one_error_line(cli, tmp_path):
    f = tmp_path / "funnel_shop.csv"
    f.write_text("stage;count\nseen;900\nbought;45\n")
    one_error(cli("kpi", "funnel", f, "--level", "0.9"), "argument 'level'", "write 90")
    one_error(cli("forecast", _sales(tmp_path / "sales_k.csv"), "--h", "0", "--no-progress"), "'h'")


# -- warnings ---------------------------------------------------------------------------------

def test_a_warning_is_one_line_with_the_demandlab_prefix(cli, tmp_path):
    code, _stdout, err = cli("forecast", _sales(tmp_path / "sales_short.csv", months=8), "--h", "1",
                             "--no-progress", "--backtest", "2")
    assert code == 0, err
    lines = err.splitlines()
    assert lines and all(line.startswith("demandlab: warning: ") for line in lines), err
    assert any("too short" in line for line in lines)
    assert len(lines) == len(set(lines))  # each text once, although the backtest repeats it
    assert "Warning:" not in err and ".py:" not in err


def test_formatter_collapses_lines_and_keeps_the_filters():
    assert warning_line("a\n   b", DemandlabWarning) == "demandlab: warning: a b"
    err = io.StringIO()
    with one_line_warnings(err):
        warnings.warn("first\nsecond", UserWarning, stacklevel=1)
        warnings.warn("first\nsecond", UserWarning, stacklevel=1)
    assert err.getvalue() == "demandlab: warning: first second\n"
    with one_line_warnings(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning):
            warnings.warn("stays an error", UserWarning, stacklevel=1)


# -- messages that say what is wrong -------------------------------------------------------------

def test_a_missing_file_is_file_not_found(cli, tmp_path):
    one_error(cli("validate", tmp_path / "quarterly_numbers.csv"), "file not found")
    one_error(cli("validate", tmp_path / "sales_2030.csv"), "file not found")


def test_utf16_files_are_read_or_named_as_utf16(cli, tmp_path):
    text = "unique_id,ds,y\n一号,2021-03-01,4\n一号,2021-04-01,6\n"
    plain = tmp_path / "sales_le.csv"
    plain.write_bytes(text.encode("utf-16-le"))  # no byte-order mark, one CJK id with a zero byte
    code, out, err = cli("validate", plain)
    assert code == 0 and "2 rows" in out, err
    one_error(cli("validate", plain, "--encoding", "utf-8"), "UTF-16 detected", "utf-16-le")
    broken = tmp_path / "sales_cut.csv"
    broken.write_bytes(text.encode("utf-16-le") + b"\x41")
    one_error(cli("validate", broken), "damaged UTF-16 text", "iconv")
    export = tmp_path / "multiTimeline.csv"
    export.write_bytes("Category: All categories\n\nMonth,kettle: (Worldwide)\n2021-01,50\n2021-02,61\n"
                       .encode("utf-16"))
    code, out, err = cli("validate", export)
    assert code == 0 and "2 rows" in out, err


def test_a_binary_folder_or_device_config_is_one_clear_line(cli, tmp_path):
    binary = tmp_path / "demandlab.toml"
    binary.write_bytes(bytes(range(256)) * 4)
    folder = tmp_path / "proj"
    (folder / "demandlab.toml").mkdir(parents=True)
    cases = [(binary, "binary data, not a TOML project file"), (folder, "is a folder, not a project file")]
    if os.path.exists("/dev/zero"):
        cases.append((Path("/dev/zero"), "not a regular file"))
    for config, needle in cases:
        one_error(cli("validate", "--config", config), needle)
        one_error(cli("report", "--config", config, "--out", tmp_path / "r"), needle)
    assert not (tmp_path / "r").exists()


def _project_folder(folder: Path, sales: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "verkoop.csv").write_text(sales)
    (folder / "demandlab.toml").write_text('[sales]\npath = "verkoop.csv"\n')
    return folder


def test_validate_of_a_folder_fails_as_report_does(cli, tmp_path):
    bad = _project_folder(tmp_path / "bad", "unique_id;ds;y\nkettle;2021-01-01;four\n")
    code, _, verr = cli("validate", bad)
    rcode, _, rerr = cli("report", "--data", bad, "--out", tmp_path / "r")
    assert code == rcode == 2
    assert verr.splitlines()[0] == rerr.splitlines()[0] and "'y'" in verr
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "demandlab.toml").write_text('[project]\ntitle = "Nothing yet"\n')
    assert one_error(cli("validate", empty)) == one_error(cli("report", "--data", empty, "--out", tmp_path / "r"))
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    one_error(cli("validate", nothing), "no demandlab.toml")
    one_error(cli("report", "--data", nothing, "--out", tmp_path / "r"), "no demandlab.toml")
    assert not (tmp_path / "r").exists()


def test_validate_of_a_trends_folder_says_report_needs_a_project_file(cli, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "kettle.csv").write_text("Category: All categories\n\nMonth,kettle: (Worldwide)\n"
                                       "2021-01,50\n2021-02,61\n")
    code, out, err = cli("validate", folder)
    assert code == 0 and "needs a demandlab.toml" in out, err
