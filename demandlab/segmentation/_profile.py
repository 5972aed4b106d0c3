"""Segment profiles a manager can read, automatic names and plots (see ``demandlab.segmentation._segmenter``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import validate_params
from ..cluster._engine import DASK_FRAME, SCHEDULER, is_dask_frame
from ..errors import DataError
from ..io._frames import frame_path

__all__ = ["SegmentProfiles", "segment_profiles", "REVENUE_COLUMNS"]

#: Columns taken as a customer's yearly revenue when ``revenue`` is not given (after
#: ``orders_per_year * avg_order_value``).
REVENUE_COLUMNS = ("revenue", "yearly_spend", "spend", "monetary", "total_spend")

_PURPOSE_NOUN = {
    "resale": "resellers",
    "own_production": "producers",
    "personal_use": "own-use buyers",
}
_FREQ_COLS = ("orders_per_year", "frequency", "n_orders", "orders")
_TICKET_COLS = ("avg_order_value", "order_value", "aov", "average_order_value")
LIFT_TO_NAME = 1.25  # a category names a segment when over-represented at least this much


def _kinds_default(customers: pd.DataFrame) -> dict[str, str]:
    from ._encode import DEFAULT_ATTRIBUTES

    return {c: k for c, k in DEFAULT_ATTRIBUTES.items() if c in customers.columns}


def _revenue(customers: pd.DataFrame, revenue: str | None) -> pd.Series | None:
    if revenue is not None:
        if revenue not in customers.columns:
            from ..errors import SchemaError

            raise SchemaError(
                f"no revenue column {revenue!r} (columns: {', '.join(map(str, customers.columns))})",
                path=frame_path(customers),
                column=revenue,
                hint="name a column with each customer's yearly revenue, or leave revenue=None",
            )
        return customers[revenue].astype(float)
    if {"orders_per_year", "avg_order_value"} <= set(customers.columns):
        return customers["orders_per_year"].astype(float) * customers["avg_order_value"].astype(float)
    for c in REVENUE_COLUMNS:
        if c in customers.columns:
            return customers[c].astype(float)
    return None


@dataclass(repr=False)
class SegmentProfiles(Result):
    """Profiles of the segments.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per segment: ``segment, name, customers, share_customers,
        share_revenue`` (when a revenue can be computed), then per categorical or
        ordinal attribute ``<attr>`` (the dominant category), ``<attr>_share`` and
        ``<attr>_lift`` (its share in the segment over its share in the whole base),
        and per numeric attribute ``<attr>_median``.
    long : pandas.DataFrame
        Tidy: ``segment, name, attribute, category, share, base_share, lift`` for every
        category of every categorical attribute, and ``segment, name, attribute,
        category="median", share=<median>, base_share=<base median>, lift=<ratio>`` for
        numeric ones.
    """

    table: pd.DataFrame
    long: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The one-row-per-segment table."""
        return self.table.copy()

    def summary(self) -> str:
        """The profile table as text (shares in percent)."""
        t = self.table.copy()
        for c in t.columns:
            if c.endswith("share") or c.startswith("share_") or c.endswith("_share"):
                t[c] = (100 * t[c]).round(0).astype("Int64").astype(str) + "%"
            elif c.endswith("_lift"):
                t[c] = t[c].round(2)
            elif c.endswith("_median"):
                t[c] = t[c].round(1)
        return t.to_string(index=False)

    def _facts(self) -> dict[str, object]:
        return {"segments": len(self.table), "customers": int(self.table["customers"].sum()),
                "names": [str(v) for v in self.table["name"]]}

    def plot(self, value: str = "lift"):
        """Heatmap of every category's ``lift`` (or ``share``) per segment; returns the Figure."""
        import matplotlib.pyplot as plt

        cat = self.long[self.long["category"] != "median"]
        piv = cat.assign(row=cat["attribute"] + "=" + cat["category"].astype(str)).pivot_table(
            index="row", columns="segment", values=value, sort=False
        )
        fig, ax = plt.subplots(figsize=(1.2 * piv.shape[1] + 3, 0.28 * piv.shape[0] + 1.5))
        data = np.log2(piv.to_numpy().clip(1 / 8, 8)) if value == "lift" else piv.to_numpy()
        im = ax.imshow(data, aspect="auto", cmap="RdBu_r" if value == "lift" else "Blues",
                       vmin=-3 if value == "lift" else 0, vmax=3 if value == "lift" else 1)
        ax.set_yticks(range(piv.shape[0]), piv.index, fontsize=7)
        names = self.table.set_index("segment")["name"]
        ax.set_xticks(range(piv.shape[1]),
                      [f"{s}: {names.get(s, '')}" for s in piv.columns],
                      rotation=30, ha="right", fontsize=7)
        for i in range(piv.shape[0]):
            for j in range(piv.shape[1]):
                v = piv.iat[i, j]
                ax.text(j, i, f"{v:.1f}" if value == "lift" else f"{v:.0%}",
                        ha="center", va="center", fontsize=6)
        cb = fig.colorbar(im, ax=ax)
        cb.set_label("log2 lift vs whole base" if value == "lift" else "share in segment")
        ax.set_title("segment profiles")
        fig.tight_layout()
        return fig

    def plot_bars(self):
        """Bars per attribute: category shares per segment (stacked), numeric medians; Figure."""
        import matplotlib.pyplot as plt

        attrs = list(dict.fromkeys(self.long["attribute"]))
        ncol = min(3, len(attrs))
        nrow = int(np.ceil(len(attrs) / ncol))
        fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3 * nrow), squeeze=False)
        for ax, attr in zip(axes.ravel(), attrs, strict=False):
            d = self.long[self.long["attribute"] == attr]
            if (d["category"] == "median").all():
                ax.bar(d["segment"].astype(str), d["share"], color="C0")
                ax.axhline(d["base_share"].iloc[0], color="grey", ls=":", lw=1)
                ax.set_ylabel("median")
            else:
                piv = d.pivot_table(index="segment", columns="category", values="share", sort=False)
                bottom = np.zeros(len(piv))
                for j, c in enumerate(piv.columns):
                    ax.bar(piv.index.astype(str), piv[c], bottom=bottom, label=str(c),
                           color=f"C{j % 10}")
                    bottom += piv[c].to_numpy()
                ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1, 1))
                ax.set_ylabel("share")
            ax.set_title(attr, fontsize=9)
            ax.set_xlabel("segment")
        for ax in axes.ravel()[len(attrs):]:
            ax.set_visible(False)
        fig.tight_layout()
        return fig


def _name_segment(long: pd.DataFrame, seg: int, kinds: Mapping[str, str]) -> str:
    d = long[long["segment"] == seg].set_index(["attribute", "category"])

    def top(attr: str, need_lift: bool = True) -> str | None:
        if attr not in kinds or kinds[attr] not in ("categorical", "ordinal"):
            return None
        sub = d.loc[attr]
        best = sub[sub["share"] >= 0.3]
        if need_lift:
            best = best[best["lift"] >= LIFT_TO_NAME]
        if not len(best):
            return None
        return str(best["share"].idxmax())

    words: list[str] = []
    size = top("size")
    if size is not None:
        words.append(size)
    ind = top("industry")
    if ind is not None:
        words.append(ind.replace("_", " "))
    purpose = top("purpose", need_lift=False)
    noun = _PURPOSE_NOUN.get(purpose, "customers") if purpose else "customers"
    words.append(noun)
    others = [a for a, k in kinds.items() if k in ("categorical", "ordinal")
              and a not in ("size", "industry", "purpose")]
    for a in others:
        v = top(a)
        if v is not None and d.loc[(a, v), "lift"] >= 1.5:
            words.append(f"in {v}")
    traits: list[str] = []
    for a, k in kinds.items():
        if k not in ("log", "numeric") or (a, "median") not in d.index:
            continue
        lift = d.loc[(a, "median"), "lift"]
        if not np.isfinite(lift):
            continue
        if a in _FREQ_COLS:
            hi, lo = "frequent", "occasional"
        elif a in _TICKET_COLS:
            hi, lo = "high ticket", "low ticket"
        else:
            hi, lo = f"high {a.replace('_', ' ')}", f"low {a.replace('_', ' ')}"
        if lift >= 1.5:
            traits.append(hi)
        elif lift <= 1 / 1.5:
            traits.append(lo)
    name = " ".join(words)
    name = name[:1].upper() + name[1:]
    return ", ".join([name, *traits])


@validate_params({
    "customers": [pd.DataFrame, DASK_FRAME],
    "labels": ["array-like"],
    "attributes": [Mapping, None],
    "revenue": [str, None],
    "scheduler": SCHEDULER,
})
def segment_profiles(
    customers: pd.DataFrame,
    labels: np.ndarray | pd.Series,
    *,
    attributes: Mapping[str, str] | None = None,
    revenue: str | None = None,
    scheduler=None,
) -> SegmentProfiles:
    """Describe each segment: size, share of customers and revenue, dominant traits, a name.

    Parameters
    ----------
    customers : pandas.DataFrame
        The customers (one row each).
    labels : array-like of int
        Segment of each customer (0..k-1).
    attributes : dict, optional
        Column -> kind as in :class:`CustomerEncoder` (default: the contract columns
        present). ``size`` is derived from ``employees`` when absent.
    revenue : str, optional
        Column holding each customer's yearly revenue; by default
        ``orders_per_year * avg_order_value`` or one of :data:`REVENUE_COLUMNS`.
    scheduler : str or distributed.Client, optional
        With ``customers`` a Dask DataFrame (and ``labels`` a Dask Series partitioned
        like it, e.g. ``predict_segments(...)["segment"]``): the cluster that computes
        the statistics per partition (``docs/scale-out.md``).

    Returns
    -------
    SegmentProfiles

    Notes
    -----
    The name is built from the most common over-represented traits (lift >= 1.25 and
    share >= 30%): size class, industry, purpose (as a noun: resellers, producers, own-use
    buyers), other categorical attributes with lift >= 1.5 ("in germany"), and each
    numeric attribute whose median is at least 1.5 times (or at most 1/1.5 of) the
    base median ("frequent"/"occasional", "high ticket"/"low ticket").

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "size": ["large", "large", "micro", "micro"],
    ...     "industry": ["automotive", "automotive", "retail", "retail"],
    ...     "orders_per_year": [20.0, 30.0, 2.0, 3.0],
    ...     "avg_order_value": [9000.0, 11000.0, 100.0, 100.0],
    ...     "purpose": ["own_production"] * 2 + ["resale"] * 2})
    >>> p = segment_profiles(df, [0, 0, 1, 1])
    >>> p.table["name"].tolist()
    ['Large automotive producers, frequent, high ticket', 'Micro retail resellers, occasional, low ticket']
    >>> p.table["share_revenue"].round(4).tolist()
    [0.999, 0.001]
    """

    if is_dask_frame(customers):  # engine hook: counts, sums, exact medians per partition on the workers
        from ..cluster._profile import dask_profiles

        return dask_profiles(customers, labels, attributes=attributes, revenue=revenue, scheduler=scheduler,
                             local={"kinds": _kinds_default, "revenue": _revenue, "assemble": assemble_profiles})
    labels = np.asarray(labels)
    if len(labels) != len(customers):
        raise DataError(f"{len(labels)} labels for {len(customers)} customers", path=frame_path(customers),
                        column="labels",
                        hint="give one label per customer row")
    kinds = dict(attributes) if attributes is not None else _kinds_default(customers)
    if attributes is None and "size" not in customers.columns and "employees" in customers.columns:
        kinds = {"size": "ordinal", **kinds}
    df = customers.reset_index(drop=True)
    if "size" in kinds and "size" not in df.columns and "employees" in df.columns:
        from ..io._synthetic import size_from_employees

        df = df.assign(size=size_from_employees(df["employees"].fillna(0)))
    segs = np.unique(labels)
    rev = _revenue(df, revenue)
    counts = pd.Series(labels).value_counts().reindex(segs).to_numpy()
    revenue_by = revenue_total = None
    if rev is not None:
        revenue_total = rev.sum()
        revenue_by = rev.groupby(labels).sum().reindex(segs).to_numpy()
    categories, medians = {}, {}
    for attr, kind in kinds.items():
        col = df[attr]
        if kind in ("categorical", "ordinal"):
            codes, uniq = pd.factorize(col, use_na_sentinel=True)
            uniq = [str(u) for u in uniq]
            ok = codes >= 0
            seg_pos = np.searchsorted(segs, labels)
            cnt = np.zeros((len(segs), len(uniq)))
            np.add.at(cnt, (seg_pos[ok], codes[ok]), 1)
            categories[attr] = pd.DataFrame(cnt, index=segs, columns=uniq).T.groupby(level=0).sum().T
        else:
            vals = col.astype(float)
            medians[attr] = (vals.groupby(labels).median().reindex(segs), float(vals.median()))
    return assemble_profiles(segs, counts, len(df), revenue_by, revenue_total, kinds, categories, medians)


def assemble_profiles(segs: np.ndarray, counts: np.ndarray, n: int, revenue_by: np.ndarray | None,
                      revenue_total: float | None, kinds: Mapping[str, str], categories: Mapping[str, pd.DataFrame],
                      medians: Mapping[str, tuple[pd.Series, float]]) -> SegmentProfiles:
    """The profile tables from per-segment statistics (the one copy of the arithmetic).

    ``counts`` customers per segment (in the order of ``segs``), ``revenue_by`` /
    ``revenue_total`` the revenue per segment and in all (None without revenue),
    ``categories[attr]`` the customers per segment (rows) and category (columns, sorted),
    ``medians[attr]`` the median per segment and over all customers. The local function
    computes them from the frame; the Dask engine from sums per partition
    (``demandlab/cluster/_profile.py``), so both give the same tables.
    """
    from ._encode import SIZE_ORDER

    table = pd.DataFrame({"segment": segs})
    table["customers"] = counts
    table["share_customers"] = counts / n
    if revenue_by is not None:
        table["share_revenue"] = revenue_by / revenue_total if revenue_total > 0 else np.nan
    long_rows = []
    for attr, kind in kinds.items():
        if kind in ("categorical", "ordinal"):
            ct = categories[attr]
            base = ct.sum(axis=0) / ct.to_numpy().sum()
            base = base.sort_values(ascending=False, kind="stable")
            if kind == "ordinal" and attr == "size":
                order = [c for c in SIZE_ORDER if c in base.index]
                base = base.reindex(order + [c for c in base.index if c not in order])
            ct = ct.div(ct.sum(axis=1), axis=0).reindex(columns=base.index, fill_value=0)
            for s in segs:
                for c in base.index:
                    share = float(ct.at[s, c])
                    long_rows.append({"segment": s, "attribute": attr, "category": c, "share": share,
                                      "base_share": float(base[c]), "lift": share / float(base[c])})
            top = ct.idxmax(axis=1)
            table[attr] = top.reindex(segs).to_numpy()
            table[f"{attr}_share"] = [float(ct.at[s, top[s]]) for s in segs]
            table[f"{attr}_lift"] = [float(ct.at[s, top[s]] / base[top[s]]) for s in segs]
        else:
            med, bmed = medians[attr]
            table[f"{attr}_median"] = med.to_numpy()
            for s in segs:
                long_rows.append({"segment": s, "attribute": attr, "category": "median",
                                  "share": float(med[s]), "base_share": bmed,
                                  "lift": float(med[s] / bmed) if bmed > 0 else np.nan})
    long = pd.DataFrame(long_rows, columns=["segment", "attribute", "category", "share",
                                            "base_share", "lift"])
    names = [_name_segment(long, s, kinds) for s in segs]
    seen: dict[str, int] = {}
    for i, nm in enumerate(names):  # keep names unique
        if nm in seen:
            seen[nm] += 1
            names[i] = f"{nm} ({seen[nm]})"
        else:
            seen[nm] = 1
    table.insert(1, "name", names)
    long.insert(1, "name", long["segment"].map(dict(zip(segs, names, strict=True))))
    return SegmentProfiles(table, long)
