"""Chart builders: plain data in, complete plotly figures out (no torch, no Gradio)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

from playground import charts

RECORDS = [
    {"step": 1, "train_loss": 10.0, "learning_rate": 1e-3},
    {"step": 2, "train_loss": 8.0},
    {"step": 3, "train_loss": 6.0},
    {"step": 3, "val_loss": 6.5, "val_perplexity": math.exp(6.5), "sample": "To be"},
    {"step": 4, "train_loss": 5.0},
    {"step": 4, "val_loss": 5.5},  # perplexity missing: computed from the loss
]


def traces(fig: go.Figure) -> dict[str, go.BaseTraceType]:
    return {t.name: t for t in fig.data if t.name}


def test_loss_chart_has_train_val_and_perplexity_on_a_second_axis():
    fig = charts.loss_chart(RECORDS)
    t = traces(fig)
    assert list(t["train loss"].x) == [1, 2, 3, 4]
    assert list(t["val loss"].y) == [6.5, 5.5]
    assert t["val perplexity"].yaxis == "y2"
    assert t["val perplexity"].y[1] == pytest.approx(math.exp(5.5))
    assert fig.layout.yaxis.type == "linear"


def test_loss_chart_log_scale_and_smoothing():
    fig = charts.loss_chart(RECORDS, log_scale=True, smoothing=0.6)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    t = traces(fig)
    smoothed = list(t["train loss"].y)
    assert smoothed[0] == pytest.approx(10.0)  # debiased: the first point is not pulled towards 0
    assert smoothed[-1] > 5.0  # lags behind the raw curve
    assert list(t["train loss (raw)"].y) == [10.0, 8.0, 6.0, 5.0]


def test_smooth_matches_hand_computed_ema():
    # avg = 0.5*0 + 0.5*1 = 0.5 -> /0.5 = 1; avg = 0.5*0.5 + 0.5*3 = 1.75 -> /0.75
    assert charts.smooth([1.0, 3.0], 0.5) == pytest.approx([1.0, 1.75 / 0.75])
    assert charts.smooth([2.0, 2.0, 2.0], 0.9) == pytest.approx([2.0, 2.0, 2.0])
    with pytest.raises(ValueError):
        charts.smooth([1.0], 1.0)


def test_empty_inputs_give_a_figure_with_a_hint():
    for fig in (charts.loss_chart([]), charts.length_histogram([]), charts.stage_chart([], []),
                charts.sample_histogram([], draws=0), charts.temperature_chart([]), charts.compare_chart([]),
                charts.surprisal_chart({})):
        assert isinstance(fig, go.Figure)
        assert len(fig.data) == 0 and fig.layout.annotations


def test_length_histogram_marks_the_block_size():
    fig = charts.length_histogram([3, 5, 5, 200], unit="line", block_size=128)
    assert list(fig.data[0].x) == [3, 5, 5, 200]
    assert fig.layout.shapes[0].x0 == 128
    assert "4 lines" in fig.layout.title.text


def test_stage_chart_shows_cut_tokens_at_their_raw_probability():
    tokens = [" the", " a", "\n"]
    stages = [
        {"name": "raw", "active": True, "kept": 50257, "probs": [0.5, 0.3, 0.2]},
        {"name": "temperature", "active": False, "kept": 50257, "probs": [0.5, 0.3, 0.2]},
        {"name": "top_k", "active": True, "kept": 2, "probs": [0.625, 0.375, 0.0]},
        {"name": "final", "active": True, "kept": 2, "probs": [0.625, 0.375, 0.0]},
    ]
    fig = charts.stage_chart(tokens, stages)
    bars = [t for t in fig.data if t.x is not None and t.x[0] is not None]
    assert len(bars) == 3  # the inactive temperature stage is not drawn
    top_k = bars[1]
    assert list(top_k.y) == ["␣the", "␣a", "↵"]
    assert list(top_k.x) == [0.625, 0.375, 0.2]  # the cut token drawn at its raw probability
    assert top_k.marker.color[2] == charts.CUT and top_k.marker.color[0] == charts.KEPT
    assert top_k.text[2] == "cut"
    assert "2 kept" in fig.layout.annotations[1].text
    assert len(charts.stage_chart(tokens, stages, only_active=False).data) == 4 + 2


def test_percent_stays_readable_when_tiny():
    assert [charts.percent(p) for p in (0.51, 0.042, 0.00013, 2e-5, 0.0)] == ["51%", "4.2%", "0.013%", "0.0020%", "0%"]


def test_unique_labels_keep_duplicate_tokens_apart():
    assert charts.unique_labels(["a", "a", " a", ""]) == ["a", "a (2)", "␣a", "∅"]


def test_sample_histogram_puts_counts_beside_expected_and_other_tokens():
    counts = [{"token": "x", "count": 60, "expected": 55.0}, {"token": "y", "count": 30, "expected": 35.0}]
    fig = charts.sample_histogram(counts, draws=100, other_count=10, other_expected=10.0)
    t = traces(fig)
    assert list(t["sampled"].y) == [60, 30, 10]
    assert list(t["expected (draws × p)"].y) == [55.0, 35.0, 10.0]
    assert list(t["sampled"].x)[-1] == "(other tokens)"
    assert "100 draws" in fig.layout.title.text


def test_temperature_chart_one_group_per_temperature_in_order():
    curves = [
        {"temperature": 1.5, "entropy": 2.0, "top": [("b", 0.4), ("a", 0.35)]},
        {"temperature": 0.3, "entropy": 0.1, "top": [("a", 0.9), ("b", 0.1)]},
        {"temperature": 1.0, "entropy": 1.0, "top": [("a", 0.6), ("b", 0.3)]},
    ]
    fig = charts.temperature_chart(curves)
    assert [t.name.split()[2] for t in fig.data] == ["0.3", "1", "1.5"]
    assert list(fig.data[0].x) == ["a", "b"]  # ordered by the T = 1 curve
    assert list(fig.data[2].y) == [0.35, 0.4]
    assert fig.layout.barmode == "group"


def test_compare_chart_has_diversity_and_perplexity_panels():
    rows = [
        {"name": "greedy", "perplexity": 2.0, "distinct_1": 0.3, "distinct_2": 0.4, "repeat_3gram_rate": 0.5},
        {"name": "top-p 0.9", "perplexity": 30.0, "distinct_1": 0.8, "distinct_2": 0.95, "repeat_3gram_rate": 0.0},
        {"name": "empty", "perplexity": None, "distinct_1": 0.0, "distinct_2": 0.0, "repeat_3gram_rate": 0.0},
    ]
    fig = charts.compare_chart(rows)
    t = traces(fig)
    assert list(t["distinct-1"].y) == [0.3, 0.8, 0.0]
    assert list(t["repeated 3-grams"].x) == ["greedy", "top-p 0.9", "empty"]
    assert t["perplexity"].xaxis == "x2" and list(t["perplexity"].text) == ["2.0", "30.0", "–"]


def test_surprisal_chart_bars_for_one_model_lines_for_two():
    pairs = [("To", 5.0), (" be", 1.0), ("\n", 0.5)]
    one = charts.surprisal_chart({"demo": pairs})
    assert isinstance(one.data[0], go.Bar) and list(one.data[0].y) == [5.0, 1.0, 0.5]
    assert list(one.layout.xaxis.ticktext) == ["To", "␣be", "↵"]
    two = charts.surprisal_chart({"before": pairs, "after": [(t, n / 2) for t, n in pairs]})
    assert [type(t) for t in two.data] == [go.Scatter, go.Scatter]
    assert [t.name for t in two.data] == ["before", "after"]
    assert two.layout.showlegend


def test_charts_do_not_import_torch():
    import subprocess
    import sys

    code = "import sys, playground.charts; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
