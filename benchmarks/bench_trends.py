"""Benchmark: import a folder of 1,000 Google Trends exports.

Target: ``read_trends_csv(folder)`` under 5 s on 2 cores. Peer: what a user would
write by hand, ``pandas.read_csv(skiprows=2)`` per file, then ``melt`` and a concat.

The files are generated in a temporary folder, seeded: each is a real-looking export
(a localised category line, a blank line, a localised header with 1 to 5
``<term>: (<region>)`` columns; weekly 5-year exports of 261 rows or monthly
exports of 75 to 254 rows; integers 0..100 scaled to a maximum of 100 per file, a few
``<1`` cells).

Run: ``python benchmarks/run.py trends`` (or ``make bench-trends``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demandlab.trends import read_trends_csv

N_FILES = 1000
REPEATS = 3

LOCALES = [
    ("Category: All categories", "Week", "Month", "Netherlands"),
    ("Categorie: Alle categorieën", "Week", "Maand", "Nederland"),
    ("Catégorie : Toutes catégories", "Semaine", "Mois", "Pays-Bas"),
    ("Kategorie: Alle Kategorien", "Woche", "Monat", "Deutschland"),
]
WORDS = ["dumbbell", "kettlebell", "yoga mat", "air fryer", "garden chair", "led strip",
         "phone case", "standing desk", "bike light", "rain jacket", "tent", "drone"]


def make_exports(folder: Path, n: int, seed: int = 0) -> int:
    """Write ``n`` exports into ``folder``; return the number of data cells."""
    rng = np.random.default_rng(seed)
    cells = 0
    for i in range(n):
        cat, week, month, geo = LOCALES[i % len(LOCALES)]
        k = int(rng.integers(1, 6))
        terms = [f"{WORDS[j]} {i}" for j in rng.choice(len(WORDS), size=k, replace=False)]
        if rng.random() < 0.5:
            dates = pd.date_range("2020-11-22", periods=261, freq="7D").strftime("%Y-%m-%d")
            label = week
        else:
            n_months = int(rng.integers(75, 255))
            dates = pd.date_range("2004-01-01", periods=n_months, freq="MS").strftime("%Y-%m")
            label = month
        t = np.arange(len(dates))
        levels = rng.lognormal(0, 1.5, size=k)
        season = 1 + 0.3 * np.sin(2 * np.pi * (t[:, None] / 52 + rng.random(k)))
        raw = levels * season * rng.uniform(0.8, 1.2, size=(len(dates), k))
        values = raw * 100 / raw.max()
        lines = [cat, "", ",".join([label, *[f"{w}: ({geo})" for w in terms]])]
        for d, row in zip(dates, values, strict=True):
            cells_row = ["<1" if 0 < v < 0.5 else str(int(round(v))) for v in row]
            lines.append(",".join([d, *cells_row]))
        (folder / f"multiTimeline_{i:04d}.csv").write_text("\n".join(lines) + "\n",
                                                           encoding="utf-8")
        cells += len(dates) * k
    return cells


def peer(folder: Path) -> pd.DataFrame:
    """The straightforward loop a user would write."""
    frames = []
    for f in sorted(folder.glob("*.csv")):
        d = pd.read_csv(f, skiprows=2, dtype=str)
        date_col = d.columns[0]
        long = d.melt(id_vars=date_col, var_name="column", value_name="interest")
        split = long["column"].str.rsplit(": (", n=1)
        long["keyword"] = split.str[0]
        long["geo"] = split.str[1].str.rstrip(")")
        long["below_one"] = long["interest"] == "<1"
        long["interest"] = pd.to_numeric(long["interest"].replace("<1", "0.5"))
        long["date"] = pd.to_datetime(long[date_col])
        long["source_file"] = f.name
        frames.append(long[["keyword", "geo", "date", "interest", "below_one", "source_file"]])
    return pd.concat(frames, ignore_index=True)


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> int:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"machine: {os.cpu_count()} cores; load average before: "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        cells = make_exports(folder, N_FILES)
        size = sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6
        print(f"generated {N_FILES} exports ({cells:,} values, {size:.1f} MB) "
              f"in {time.perf_counter() - t0:.1f} s")

        t_peer, ref = best_of(lambda: peer(folder))
        t_ours, ours = best_of(lambda: read_trends_csv(folder, today="2026-11-21"))
        t_par, par = best_of(lambda: read_trends_csv(folder, today="2026-11-21", n_jobs=2))

        assert len(ours) == len(ref) == cells, (len(ours), len(ref), cells)
        key = ["source_file", "keyword", "date"]
        a = ours.sort_values(key).reset_index(drop=True)
        b = ref.sort_values(key).reset_index(drop=True)
        assert (a["interest"].to_numpy() == b["interest"].to_numpy()).all()
        assert (a["below_one"].to_numpy() == b["below_one"].to_numpy()).all()
        assert par.equals(ours)

        print(f"{'':34s}{'seconds (best of 3)':>20s}{'peer / this':>14s}")
        print(f"{'peer: read_csv + melt per file':34s}{t_peer:20.3f}{1.0:14.2f}")
        print(f"{'demandlab read_trends_csv':34s}{t_ours:20.3f}{t_peer / t_ours:14.2f}")
        print(f"{'demandlab read_trends_csv n_jobs=2':34s}{t_par:20.3f}{t_peer / t_par:14.2f}")
        target = 5.0
        best = min(t_ours, t_par)
        print(f"target: {N_FILES} files under {target:.0f} s -> "
              f"{'met' if best < target else 'MISSED'} ({best:.3f} s)")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
