"""Tables, numbers and charts for the notebooks (demandlab.reporting._display, _charts)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from demandlab.errors import DataError
from demandlab.reporting import (
    fmt_money,
    fmt_number,
    fmt_percent,
    plot_forecast_grid,
    plot_order_calendar,
    plot_seasonality_heatmap,
    plot_shares,
    plot_small_multiples,
    plot_trends_grid,
    seasonality_table,
    show_table,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (77.58333, "77.6"),
        (7.758333e01, "77.6"),
        (1234567.8, "1,234,568"),
        (1234.4, "1,234"),
        (999.4, "999"),
        (123.456, "123"),
        (12.3456, "12.3"),
        (1.23456, "1.23"),
        (0.123456, "0.123"),
        (0.00123456, "0.00123"),
        (0.000001, "0.000001"),
        (1e-7, "< 0.000001"),
        (-1e-7, "> -0.000001"),
        (2.0, "2"),
        (1.5, "1.5"),
        (-0.5, "-0.5"),
        (0.0, "0"),
        (-0.0, "0"),
        (1e20, "100,000,000,000,000,000,000"),
        (np.float32(0.25), "0.25"),
        (np.int64(1234), "1,234"),
        (12, "12"),
        (float("nan"), "–"),
        (None, "–"),
        (pd.NA, "–"),
        (float("inf"), "∞"),
        (True, "yes"),
    ],
)
def test_fmt_number(value, text):
    assert fmt_number(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1234, "12.3 %"),
        (1, "100.0 %"),
        (0.0, "0.0 %"),
        (-0.05, "-5.0 %"),
        (0.00001, "< 0.1 %"),
        (12.5, "1,250.0 %"),
        (float("nan"), "–"),
    ],
)
def test_fmt_percent(value, text):
    assert fmt_percent(value) == text


def test_fmt_money():
    assert fmt_money(1234.56, "EUR") == "EUR 1,235"
    assert fmt_money(12.5) == "12.50"
    assert fmt_money(-0.001) == "0.00"
    assert fmt_money(None, "EUR") == "–"


def test_no_number_is_ever_scientific():
    rng = np.random.default_rng(0)
    values = np.concatenate([10.0 ** rng.uniform(-12, 22, 500), -(10.0 ** rng.uniform(-12, 22, 500))])
    for v in values:
        for text in (fmt_number(v), fmt_percent(v), fmt_money(v)):
            assert not re.search(r"\de[+-]?\d", text, re.I), (v, text)


# --------------------------------------------------------------------------- tables


def test_show_table_formats_and_drops_the_default_index():
    df = pd.DataFrame({
        "keyword": ["<script>x</script>", "b"],
        "mean": [7.758333e01, 1234567.8],
        "share": [0.1234, 1.0],
        "qty": [25.0, np.nan],  # float because of the NaN: whole units
        "spend": [12.5, 2500.0],
        "n": pd.array([3, 4000], dtype="int64"),
        "ok": [True, False],
        "month": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    })
    t = show_table(df, percent=["share"], money=["spend"], currency="EUR", caption="A & B")
    assert t.columns == ["keyword", "mean", "share", "qty", "spend (EUR)", "n", "ok", "month"]
    assert t.rows == [
        ["<script>x</script>", "77.6", "12.3 %", "25", "12.50", "3", "yes", "2024-01"],
        ["b", "1,234,568", "100.0 %", "–", "2,500", "4,000", "no", "2024-02"],
    ]
    html = t._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "A &amp; B" in html
    assert "overflow-x:auto" in html
    assert "<th" in html and html.count("<tr>") == 3  # a header row and two rows, no index
    assert not re.search(r"\de[+-]?\d", html)


def test_show_table_keeps_a_named_index_as_columns():
    wide = pd.DataFrame({"Jan": [1.25, 0.5]}, index=pd.Index(["a", "b"], name="unique_id"))
    t = show_table(wide)
    assert t.columns == ["unique_id", "Jan"] and t.rows == [["a", "1.25"], ["b", "0.5"]]
    # a filtered frame has a non-default index: it is dropped, not shown
    sub = pd.DataFrame({"x": [1.0, 2.5, 3.0]}).iloc[1:]
    assert show_table(sub).columns == ["x"]
    # a Series and a max_rows note
    t = show_table(pd.Series([0.5] * 5, name="v"), max_rows=2)
    assert t.rows == [["0.5"], ["0.5"]] and t.note == "First 2 of 5 rows."
    assert "First 2 of 5 rows." in str(t)


def test_show_table_integer_columns_and_timestamps_in_headers():
    df = pd.DataFrame({pd.Timestamp("2024-03-01"): [2.6], "units": [1234.4]})
    t = show_table(df, integer=["units"])
    assert t.columns == ["2024-03", "units"] and t.rows == [["2.6", "1,234"]]


def test_show_table_rejects_non_frames():
    with pytest.raises(TypeError, match="DataFrame"):
        show_table([1, 2])


# --------------------------------------------------------------------------- charts


def _trends(n_keywords: int = 5, months: int = 24) -> pd.DataFrame:
    dates = pd.date_range("2022-01-01", periods=months, freq="MS")
    return pd.concat([
        pd.DataFrame({"keyword": f"kw{i}", "date": dates, "interest": 50 + 10 * np.sin(np.arange(months) + i)})
        for i in range(n_keywords)
    ], ignore_index=True)


def test_small_multiples_one_panel_per_group_without_overlapping_dates():
    fig = plot_trends_grid(_trends(7), ncols=3)
    assert len(fig.axes) == 7  # 3 x 3 grid, the two spare panels removed
    assert [ax.get_title() for ax in fig.axes] == [f"kw{i}" for i in range(7)]
    import matplotlib.dates as mdates

    assert isinstance(fig.axes[0].xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        assert all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False)), ax.get_title()
    fig = plot_small_multiples(_trends(2), x="date", y="interest", by="keyword", groups=["kw1"])
    assert len(fig.axes) == 1


def test_forecast_grid_one_panel_per_line_with_the_band():
    hist = _trends(3).rename(columns={"keyword": "unique_id", "date": "ds", "interest": "y"})
    future = pd.date_range("2024-01-01", periods=6, freq="MS")
    fc = pd.concat([pd.DataFrame({"unique_id": f"kw{i}", "ds": future, "forecast": 50.0,
                                  "lo_80": 40.0, "hi_80": 60.0}) for i in range(3)])
    fig = plot_forecast_grid(hist, fc, ncols=2)
    assert len(fig.axes) == 3
    assert len(fig.axes[0].collections) == 1  # the 80 % band
    assert len(plot_forecast_grid(hist, fc, lines=["kw2"]).axes) == 1
    with pytest.raises(DataError, match="forecast"):
        plot_forecast_grid(hist, fc.drop(columns="forecast"))


def test_seasonality_table_by_hand_and_heatmap_axes():
    f = pd.DataFrame({"ds": pd.date_range("2023-01-01", periods=14, freq="MS"),
                      "y": [1.0, 3.0] * 7})
    t = seasonality_table(f)
    assert list(t.index) == [2023] and list(t.columns[:2]) == ["Jan", "Feb"]  # 2024: 2 months
    assert t.loc[2023, "Jan"] == 0.5 and t.loc[2023, "Feb"] == 1.5  # year mean 2
    raw = seasonality_table(pd.concat([f, f]), normalise=False)  # two series summed
    assert raw.loc[2023, "Feb"] == 6.0 and raw.loc[2024, "Feb"] == 6.0
    assert np.isnan(raw.loc[2024, "Mar"])
    part = seasonality_table(f.tail(5))  # no whole year: each part year over its own mean
    assert list(part.index) == [2023, 2024] and part.loc[2024, "Jan"] == 0.5
    fig = plot_seasonality_heatmap(f)
    assert len(fig.axes) == 2  # the heatmap and its colour bar


def test_order_calendar_one_bar_per_order():
    plan = pd.DataFrame({
        "unique_id": ["a", "a", "b", "c"],
        "order_date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01", "2025-01-01"]),
        "arrival_date": pd.to_datetime(["2025-04-01", "2025-06-01", "2025-05-01", "2025-04-01"]),
        "order_qty": [100.0, 50.0, 1200.0, 0.0],
    })
    fig = plot_order_calendar(plan)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.patches) == 3  # c orders nothing
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert sorted(t.get_text() for t in ax.texts) == ["1,200", "100", "50"]
    empty = plot_order_calendar(plan.assign(order_qty=0.0))
    assert len(empty.axes) == 1


def test_shares_on_a_percentage_axis():
    from matplotlib.ticker import PercentFormatter

    frame = pd.DataFrame({"stage": ["visit", "lead", "buy"], "rate": [1.0, 0.25, 0.05],
                          "lo": [1.0, 0.2, 0.03], "hi": [1.0, 0.3, 0.07]})
    fig = plot_shares(frame, label="stage", share="rate", lo="lo", hi="hi")
    assert len(fig.axes) == 1
    assert isinstance(fig.axes[0].xaxis.get_major_formatter(), PercentFormatter)
    assert [t.get_text() for t in fig.axes[0].texts] == ["100.0 %", "25.0 %", "5.0 %"]
    two = pd.DataFrame({"segment": ["x", "y"], "share_customers": [0.6, 0.4],
                        "share_revenue": [0.3, 0.7]})
    fig = plot_shares(two, label="segment", share=["share_customers", "share_revenue"])
    assert len(fig.axes) == 1 and len(fig.axes[0].patches) == 4


# --------------------------------------------------------------------------- sentences


def test_period_and_granularity():
    from demandlab.reporting import fmt_period, granularity

    months = pd.date_range("2019-01-01", "2025-03-01", freq="MS")
    assert fmt_period(months) == "2019-01 to 2025-03" and granularity(months) == "monthly"
    assert fmt_period(pd.to_datetime(["2024-03-01"])) == "2024-03"
    assert fmt_period([]) == "–"
    assert granularity(pd.date_range("2024-01-07", periods=10, freq="W")) == "weekly"
    assert granularity(pd.date_range("2024-01-01", periods=10, freq="D")) == "daily"
    assert granularity(pd.date_range("2020-01-01", periods=8, freq="QS")) == "quarterly"
    assert granularity(pd.date_range("2020-01-01", periods=4, freq="YS")) == "yearly"


@pytest.mark.parametrize(
    ("rho", "lo", "hi", "start"),
    [
        (0.9, 0.62, 1.0, "On this data search growth predicted next-year growth: strong"),
        (0.25, 0.16, 0.35, "On this data search growth predicted next-year growth: weak"),
        (0.45, 0.1, 0.7, "On this data search growth predicted next-year growth: moderate"),
        (0.1, -0.2, 0.35, "On this data search growth did not predict next-year growth"),
        (-0.7, -0.9, -0.4, "On this data search growth ran against next-year growth: strong"),
        (np.nan, np.nan, np.nan, "There was not enough data"),
    ],
)
def test_correlation_verdict_follows_the_interval(rho, lo, hi, start):
    from demandlab.reporting import correlation_verdict

    text = correlation_verdict(rho, lo, hi, predictor="search growth", target="next-year growth")
    assert text.startswith(start), text
    if np.isfinite(rho):
        assert f"Spearman {fmt_number(rho)}" in text


def test_best_of_names_the_winner_and_the_margin():
    from demandlab.reporting import best_of

    t = pd.DataFrame({"model": ["default combination", "seasonal_naive"], "mase": [2.78, 0.989]})
    # (2.78 - 0.989) / 2.78 = 64.4 %
    assert best_of(t, name="model", metric="mase", label="backtest MASE") == (
        "Lowest backtest MASE: seasonal_naive (0.989), 64.4 % below the next best, "
        "default combination (2.78)."
    )
    assert best_of(t, name="model", metric="mase", lower_is_better=False).startswith(
        "Highest mase: default combination (2.78), 181.1 % above")
    assert best_of(t.iloc[:1], name="model", metric="mase").endswith("(2.78).")
    assert best_of(t.assign(mase=np.nan), name="model", metric="mase") == "No mase could be computed."


def test_show_md_escapes_the_values_not_the_template():
    from demandlab.reporting import show_md

    md = show_md("## {kw}\n\n**{n}** rows", kw="<script>a*b_c</script>", n="1,234")
    assert md._repr_markdown_() == "## &lt;script&gt;a\\*b\\_c&lt;/script&gt;\n\n**1,234** rows"
    assert str(md) == "## <script>a*b_c</script>\n\n**1,234** rows"
