"""Small pieces every tab uses: HTML snippets (stat cards, progress bar, notes), token colouring, CSS."""

from __future__ import annotations

import html
import math

from gradio.i18n import I18nData

from playground.charts import show_token

# Probability bins for the coloured-token views (HighlightedText categories and their colours).
PROB_BINS = [(0.5, "p ≥ 50%", "#1a9850"), (0.2, "20–50%", "#91cf60"), (0.05, "5–20%", "#fee08b"),
             (0.01, "1–5%", "#fc8d59"), (0.0, "p < 1%", "#d73027")]
PROB_COLORS = {label: color for _, label, color in PROB_BINS}

# Surprisal bins (nats = −ln p): the same colours, read the other way round.
SURPRISAL_BINS = [(math.log(2), "< 0.7 nats", "#1a9850"), (math.log(5), "0.7–1.6", "#91cf60"),
                  (math.log(20), "1.6–3", "#fee08b"), (math.log(100), "3–4.6", "#fc8d59"),
                  (float("inf"), "> 4.6 nats", "#d73027")]
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
    chips = "".join(f'<span class="pg-chip" style="background:{c}">{esc(label)}</span>' for _, label, c in bins)
    return f'<div class="pg-legend"><b>{words(title)}</b> {chips}</div>'


CSS = """
.gradio-container { max-width: 1280px !important; margin: auto; }
#pg-header h1 { margin-bottom: 0; }
#pg-header p { margin-top: 4px; color: var(--body-text-color-subdued); }
.pg-note { padding: 8px 12px; border-radius: 8px; margin: 4px 0; font-size: 14px; }
.pg-info { background: #eef5fc; border: 1px solid #cfe2f6; color: #163a5c; }
.pg-ok { background: #edf8f1; border: 1px solid #c5e8d2; color: #14532d; }
.pg-warn { background: #fff7e6; border: 1px solid #f6dca6; color: #6b4500; }
.pg-error { background: #fdeeee; border: 1px solid #f3c4c4; color: #7a1212; }
.pg-icon { display: inline-block; width: 1.2em; text-align: center; }
.pg-cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0; }
.pg-card { flex: 1 1 120px; background: var(--block-background-fill); border: 1px solid var(--border-color-primary);
           border-radius: 10px; padding: 10px 14px; }
.pg-card-value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.pg-card-label { font-size: 12px; color: var(--body-text-color-subdued); text-transform: uppercase; letter-spacing: .04em; }
.pg-progress { margin: 4px 0 8px 0; }
.pg-progress-top { display: flex; justify-content: space-between; font-size: 14px; margin-bottom: 4px; }
.pg-bar { height: 12px; background: #e9edf2; border-radius: 6px; overflow: hidden; }
.pg-fill { height: 100%; background: linear-gradient(90deg, #0072B2, #56B4E9); transition: width .8s ease; }
.pg-done .pg-fill { background: #009E73; }
.pg-stopped .pg-fill { background: #E69F00; }
.pg-failed .pg-fill { background: #D55E00; }
.pg-legend { font-size: 13px; margin: 2px 0 6px 0; }
.pg-chip { display: inline-block; padding: 1px 8px; border-radius: 10px; margin: 0 2px; color: #222; font-size: 12px; }
.pg-mono textarea { font-family: ui-monospace, Menlo, Consolas, monospace !important; }
.pg-step textarea { font-size: 15px !important; }
.pg-primary { min-height: 44px; }
#generate-tokens .textfield, #eval-tokens .textfield { max-height: 340px; overflow-y: auto; }
"""
