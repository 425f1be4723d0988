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
                charts.sample_histogram([], draws=0), charts.temperature_chart([], None), charts.compare_chart([]),
                charts.surprisal_chart({}), charts.attention_heatmap([], []), charts.attention_lines([], []),
                charts.logit_lens_chart([], []), charts.beam_tree_chart([])):
        assert isinstance(fig, go.Figure)
        assert len(fig.data) == 0 and fig.layout.annotations


def test_length_histogram_marks_the_block_size():
    fig = charts.length_histogram([3, 5, 5, 200], unit="line", block_size=128)
    assert list(fig.data[0].x) == [3, 5, 5, 200]
    assert fig.layout.shapes[0].x0 == 128
    assert "4 lines" in fig.layout.title.text


STAGES = [
    {"name": "raw", "active": True, "kept": 50257, "probs": [0.5, 0.3, 0.02], "entropy": 2.0, "kept_mass": 1.0},
    {"name": "temperature", "active": False, "kept": 50257, "probs": [0.5, 0.3, 0.02], "entropy": 2.0},
    {"name": "top_k", "active": True, "kept": 2, "probs": [0.625, 0.375, 0.0], "entropy": 0.66, "kept_mass": 0.8},
    {"name": "final", "active": True, "kept": 2, "probs": [0.625, 0.375, 0.0], "entropy": 0.66, "kept_mass": 1.0},
]


def bars(fig: go.Figure) -> list[go.Bar]:
    return [t for t in fig.data if isinstance(t, go.Bar) and t.x is not None and t.x[0] is not None]


def test_stage_chart_puts_every_stage_on_one_scale_and_keeps_cut_tokens_visible():
    fig = charts.stage_chart([" the", " a", "\n"], STAGES)
    raw, top_k, final = bars(fig)  # the inactive temperature stage is not drawn
    assert list(top_k.y) == ["␣the", "␣a", "↵"]
    assert list(top_k.x) == [0.625, 0.375, 0.02]  # the cut token stays, at the probability it had when cut
    assert top_k.marker.color[2] == charts.CUT and top_k.marker.color[0] == charts.KEPT
    assert top_k.marker.pattern.shape[2] == "/" and top_k.marker.pattern.shape[0] == ""  # pale and hatched
    assert top_k.text[2] == "cut" and list(final.x) == [0.625, 0.375, 0.02]
    ranges = {tuple(fig.layout[k].range) for k in ("xaxis", "xaxis2", "xaxis3")}
    assert len(ranges) == 1 and ranges.pop()[1] >= 0.625  # one shared probability scale
    assert len(charts.stage_chart([" the", " a", "\n"], STAGES, only_active=False).data) > len(fig.data)


def test_stage_chart_shows_renormalisation_entropy_and_effective_choices():
    fig = charts.stage_chart([" the", " a", "\n"], STAGES)
    titles = [a.text for a in fig.layout.annotations]
    assert "2 kept · ×1.25" in titles[1]  # top-k kept 80 % of the mass: survivors × 1/0.8
    assert "2.00 nats ≈ 7.4 choices" in titles[0] and "0.66 nats ≈ 1.9 choices" in titles[1]
    ticks = [t for t in fig.data if isinstance(t, go.Scatter) and t.x is not None and t.x[0] is not None]
    assert list(ticks[0].x) == [0.5, 0.3]  # top-k's survivors before renormalisation: bars grow past the ticks
    assert charts.choices_text(math.log(250)) == "5.52 nats ≈ 250 choices"


def test_percent_stays_readable_when_tiny():
    assert [charts.percent(p) for p in (0.51, 0.042, 0.00013, 2e-5, 0.0)] == ["51%", "4.2%", "0.013%", "0.0020%", "0%"]


def test_unique_labels_keep_duplicate_tokens_apart():
    assert charts.unique_labels(["a", "a", " a", ""]) == ["a", "a (2)", "␣a", "∅"]


def test_sample_histogram_puts_counts_beside_expected_and_other_tokens():
    counts = [{"token": "x", "count": 60, "expected": 55.0}, {"token": "y", "count": 30, "expected": 35.0}]
    fig = charts.sample_histogram(counts, draws=100, other_count=10, other_expected=10.0, other_tokens=4)
    t = traces(fig)
    assert list(t["sampled"].y) == [60, 30, 10]
    assert list(t["expected (draws × p)"].y) == [55.0, 35.0, 10.0]
    assert list(t["sampled"].x)[-1] == "(other tokens)" and t["sampled"].marker.color[-1] == charts.GREY
    assert "100 draws" in fig.layout.title.text and "10 draws on 4 other tokens" in fig.layout.title.text


def test_sample_histogram_tells_a_flat_tail_in_words_instead_of_a_giant_bar():
    counts = [{"token": "x", "count": 300, "expected": 290.0}, {"token": "y", "count": 100, "expected": 110.0}]
    fig = charts.sample_histogram(counts, draws=1000, other_count=600, other_expected=600.0, other_tokens=350)
    assert list(traces(fig)["sampled"].x) == ["x", "y"]
    assert "40% of the draws" in fig.layout.title.text and "600 draws on 350 other tokens" in fig.layout.title.text


def test_temperature_chart_draws_the_same_bars_on_a_fixed_axis():
    sweep = {"temperature": 0.5, "entropy": 0.4, "probs": [0.9, 0.08]}
    refs = [{"temperature": 1.5, "entropy": 2.0, "probs": [0.4, 0.35]}, {"temperature": 1.0, "entropy": 1.0, "probs": [0.6, 0.3]}]
    fig = charts.temperature_chart(["a", "b"], sweep, refs)
    assert list(fig.data[0].x) == ["a", "b", "(all other tokens)"]
    assert list(fig.data[0].y) == pytest.approx([0.9, 0.08, 0.02])  # the tail is a bar too
    assert [t.name.split()[2] for t in fig.data[1:]] == ["1", "1.5"]
    assert tuple(fig.layout.yaxis.range) == (0, 1.08)
    assert "0.40 nats" in fig.layout.title.text and "0.5" in fig.layout.title.text
    assert "greedy" in charts.temperature_chart(["a"], {"temperature": 0, "entropy": 0.0, "probs": [1.0]}).layout.title.text


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


def test_attention_heatmap_and_lines():
    tokens = ["The", " king", " is"]
    w = [[1.0, 0.0, 0.0], [0.7, 0.3, 0.0], [0.5, 0.01, 0.49]]
    heat = charts.attention_heatmap(tokens, w)
    assert list(heat.data[0].y) == ["The", "␣king", "␣is"] and heat.data[0].z[2][2] == 0.49
    assert heat.layout.yaxis.autorange == "reversed"
    lines = charts.attention_lines(tokens, w)
    segments = [(x, y) for t in lines.data if t.mode == "lines" for x, y in zip(t.x, t.y) if x is not None]
    assert len(segments) == 2 * 5  # five weights of at least 2 %; the 1 % one is left out
    focused = charts.attention_lines(tokens, w, focus=2)
    assert sum(1 for t in focused.data if t.mode == "lines" for x in t.x if x == 0) == 2
    assert "␣is  49%" in list(focused.data[-1].text)


def test_logit_lens_chart_is_a_layer_by_position_grid():
    tokens = ["To", " be"]
    rows = [[{"top": [(" the", 0.1)], "next_prob": 0.01}, {"top": [(",", 0.2)], "next_prob": None}],
            [{"top": [(" be", 0.6)], "next_prob": 0.6}, {"top": [(",", 0.5)], "next_prob": None}]]
    fig = charts.logit_lens_chart(tokens, rows)
    assert list(fig.data[0].y) == ["embeddings", "after block 1"]
    assert fig.data[0].z[1] == (0.6, 0.5) or list(fig.data[0].z[1]) == [0.6, 0.5]
    assert fig.data[0].text[1][0] == "␣be" and "real next token ␣be: 60.0%" in fig.data[0].customdata[1][0]


def test_beam_tree_chart_marks_the_final_paths():
    nodes = [
        {"id": 0, "parent": None, "step": 0, "token": "Hi", "logprob": 0.0, "cum_logprob": 0.0, "status": "root", "reason": ""},
        {"id": 1, "parent": 0, "step": 1, "token": " a", "logprob": -0.5, "cum_logprob": -0.5, "status": "running", "reason": "kept"},
        {"id": 2, "parent": 0, "step": 1, "token": " b", "logprob": -2.0, "cum_logprob": -2.0, "status": "pruned", "reason": "ranked 2"},
        {"id": 3, "parent": 1, "step": 2, "token": " c", "logprob": -0.1, "cum_logprob": -0.6, "status": "final", "reason": "final 1"},
    ]
    fig = beam = charts.beam_tree_chart(nodes)
    t = traces(beam)
    assert list(t["final beam (what generate returns)"].x) == [2]
    assert t["pruned"].customdata[0][3] == "ranked 2"
    thick = [tr for tr in fig.data if tr.mode == "lines" and tr.line.width == 3][0]
    assert [x for x in thick.x if x is not None] == [0, 1, 1, 2]  # prompt → a → c


def test_charts_do_not_import_torch():
    import subprocess
    import sys

    code = "import sys, playground.charts; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_a_long_text_is_charted_in_windows_and_the_title_says_how_many_tokens():
    pairs = [(f" t{i}", float(i % 7)) for i in range(1000)]
    pairs[123] = (" Gloucester", 9.5)
    fig = charts.surprisal_chart({"demo": pairs}, max_points=100)
    bar = fig.data[0]
    assert len(bar.x) == 100 and list(bar.x[:3]) == [0, 10, 20]  # 1 000 tokens, windows of 10
    assert bar.y[0] == pytest.approx(sum(i % 7 for i in range(10)) / 10)  # each window's mean
    assert "tokens 120–129" in bar.customdata[12] and "␣Gloucester (9.50 nats)" in bar.customdata[12]
    assert "1,000 tokens: the mean of 100 windows of 10" in fig.layout.title.text and fig.layout.xaxis.rangeslider.visible
    short = charts.surprisal_chart({"demo": pairs[:30]})
    assert len(short.data[0].x) == 30 and "all 30 tokens" in short.layout.title.text
    assert charts.surprisal_window(400) == 1 and charts.surprisal_window(401) == 2


def test_long_titles_wrap_so_a_phone_shows_them_whole():
    assert charts.wrap_title("Short title") == "Short title"
    long = "Next-token distribution, knob by knob — one probability scale for every stage"
    assert charts.wrap_title(long) == "Next-token distribution, knob by knob<br><sub>one probability scale for every stage</sub>"
    fig = charts.stage_chart([" the", " a", "\n"], STAGES)
    assert "<br><sub>" in fig.layout.title.text and fig.layout.margin.t >= 76
    assert charts.wrap_title("10,000 draws from the final distribution (seed 0)<br><sub>most</sub>") == (
        "10,000 draws from the final distribution<br><sub>(seed 0)</sub><br><sub>most</sub>")


PER_CHAR = [
    {"step": 0, "val_loss": 7.0, "val_nats_per_char": 3.0, "val_bits_per_char": 3.0 / math.log(2)},
    {"step": 5, "train_loss": 6.0},
    {"step": 10, "val_loss": 5.0, "val_nats_per_char": 2.1, "val_bits_per_char": 2.1 / math.log(2)},
]


def test_loss_chart_per_character_draws_the_val_loss_that_compares_across_tokenizers():
    fig = charts.loss_chart(PER_CHAR, per_char=True)
    (val,) = fig.data
    assert list(val.x) == [0, 10] and list(val.y) == [3.0, 2.1]
    assert [row[0] for row in val.customdata] == pytest.approx([3.0 / math.log(2), 2.1 / math.log(2)])  # bits too
    assert "character" in fig.layout.yaxis.title.text
    assert not charts.loss_chart(RECORDS, per_char=True).data  # records from before the metric: a hint, no curve


def test_runs_chart_y_axis_per_character_leaves_out_train_loss_and_older_runs():
    runs = [{"name": "bpe", "records": PER_CHAR}, {"name": "old", "records": RECORDS}]
    by_token = charts.runs_chart(runs, y="loss")
    assert {t.name for t in by_token.data if t.name} == {"bpe · train", "bpe · val", "old · train", "old · val"}
    for y, key in (("nats_per_char", "val_nats_per_char"), ("bits_per_char", "val_bits_per_char")):
        fig = charts.runs_chart(runs, y=y)
        assert [t.name for t in fig.data] == ["bpe · val"]
        assert list(fig.data[0].y) == [r[key] for r in PER_CHAR if key in r]
        assert fig.layout.yaxis.title.text == charts.RUN_Y_AXES[y][2]
    old_only = charts.runs_chart(runs[1:], y="nats_per_char")
    assert not old_only.data and "before" in old_only.layout.annotations[0].text


def test_the_labs_figures_are_built_once_for_the_same_data():
    """A class asks for the same distribution at once: one figure, shared (read-only), not thirty."""
    stages = [{"name": "raw", "active": True, "kept": 2, "probs": [0.625, 0.375], "entropy": 0.66, "kept_mass": 1.0}]
    first = charts.stage_chart(["to", "be"], stages)
    assert charts.stage_chart(["to", "be"], [dict(s) for s in stages]) is first  # equal data, new lists
    assert charts.stage_chart(["to", "me"], stages) is not first
    counts = [{"token": "to", "count": 6, "expected": 6.25}]
    assert charts.sample_histogram(counts, draws=10) is charts.sample_histogram(list(counts), draws=10)
    assert charts.sample_histogram(counts, draws=10) is not charts.sample_histogram(counts, draws=11)
