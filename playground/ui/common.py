"""Small pieces every tab uses: HTML snippets (stat cards, progress bar, notes), token colouring, CSS."""

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
.pg-hidden { display: none !important; }
/* A wide table scrolls inside its box instead of widening the page (Compare's seven columns on a phone): with
   margin: auto the container would size to its content, and its widest content is a table. */
.gradio-container { width: 100%; }
#generate-tokens .token-container[data-tip] .token { cursor: help; }
#generate-tokens .token-container.pg-rare .token { text-decoration: underline dotted 2px; text-underline-offset: 3px; }
#generate-tokens .token-container.pg-picked .token { outline: 3px solid #312e81; outline-offset: 1px; }
#pg-tip { position: fixed; z-index: 1000; display: none; pointer-events: none; max-width: min(420px, 92vw);
          background: #1f2937; color: #f9fafb; padding: 8px 12px; border-radius: 8px; white-space: pre-wrap;
          font: 13px/1.45 ui-monospace, Menlo, Consolas, monospace; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
/* Phones: plotly's toolbar would sit on the chart titles; pinch-zoom does its job there. */
@media (max-width: 640px) { .js-plotly-plot .modebar-container { display: none !important; } }
/* Presentation mode (the header's toggle, or ?present=1): large type for a projector, charts above the fold. */
body.pg-present { --body-text-size: 19px; --prose-text-size: 19px; --block-label-text-size: 16px; --block-info-text-size: 15px;
                  --block-title-text-size: 17px; --input-text-size: 19px; --button-large-text-size: 19px;
                  --button-medium-text-size: 17px; --button-small-text-size: 15px; --checkbox-label-text-size: 16px;
                  --section-header-text-size: 17px; --text-sm: 15px; --text-md: 17px; --text-lg: 19px; }
body.pg-present .gradio-container { max-width: 100% !important; }
body.pg-present #pg-header p, body.pg-present .pg-intro, body.pg-present #model-select .info-text { display: none; }
#share-note:not(:has(.pg-note)) { display: none; }
body.pg-present #pg-header h1 { font-size: 26px; }
body.pg-present .pg-note, body.pg-present .pg-legend { font-size: 17px; }
body.pg-present #generate-tokens .textfield, body.pg-present #eval-tokens .textfield { font-size: 20px; line-height: 1.7; }
body.pg-present .js-plotly-plot .modebar-container { display: none !important; }
"""

# Runs once when the page loads (launch(js=…)): the hover tip of Generate's tokens and the mark on the clicked one.
# Listeners sit on the document, so they outlive gradio re-drawing the tokens.
PAGE_JS = """
() => {
  const tip = document.createElement('div');
  tip.id = 'pg-tip';
  document.body.appendChild(tip);
  const tokenOf = (e) => e.target.closest ? e.target.closest('#generate-tokens .token-container[data-tip]') : null;
  let current = null;
  const place = () => {
    if (!current || !current.isConnected) { tip.style.display = 'none'; current = null; return; }
    const r = current.getBoundingClientRect();
    const x = Math.max(8, Math.min(r.left, window.innerWidth - tip.offsetWidth - 8));
    const below = r.bottom + 6, above = r.top - tip.offsetHeight - 6;
    tip.style.left = x + 'px';
    tip.style.top = (below + tip.offsetHeight > window.innerHeight - 8 && above > 0 ? above : below) + 'px';
  };
  const show = (e) => {
    current = tokenOf(e);
    if (!current) { tip.style.display = 'none'; return; }
    tip.textContent = current.dataset.tip;
    tip.style.display = 'block';
    place();
  };
  document.addEventListener('mouseover', show);
  document.addEventListener('focusin', show);
  document.addEventListener('scroll', place, true);  // the tip follows its token
  document.addEventListener('click', (e) => {
    const box = tokenOf(e);
    if (!box) return;
    document.querySelectorAll('#generate-tokens .pg-picked').forEach((b) => b.classList.remove('pg-picked'));
    document.querySelectorAll('#generate-tokens .token-container[data-entry="' + box.dataset.entry + '"]')
      .forEach((b) => b.classList.add('pg-picked'));
  }, true);

  // Presentation mode (body.pg-present) scales every plotly chart's text by CHART_SCALE: each font size
  // charts.py set in the layout (titles, axes, legend, annotations, hover labels) and in the traces (bar
  // labels), the page-wide default the others inherit, the margins that hold that text, and the height by as
  // much as the plotting area lost to them, so it keeps its size. Gradio draws every new figure into a new
  // element, so a chart is scaled when it appears (or when its tab is opened: a hidden chart measures its text
  // as 0 px), and all of them when the mode changes; scale 1 puts the figure's own sizes back.
  const CHART_SCALE = 1.3;
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const times = (size, k) => (Array.isArray(size) ? size.map((s) => s * k) : size * k);
  const fontSizes = (node, path, out) => {  // {'xaxis2.tickfont.size': 9, 'annotations[0].font.size': 12, …}
    Object.entries(node).forEach(([key, value]) => {
      const at = path ? path + '.' + key : key;
      if (key === 'template') return;  // the theme's defaults: reached through the page-wide font
      if (Array.isArray(value)) value.forEach((v, i) => { if (isObject(v)) fontSizes(v, at + '[' + i + ']', out); });
      else if (isObject(value)) {
        if (/font$/.test(key) && value.size !== undefined) out[at + '.size'] = value.size;
        fontSizes(value, at, out);
      }
    });
    return out;
  };
  const chartBase = (gd) => {  // the figure's own sizes, read before any scaling
    if (gd._pgBase && gd._pgBase.layout === gd.layout) return gd._pgBase;
    const full = gd._fullLayout, margin = gd.layout.margin || {}, fonts = fontSizes(gd.layout, '', {});
    fonts['font.size'] = fonts['font.size'] ?? full.font.size;
    const margins = Object.fromEntries(['l', 'r', 't', 'b'].map((side) => [side, margin[side] ?? full.margin[side]]));
    gd._pgBase = { layout: gd.layout, fonts, margins, height: gd.layout.height ?? full.height,
                   plotHeight: full._size.h, traces: gd.data.map((trace) => fontSizes(trace, '', {})), scale: 1 };
    return gd._pgBase;
  };
  const scaleChart = (gd) => {
    if (!window.Plotly || !gd._fullLayout || !gd.offsetParent) return;  // not drawn yet, or on a hidden tab
    const base = chartBase(gd), k = document.body.classList.contains('pg-present') ? CHART_SCALE : 1;
    if (base.scale === k) return;
    base.scale = k;
    base.traces.forEach((sizes, i) => {
      const update = Object.fromEntries(Object.entries(sizes).map(([at, size]) => [at, [times(size, k)]]));
      if (Object.keys(update).length) window.Plotly.restyle(gd, update, [i]);
    });
    const update = Object.fromEntries(Object.entries(base.fonts).map(([at, size]) => [at, times(size, k)]));
    Object.entries(base.margins).forEach(([side, px]) => { update['margin.' + side] = Math.round(px * k); });
    update.height = base.height;
    // Larger margins (and legends and tick labels that push them further) took room from the plotting area:
    // give it back, once plotly has grown the margins.
    window.Plotly.relayout(gd, update).then(() => {
      const lost = base.plotHeight - gd._fullLayout._size.h;
      if (base.scale === k && k !== 1 && lost > 0) window.Plotly.relayout(gd, { height: base.height + lost });
    });
  };
  let pending = 0;
  const scaleCharts = () => {
    pending = 0;
    document.querySelectorAll('.js-plotly-plot').forEach(scaleChart);
  };
  const soon = () => { if (!pending) pending = requestAnimationFrame(scaleCharts); };
  const shown = new ResizeObserver(soon);  // a chart on a tab being opened goes from 0 × 0 to its size
  new MutationObserver(() => {
    document.querySelectorAll('.js-plotly-plot').forEach((gd) => {
      if (!gd._pgWatched) { gd._pgWatched = true; shown.observe(gd); }
    });
    soon();
  }).observe(document.body, { childList: true, subtree: true });
  new MutationObserver(soon).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
"""

# After Generate's tokens change: attach each token's tip (Generate's on_tips) to the spans HighlightedText drew.
# It draws one span per non-blank line of a token, so a token holding a newline owns several spans.
TOKEN_TIPS_JS = """
(tokens, raw) => {
  const root = document.querySelector('#generate-tokens');
  if (!root) return;
  let tips = [];
  try { tips = JSON.parse(raw || '[]'); } catch (err) { tips = []; }
  const owners = [];
  (tokens || []).forEach((t, i) => String(Array.isArray(t) ? t[0] : t.token).split('\\n')
    .forEach((piece) => { if (piece.trim()) owners.push(i); }));
  root.querySelectorAll('.token-container').forEach((box, k) => {
    const i = owners[k], entry = i === undefined ? null : tips[i];
    box.classList.remove('pg-picked');
    box.dataset.entry = i === undefined ? '' : String(i);
    if (entry && entry.tip) box.dataset.tip = entry.tip; else delete box.dataset.tip;
    box.classList.toggle('pg-rare', !!(entry && entry.rare));
  });
}
"""

# The header's Presentation mode toggle.
PRESENT_JS = "(on) => { document.body.classList.toggle('pg-present', !!on); }"
