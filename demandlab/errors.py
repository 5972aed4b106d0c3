"""Errors raised by demandlab.

Every error a user can cause (a malformed file, a bad argument, an unreachable
source) is a :class:`DemandlabError`. Its message names the file, the column and
the first offending row where they exist, and says how to fix it. The command line
prints it as one line on stderr and exits with code 2, without a traceback.

Examples
--------
>>> from demandlab.errors import SchemaError
>>> err = SchemaError("missing column 'y'", path="sales.csv", column="y",
...                   hint="add a numeric column 'y' with the demand per period")
>>> print(err)
sales.csv: column 'y': missing column 'y' (fix: add a numeric column 'y' with the demand per period)
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "DemandlabError",
    "SchemaError",
    "DataError",
    "SourceError",
    "NotFittedError",
    "ParameterError",
    "DemandlabWarning",
]


class DemandlabError(Exception):
    """Base class of every error demandlab raises on purpose.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence.
    path : str or path-like, optional
        The file the problem was found in.
    column : str, optional
        The column the problem was found in.
    row : int, optional
        The first offending row, as a 1-based line number of the file (the header
        is line 1 of a plain CSV) where a file is involved.
    hint : str, optional
        How to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        column: str | None = None,
        row: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.column = column
        self.row = row
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path if self.row is None else f"{self.path}:{self.row}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ": ".join([*where, self.message])
        if self.hint:
            text += f" (fix: {self.hint})"
        return " ".join(text.split())  # always one line

    def __reduce__(self):  # keep picklable across joblib workers
        return (
            _rebuild,
            (type(self), self.message, self.path, self.column, self.row, self.hint),
        )


def _rebuild(cls, message, path, column, row, hint):
    return cls(message, path=path, column=column, row=row, hint=hint)


class SchemaError(DemandlabError):
    """The input does not have the expected structure: columns, header, delimiter, types."""


class DataError(DemandlabError):
    """The input has the right structure but wrong values: ranges, dates, duplicates, gaps."""


class SourceError(DemandlabError):
    """A live data source (e.g. Google Trends) failed or is unreachable."""


class NotFittedError(DemandlabError):
    """An estimator was used before :meth:`fit`."""


class ParameterError(DemandlabError, ValueError, TypeError):
    """A function or estimator was given a bad argument.

    It is a :class:`ValueError` and a :class:`TypeError` too (as scikit-learn's
    ``InvalidParameterError``), so callers that catch either keep working.
    The ``column`` slot names the argument.

    Examples
    --------
    >>> err = ParameterError("must be >= 1, got 0", column="h", hint="e.g. h=12")
    >>> print(err)
    argument 'h': must be >= 1, got 0 (fix: e.g. h=12)
    >>> isinstance(err, ValueError) and isinstance(err, TypeError)
    True
    """

    def _format(self) -> str:
        text = super()._format()
        # an argument is not a column: say "argument 'h'" instead of "column 'h'"
        if self.column is not None and self.path is None:
            text = text.replace(f"column {self.column!r}", f"argument {self.column!r}", 1)
        return text


class DemandlabWarning(UserWarning):
    """A warning that says what demandlab did for you and how to avoid it."""
