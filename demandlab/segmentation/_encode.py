"""Encoding of mixed customer attributes into one numeric space (see ``demandlab.segmentation._segmenter``)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._validation import Options, check_params
from ..errors import DataError, DemandlabWarning, NotFittedError, ParameterError, SchemaError
from ..io._frames import file_line, frame_lines, frame_path
from ..io._loaders import Column, Schema, _header_name, check_frame

__all__ = [
    "CustomerEncoder",
    "DEFAULT_ATTRIBUTES",
    "CATEGORICAL_WEIGHT",
    "SIZE_ORDER",
    "UnknownCategoryWarning",
]

#: The five attributes of the ``customers`` contract and how each is encoded
#: (size is one ordered attribute; frequency and volume are two numeric ones).
DEFAULT_ATTRIBUTES: dict[str, str] = {
    "size": "ordinal",
    "industry": "categorical",
    "orders_per_year": "log",
    "avg_order_value": "log",
    "region": "categorical",
    "purpose": "categorical",
}
#: Order of the size classes (EU thresholds: micro < 10 <= small < 50 <= medium < 250 <= large).
SIZE_ORDER: tuple[str, ...] = ("micro", "small", "medium", "large")
#: Default weight of a categorical block (numeric and ordinal blocks weigh 1). Chosen by
#: measurement on planted B2B data (the grid is in ``benchmarks/RESULTS.md``,
#: "segment-tuning"). One generator, one seed: check ``weight_sensitivity`` on your own
#: customers. ``CustomerSegmenter`` starts its weight tuning
#: (``demandlab.segmentation._weights.tune_weights``) from here.
CATEGORICAL_WEIGHT: float = 0.5

_KINDS = ("categorical", "ordinal", "log", "numeric")


def category_codes(s: pd.Series, categories: Sequence[str]) -> np.ndarray:
    """Position of each value (as text) in ``categories``; -1 unknown, -2 missing.

    Factorises first, so the text matching runs on the distinct values only.

    Examples
    --------
    >>> category_codes(pd.Series(["b", "a", None, "z"]), ["a", "b"]).tolist()
    [1, 0, -2, -1]
    """
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    lookup = pd.Index(list(categories), dtype=object).get_indexer(
        pd.Index([str(u) for u in uniq], dtype=object)
    )
    lookup = np.append(lookup, -2)  # codes == -1 (missing) index the last entry
    return lookup[codes].astype(np.int64)


def _known_order(df: pd.DataFrame, col: str, s: pd.Series, na: np.ndarray) -> tuple[str, ...]:
    """The levels of an ordinal column, low to high, from what the data say; never alphabetical.

    In turn: an ordered pandas Categorical, the project file's ``order`` (carried in
    ``df.attrs["order"]`` by ``Project.load``), the contract's size order when every
    value is a size class. Anything else is a SchemaError saying how to give the order.

    Examples
    --------
    >>> s = pd.Series(["large", "micro"])
    >>> _known_order(pd.DataFrame({"s": s}), "s", s, np.zeros(2, bool))
    ('micro', 'small', 'medium', 'large')
    """
    if isinstance(s.dtype, pd.CategoricalDtype) and s.dtype.ordered:
        return tuple(str(c) for c in s.dtype.categories)
    given = (df.attrs.get("order") or {}).get(col)
    if given:
        return tuple(str(v) for v in given)
    values = sorted({str(v) for v in s[~na]})
    if set(values) <= set(SIZE_ORDER):
        return SIZE_ORDER
    shown = ", ".join(repr(v) for v in values[:5]) + (", ..." if len(values) > 5 else "")
    raise SchemaError(
        f"ordinal attribute {col!r} has no known order (values: {shown}); it is never "
        "ordered alphabetically",
        column=col,
        hint=f"give its levels from low to high: attributes={{{col!r}: ['level 1', "
        "'level 2', ...]}, or order.<column> = [...] under the input's section in "
        "demandlab.toml; for company sizes map the labels to micro, small, medium, large "
        "under [customers.values.size]",
    )


class UnknownCategoryWarning(DemandlabWarning):
    """A category not seen in fit was encoded as an all-zero block."""


class CustomerEncoder:
    """Encode customer attributes (ordered, categorical, numeric) into one numeric matrix.

    Each attribute becomes a block of columns:

    * ``"categorical"``: one 0/1 column per category seen in fit (sorted);
    * ``"ordinal"``: the level's rank (``size``: micro=0 < small < medium < large),
      standardised. The levels come from ``attributes`` (a list), an ordered
      Categorical, the project file's ``order`` (``df.attrs["order"]``) or the size
      classes; never from the alphabet (a SchemaError says how to give them). The ``size`` attribute is read from the head count instead,
      ``log1p(employees)`` standardised, when an ``employees`` column is there (see
      ``size_from``);
    * ``"log"``: ``log1p(x)`` standardised (frequency, order value, spend: values >= 0);
    * ``"numeric"``: ``x`` standardised.

    Every block is then scaled so that the sum of its columns' variances (ddof=0) in
    the fitted data equals the attribute's weight: numeric and ordinal blocks weigh 1,
    categorical blocks :data:`CATEGORICAL_WEIGHT` (0.5) unless ``weights`` says
    otherwise. A one-hot block whose category shares are ``p_j`` has variance
    ``1 - sum(p_j**2)`` and is multiplied by ``sqrt(weight / (1 - sum(p_j**2)))``.
    Squared Euclidean distance in this space is what k-means minimises, so each
    attribute contributes to the segmentation in proportion to its weight.

    Parameters
    ----------
    attributes : dict or list of str, optional
        Column -> kind (``"categorical"``, ``"ordinal"``, ``"log"``, ``"numeric"``, or
        for an ordinal attribute the ordered list of its levels). A list of columns
        infers kinds (``size``: ordinal; numbers >= 0: log; other numbers: numeric;
        text: categorical). Default: those of :data:`DEFAULT_ATTRIBUTES` found in the
        table (``size`` is derived from ``employees`` by the EU thresholds when only
        ``employees`` is there).
    weights : dict, optional
        Column -> weight (>= 0), or ``{"categorical": w}`` to set every categorical
        block at once.
    missing : {"error", "impute"}, default "error"
        Missing values raise a :class:`~demandlab.errors.DataError` naming the column
        and row; ``"impute"`` fills them with the fitted median (numbers, levels) or
        the most frequent category.
    dtype : numpy dtype, default float32
        Dtype of the encoding (float32 halves memory at a million customers).
    size_from : {"auto", "class"}, default "auto"
        What places a customer on the ``size`` axis. ``"auto"``: ``log1p(employees)``
        standardised when the table has a numeric ``employees`` column without missing
        or negative values, else the class rank; ``"class"``: always the class rank.
        The head count is the finer measure of the same ordered attribute: the four
        EU classes throw away where a customer sits within its class (its effect on
        planted data is in ``benchmarks/RESULTS.md``, "segment-tuning"). Profiles
        and names still speak of the size class.

    Attributes
    ----------
    attributes_ : dict
        Column -> kind actually used.
    categories_ : dict
        Column -> categories (categorical) or levels (ordinal).
    size_source_ : str or None
        ``"employees"`` or ``"size"``: what the ``size`` block was computed from
        (None without a size attribute).
    block_scale_ : dict
        Column -> multiplier applied to the block.
    blocks_ : dict
        Column -> slice of the block in the encoding.
    feature_names_ : list of str
        Names of the encoded columns (``industry=retail``, ``orders_per_year``...).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"size": ["micro", "large", "small", "micro"],
    ...                    "industry": ["retail", "retail", "auto", "auto"],
    ...                    "orders_per_year": [1.0, 3.0, 7.0, 15.0]})
    >>> enc = CustomerEncoder(weights={"industry": 1.0}).fit(df)
    >>> enc.feature_names_
    ['size', 'industry=auto', 'industry=retail', 'orders_per_year']
    >>> X = enc.transform(df)
    >>> [round(float(X[:, enc.blocks_[c]].var(axis=0).sum()), 6) for c in enc.attributes_]
    [1.0, 1.0, 1.0]
    """

    def __init__(
        self,
        attributes: Mapping[str, str | Sequence[str]] | Sequence[str] | None = None,
        *,
        weights: Mapping[str, float] | None = None,
        missing: str = "error",
        dtype: type = np.float32,
        size_from: str = "auto",
    ) -> None:
        self.attributes = attributes
        self.weights = weights
        self.missing = missing
        self.dtype = dtype
        self.size_from = size_from

    _parameter_constraints: dict = {
        "attributes": [Mapping, "array-like", None],
        "weights": [Mapping, None],
        "missing": [Options({"error", "impute"})],
        "dtype": [type, np.dtype],
        "size_from": [Options({"auto", "class"})],
    }

    # -- configuration -------------------------------------------------------------
    def _resolve_attributes(self, df: pd.DataFrame) -> tuple[dict[str, str], dict[str, tuple]]:
        levels: dict[str, tuple] = {}
        if self.attributes is None:
            cols = {c: k for c, k in DEFAULT_ATTRIBUTES.items() if c in df.columns}
            if "size" not in df.columns and "employees" in df.columns:
                cols = {"size": "ordinal", **cols}
            if not cols:
                raise SchemaError(
                    "no segmentation attribute found: expected some of "
                    + ", ".join(DEFAULT_ATTRIBUTES),
                    path=frame_path(df),
                    hint="pass attributes={'column': 'categorical' | 'log' | 'numeric' | 'ordinal'}",
                )
        elif isinstance(self.attributes, Mapping):
            cols = {}
            for c, kind in self.attributes.items():
                if isinstance(kind, str):
                    cols[c] = kind
                else:
                    cols[c] = "ordinal"
                    levels[c] = tuple(kind)
        else:
            if isinstance(self.attributes, str):
                raise ParameterError(f"must be a list or dict of columns, not a string ({self.attributes!r})",
                                     column="attributes", hint=f"e.g. attributes=[{self.attributes!r}]")
            cols = {}
            for c in self.attributes:
                if c == "size" or c in levels:
                    cols[c] = "ordinal"
                elif c in df.columns and pd.api.types.is_numeric_dtype(df[c]) and not (
                    pd.api.types.is_bool_dtype(df[c])
                ):
                    cols[c] = "log" if (df[c].dropna() >= 0).all() else "numeric"
                else:
                    cols[c] = "categorical"
        for c, kind in cols.items():
            if kind not in _KINDS:
                raise ParameterError(f"attribute {c!r}: unknown kind {kind!r}", column="attributes",
                                     hint=f"use one of {_KINDS}")
            if kind == "ordinal" and c not in levels:
                levels[c] = SIZE_ORDER if c == "size" else ()
        return cols, levels

    def _weights(self, cols: dict[str, str]) -> dict[str, float]:
        w = {c: (CATEGORICAL_WEIGHT if k == "categorical" else 1.0) for c, k in cols.items()}
        for key, value in dict(self.weights or {}).items():
            if key == "categorical":
                for c, k in cols.items():
                    if k == "categorical":
                        w[c] = float(value)
            elif key not in cols:
                raise ParameterError(
                    f"weight given for {key!r}, which is not an attribute", column="weights",
                    hint=f"attributes: {list(cols)}",
                )
            else:
                w[key] = float(value)
            if float(value) < 0 or not np.isfinite(float(value)):
                raise ParameterError(f"weight of {key!r} must be a finite number >= 0, got {value!r}",
                                     column="weights")
        return w

    # -- column access ---------------------------------------------------------------
    def _column(self, df: pd.DataFrame, col: str, kind: str) -> pd.Series:
        if col not in df.columns:
            if col == "size" and "employees" in df.columns:
                from ..io._synthetic import size_from_employees

                emp = df["employees"]
                s = pd.Series(size_from_employees(emp.fillna(-1)), index=df.index, dtype=object)
                return s.where(emp.notna())
            raise SchemaError(
                f"missing column {col!r} (attributes: {', '.join(self.attributes_)})",
                path=frame_path(df),
                column=col,
                hint="add the column, or choose other attributes with attributes=...",
            )
        s = df[col]
        if kind in ("log", "numeric"):
            # the contract checker: not-a-number, infinite and (for log) negative values
            # are named with their column and file line like those of a file
            name = _header_name(col)  # as the checker matches headers
            rule = Column(name, "float", nullable=True, min=0.0 if kind == "log" else None,
                          hint=f"log1p needs values >= 0: remove negative rows or declare {col!r} "
                          "as 'numeric'" if kind == "log" else "")
            s = check_frame(pd.DataFrame({name: s.to_numpy()}), Schema("customers", (rule,)),
                            frame_path(df) or "<customers>", frame_lines(df))[name]
            s = pd.Series(s.to_numpy(float), index=df.index, name=col)
        return s

    def _check_missing(self, df: pd.DataFrame, col: str, s: pd.Series) -> np.ndarray:
        na = s.isna().to_numpy()
        if na.any() and self.missing != "impute":
            pos = int(np.flatnonzero(na)[0])
            raise DataError(
                f"{int(na.sum())} missing value(s)",
                path=frame_path(df),
                column=col,
                row=file_line(df, pos),
                hint="fill them in, drop those customers, or pass missing='impute'",
            )
        return na

    def _uses_employees(self, df: pd.DataFrame, col: str, kind: str, lv: tuple) -> bool:
        """Whether the ``size`` attribute is read from a usable ``employees`` column."""
        if self.size_from == "class" or col != "size" or kind != "ordinal" or lv != SIZE_ORDER:
            return False
        if "employees" not in df.columns:
            return False
        e = df["employees"]
        if not pd.api.types.is_numeric_dtype(e) or pd.api.types.is_bool_dtype(e):
            return False
        v = e.to_numpy(float)
        return bool(np.isfinite(v).all() and (v >= 0).all())

    def _employees(self, df: pd.DataFrame) -> np.ndarray:
        """``log1p(employees)``; the column must be there and complete (fitted on it)."""
        if "employees" not in df.columns:
            raise SchemaError(
                "missing column 'employees': the size axis was fitted on the head count",
                path=frame_path(df),
                column="employees",
                hint="add the employees column, or fit with size_from='class'",
            )
        e = pd.to_numeric(df["employees"], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(~np.isfinite(e) | (e < 0))
        if bad.size:
            raise DataError(
                f"head count {df['employees'].iloc[bad[0]]!r} is missing, negative or not a number",
                path=frame_path(df),
                column="employees",
                row=file_line(df, int(bad[0])),
                hint="fix the head counts, or fit with size_from='class'",
            )
        return np.log1p(e)

    # -- fit / transform -------------------------------------------------------------
    def fit(self, customers: pd.DataFrame, y: object = None) -> CustomerEncoder:
        """Learn categories, centring and scales from ``customers``; return self."""
        check_params(vars(self), self._parameter_constraints)
        check_params({"customers": customers}, {"customers": [pd.DataFrame]})
        if len(customers) == 0:
            raise DataError("no customers (empty table)", path=frame_path(customers), hint="pass a table with rows")
        cols, levels = self._resolve_attributes(customers)
        self.attributes_ = cols
        self.weights_ = self._weights(cols)
        self.categories_: dict[str, tuple] = {}
        self.center_: dict[str, float] = {}
        self.std_: dict[str, float] = {}
        self.fill_: dict[str, object] = {}
        self.block_scale_: dict[str, float] = {}
        self.blocks_: dict[str, slice] = {}
        self.size_source_: str | None = "size" if "size" in cols else None
        names: list[str] = []
        for col, kind in cols.items():
            w = self.weights_[col]
            start = len(names)
            if self._uses_employees(customers, col, kind, levels.get(col, ())):
                self.size_source_ = "employees"
                self.categories_[col] = levels[col]
                v = self._employees(customers)
                self.fill_[col] = float(np.median(v))
                self._scale_number(col, v, w)
                names.append(col)
                self.blocks_[col] = slice(start, len(names))
                continue
            s = self._column(customers, col, kind)
            na = self._check_missing(customers, col, s)
            if kind == "categorical":
                codes, uniq = pd.factorize(s, use_na_sentinel=True)
                counts = pd.Series(
                    np.bincount(codes[codes >= 0], minlength=len(uniq)),
                    index=[str(u) for u in uniq],
                ).groupby(level=0).sum().sort_values(ascending=False, kind="stable")
                cats = tuple(sorted(counts.index))
                self.categories_[col] = cats
                self.fill_[col] = counts.index[0]
                p = counts.reindex(list(cats)).to_numpy(float)
                if na.any():  # imputed rows go to the mode
                    p[cats.index(self.fill_[col])] += na.sum()
                p = p / p.sum()
                var = 1.0 - float((p**2).sum())
                self.block_scale_[col] = float(np.sqrt(w / var)) if var > 0 else 0.0
                names += [f"{col}={c}" for c in cats]
            else:
                if kind == "ordinal":
                    lv = levels[col] or _known_order(customers, col, s, na)
                    self.categories_[col] = lv
                    v = self._ordinal_codes(customers, col, s, na)
                else:
                    v = s.to_numpy(float)
                    if kind == "log":
                        v = np.log1p(v)
                fill = float(np.median(v[~na])) if (~na).any() else 0.0
                self.fill_[col] = fill
                self._scale_number(col, np.where(na, fill, v), w)
                names.append(col)
            self.blocks_[col] = slice(start, len(names))
        self.feature_names_ = names
        return self

    def _scale_number(self, col: str, v: np.ndarray, w: float) -> None:
        """Centre, spread and block scale of one number column (a constant one weighs 0)."""
        self.center_[col] = float(v.mean())
        sd = float(v.std())
        self.std_[col] = sd if sd > 0 else 1.0
        self.block_scale_[col] = float(np.sqrt(w)) if sd > 0 else 0.0

    def _ordinal_codes(
        self, df: pd.DataFrame, col: str, s: pd.Series, na: np.ndarray
    ) -> np.ndarray:
        lv = self.categories_[col]
        codes = category_codes(s, lv)
        codes[na] = -1
        bad = np.flatnonzero((codes < 0) & ~na)
        if bad.size:
            raise DataError(
                f"unknown level {s.iloc[bad[0]]!r}; expected one of {', '.join(map(str, lv))}",
                path=frame_path(df),
                column=col,
                row=file_line(df, int(bad[0])),
                hint=f"use one of the levels {list(lv)}",
            )
        return codes.astype(float)

    def transform(self, customers: pd.DataFrame) -> np.ndarray:
        """Encode ``customers`` with the fitted blocks; returns an (n, n_features) array.

        Categories not seen in fit give an all-zero block and an
        :class:`UnknownCategoryWarning`.
        """
        if not hasattr(self, "attributes_"):
            raise NotFittedError(
                "this CustomerEncoder is not fitted yet", hint="call fit(customers) first"
            )
        n = len(customers)
        X = np.zeros((n, len(self.feature_names_)), dtype=self.dtype)
        for col, kind in self.attributes_.items():
            blk = self.blocks_[col]
            scale = self.block_scale_[col]
            if col == "size" and self.size_source_ == "employees":
                v = self._employees(customers)
                X[:, blk.start] = (v - self.center_[col]) / self.std_[col] * scale
                continue
            s = self._column(customers, col, kind)
            na = self._check_missing(customers, col, s)
            if kind == "categorical":
                cats = self.categories_[col]
                codes = category_codes(s, cats)
                codes[codes == -2] = cats.index(self.fill_[col])  # imputed (missing='impute')
                unknown = codes < 0
                if unknown.any():
                    first = s.iloc[int(np.flatnonzero(unknown)[0])]
                    warnings.warn(
                        f"column {col!r}: {int(unknown.sum())} row(s) with categories not seen "
                        f"in fit (first {first!r}) were encoded as an all-zero block; "
                        "refit on data that contains them to give them a place",
                        UnknownCategoryWarning,
                        stacklevel=2,
                    )
                rows = np.flatnonzero(~unknown)
                X[rows, blk.start + codes[rows]] = scale
            else:
                if kind == "ordinal":
                    v = self._ordinal_codes(customers, col, s, na)
                else:
                    v = s.to_numpy(float)
                    if kind == "log":
                        v = np.log1p(v)
                v = np.where(na, self.fill_[col], v)
                X[:, blk.start] = (v - self.center_[col]) / self.std_[col] * scale
        return X

    def fit_transform(self, customers: pd.DataFrame, y: object = None) -> np.ndarray:
        """Fit, then transform the same customers."""
        return self.fit(customers).transform(customers)
