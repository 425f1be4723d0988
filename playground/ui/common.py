"""Small pieces every tab uses: HTML snippets (stat cards, progress bar, notes), token colouring. The CSS and
the page's scripts are files in playground/ui/static/ (playground.ui.page)."""

from __future__ import annotations

import html
import math

from gradio.i18n import I18nData

from playground.charts import show_token

# Probability bins for the coloured-token views (HighlightedText categories and their colours).
# HighlightedText paints each colour at 50 % opacity (and so does the legend, to match). The two unlikeliest
# bins differ in hue, not only in shade — orange, then purple — so 1–5 % and < 1 % stay apart on a projector
# and for red-green colour blindness (orange and red at half strength were two near-identical salmons);
# Generate also underlines p < 1 %.
PROB_BINS = [(0.5, "p ≥ 50%", "#1a9850"), (0.2, "20–50%", "#91cf60"), (0.05, "5–20%", "#fdd835"),
             (0.01, "1–5%", "#f97316"), (0.0, "p < 1%", "#9333ea")]
PROB_COLORS = {label: color for _, label, color in PROB_BINS}

# Surprisal bins (nats = −ln p): the same colours, read the other way round.
SURPRISAL_BINS = [(math.log(2), "< 0.7 nats", "#1a9850"), (math.log(5), "0.7–1.6", "#91cf60"),
                  (math.log(20), "1.6–3", "#fdd835"), (math.log(100), "3–4.6", "#f97316"),
                  (float("inf"), "> 4.6 nats", "#9333ea")]
SURPRISAL_COLORS = {label: color for _, label, color in SURPRISAL_BINS}


def prob_bin(p: float) -> str:
    return next(label for lo, label, _ in PROB_BINS if p >= lo)


def surprisal_bin(nats: float) -> str:
    return next(label for hi, label, _ in SURPRISAL_BINS if nats < hi)


def esc(text) -> str:
    return html.escape(str(text))


def words(text) -> str:
    """Text for HTML: escaped, or, for the I18nData of a string built into the page (playground.ui.i18n),
    gradio's marker, which the browser swaps for the page's language (one marker per HTML value)."""
    return str(text) if isinstance(text, I18nData) else esc(text)


def note(text, kind: str = "info") -> str:
    """An inline message box: kind is info, ok, warn or error."""
    icon = {"info": "ℹ", "ok": "✓", "warn": "⚠", "error": "✕"}[kind]  # text symbols: no emoji font needed
    return f'<div class="pg-note pg-{kind}"><b class="pg-icon">{icon}</b> {words(text)}</div>' if text else ""


def stat_cards(items: list[tuple[str, str]]) -> str:
    cards = "".join(f'<div class="pg-card"><div class="pg-card-value">{esc(v)}</div>'
                    f'<div class="pg-card-label">{esc(k)}</div></div>' for k, v in items)
    return f'<div class="pg-cards">{cards}</div>'


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "–"
    s = int(round(s))
    return f"{s // 60}:{s % 60:02d}" if s >= 60 else f"{s} s"


def progress_bar(progress: float, label, detail: str = "", state: str = "run") -> str:
    pct = max(0.0, min(1.0, progress)) * 100
    return (f'<div class="pg-progress pg-{state}"><div class="pg-progress-top"><span>{words(label)}</span>'
            f'<span>{esc(detail)}</span></div><div class="pg-bar"><div class="pg-fill" style="width:{pct:.1f}%"></div>'
            f'</div></div>')


def token_label(text: str) -> str:
    return show_token(text)


def legend(bins, title) -> str:
    # "80": the 50 % opacity HighlightedText gives the same colours, so a chip looks like its tokens.
    chips = "".join(f'<span class="pg-chip" style="background:{c}80">{esc(label)}</span>' for _, label, c in bins)
    return f'<div class="pg-legend"><b>{words(title)}</b> {chips}</div>'


# After Generate's tokens change: page.js attaches each token's tip to the spans HighlightedText drew.
TOKEN_TIPS_JS = "(tokens, raw) => window.pgTokenTips(tokens, raw)"

# The header's Presentation mode toggle (page.js scales the charts' text when the class changes).
PRESENT_JS = "(on) => { document.body.classList.toggle('pg-present', !!on); }"
