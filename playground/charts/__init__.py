"""Plotly figures for the app: pure functions from plain Python data (lists, dicts) to figures.

Nothing here imports torch or knows about Gradio; the UI passes what the engine returned, turned into
lists. Each builder returns a complete `go.Figure` with titles and hover text, so it can be tested
(tests/test_charts.py) and reused in a notebook.

The Decoding lab's three builders keep their recent figures (`_shared`): building one costs tens of
milliseconds of Python, a class asks for the same few at once, and a figure from the same data is the same
figure. Those figures are shared: read them, copy them (i18n.localize_figure does), never change them.

    loss_chart             train / val loss, val perplexity on a second axis (log scale, smoothing)
    runs_chart             several runs' curves overlaid (x: step, tokens, wall time or epoch)
    length_histogram       tokens per document or line of a corpus
    stage_chart            the next-token distribution after every decoding knob, kept vs cut
    sample_histogram       sampled token counts beside the expected counts
    temperature_chart      one distribution at a temperature on a fixed axis (a slider sweeps it)
    compare_chart          decoding strategies side by side: diversity and perplexity
    surprisal_chart        per-token surprisal of a text under one or two models
    attention_heatmap      one head's attention weights, query × key
    attention_lines        the same weights as lines between the tokens (BertViz-style)
    logit_lens_chart       layer × position: the top next token after every block
    beam_tree_chart        the hypotheses beam search weighed, kept, finished and pruned

One module per part of the app (base, training, lab, scoring, internals); import them from here.
"""

from playground.charts.base import (BLUE, CUT, FONT, GREEN, GREY, KEPT, ORANGE, PURPLE, SKY, VERMILION, percent,
                                    show_token, unique_labels, wrap_title)
from playground.charts.internals import (BEAM_STYLE, attention_heatmap, attention_lines, beam_tree_chart,
                                         logit_lens_chart)
from playground.charts.lab import STAGE_TITLES, choices_text, sample_histogram, stage_chart, temperature_chart
from playground.charts.scoring import MAX_SURPRISAL_POINTS, compare_chart, surprisal_chart, surprisal_window
from playground.charts.training import (RUN_COLORS, RUN_X_AXES, RUN_Y_AXES, length_histogram, loss_chart, runs_chart,
                                        smooth)

__all__ = [
    "BLUE", "CUT", "FONT", "GREEN", "GREY", "KEPT", "ORANGE", "PURPLE", "SKY", "VERMILION", "percent", "show_token",
    "unique_labels", "wrap_title", "BEAM_STYLE", "attention_heatmap", "attention_lines", "beam_tree_chart",
    "logit_lens_chart", "STAGE_TITLES", "choices_text", "sample_histogram", "stage_chart", "temperature_chart",
    "MAX_SURPRISAL_POINTS", "compare_chart", "surprisal_chart", "surprisal_window", "RUN_COLORS", "RUN_X_AXES",
    "RUN_Y_AXES", "length_histogram", "loss_chart", "runs_chart", "smooth",
]
