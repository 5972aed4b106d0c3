"""What every refused command-line run must look like (shared by the CLI test modules)."""

from __future__ import annotations


def one_error(result: tuple[int, str, str], *needles: str) -> str:
    """Exit 2, one ``demandlab: error:`` line on stderr naming every needle, no traceback."""
    code, _stdout, err = result
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("demandlab: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err
