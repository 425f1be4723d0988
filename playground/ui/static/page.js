() => {
  // The page's script: gradio runs this function once, when the app is drawn (launch(js=…), playground/ui/page.py).
  // What gradio cannot do by itself: hover tips on Generate's tokens, presentation mode's chart text, charts in
  // the dark theme, and the language switch.

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
    const legend = gd.layout.legend || {};
    gd._pgBase = { layout: gd.layout, fonts, margins, height: gd.layout.height ?? full.height,
                   legend: { 'legend.x': legend.x ?? null, 'legend.xanchor': legend.xanchor ?? null },
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
    if (k === 1) Object.assign(update, base.legend);  // where fitInside may have moved it
    // Larger margins (and legends and tick labels that push them further) took room from the plotting area:
    // give it back, once plotly has grown the margins.
    window.Plotly.relayout(gd, update).then(() => {
      const lost = base.plotHeight - gd._fullLayout._size.h;
      if (base.scale === k && k !== 1 && lost > 0) return window.Plotly.relayout(gd, { height: base.height + lost });
    }).then(() => { if (base.scale === k && k !== 1) return fitInside(gd, base); });
  };
  // Larger text must still fit the chart (a legend running past its right edge, rotated tick labels past its
  // bottom, at 1280 px wide): a legend that does not fit goes back to the figure's own size and, if need be, to
  // the chart's left edge; the chart grows by what still hangs below it.
  const outside = (gd, sel) => {
    const box = (gd.closest('.block') || gd).getBoundingClientRect();  // gradio's box clips the chart
    const rects = [...gd.querySelectorAll(sel)].map((e) => e.getBoundingClientRect()).filter((r) => r.width);
    return { right: Math.max(0, ...rects.map((r) => r.right - box.right)), left: Math.max(0, ...rects.map((r) => box.left - r.left)),
             bottom: Math.max(0, ...rects.map((r) => r.bottom - box.bottom)) };
  };
  const fitInside = async (gd, base) => {
    let legend = outside(gd, '.legend text');
    if (legend.right > 1 || legend.left > 1) {
      const size = base.fonts['legend.font.size'] ?? base.fonts['font.size'];
      await window.Plotly.relayout(gd, { 'legend.font.size': size });
      legend = outside(gd, '.legend text');
      if (legend.right > 1 || legend.left > 1) await window.Plotly.relayout(gd, { 'legend.x': 0, 'legend.xanchor': 'left' });
    }
    const below = outside(gd, '.xtick text, .legend, .g-xtitle').bottom;
    if (below > 1) await window.Plotly.relayout(gd, { height: gd._fullLayout.height + Math.ceil(below) + 4 });
  };
  // Charts in the dark theme. charts.py draws for a white page (plotly_white, a few near-black marks): under
  // gradio's dark theme (body.dark: ?__theme=dark, or the system's setting) each chart gets a clear background,
  // the page's text colour, dim grid lines, and its near-black marks (the "p before this stage" ticks, the beam
  // tree's labels) turn light; the figure's own values come back with the light theme.
  const INK = new Set(['#222', '#222222', '#000', '#000000', '#333', '#333333', 'black']);
  const darkLayout = (gd) => {
    const css = getComputedStyle(document.body), v = (name) => css.getPropertyValue(name).trim();
    const layout = { paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)', 'font.color': v('--body-text-color'),
                     'title.font.color': v('--body-text-color'), 'legend.bgcolor': 'rgba(0,0,0,0)',
                     'legend.font.color': v('--body-text-color') };
    Object.keys(gd._fullLayout).filter((k) => /^[xy]axis\d*$/.test(k)).forEach((axis) => {
      Object.assign(layout, { [axis + '.gridcolor']: v('--neutral-700'), [axis + '.linecolor']: v('--neutral-600'),
                              [axis + '.zerolinecolor']: v('--neutral-600') });
    });
    return layout;
  };
  const lighten = (color) => (Array.isArray(color) ? color.map(lighten)
    : typeof color === 'string' && INK.has(color.toLowerCase()) ? '#e5e7eb' : color);
  const darkTraces = (gd) => gd.data.map((trace) => {
    const out = {};
    [['marker', 'color'], ['marker', 'line', 'color'], ['line', 'color'], ['textfont', 'color']].forEach((path) => {
      let value = trace;
      path.forEach((key) => { value = value == null ? undefined : value[key]; });
      if (value !== undefined && JSON.stringify(lighten(value)) !== JSON.stringify(value)) out[path.join('.')] = [value];
    });
    return out;
  });
  const themeChart = (gd) => {
    const dark = document.body.classList.contains('dark');
    if (!window.Plotly || !gd._fullLayout || !!gd._pgDark === dark || (!dark && !gd._pgLight)) return;
    gd._pgDark = dark;
    if (dark) {
      const layout = darkLayout(gd), traces = darkTraces(gd);
      const own = (path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), gd.layout);
      gd._pgLight = { layout: Object.fromEntries(Object.keys(layout).map((k) => [k, own(k) ?? null])), traces };
      window.Plotly.relayout(gd, layout);
      traces.forEach((update, i) => {
        const light = Object.fromEntries(Object.entries(update).map(([k, [value]]) => [k, [lighten(value)]]));
        if (Object.keys(light).length) window.Plotly.restyle(gd, light, [i]);
      });
    } else {
      window.Plotly.relayout(gd, gd._pgLight.layout);
      gd._pgLight.traces.forEach((update, i) => { if (Object.keys(update).length) window.Plotly.restyle(gd, update, [i]); });
      gd._pgLight = null;
    }
  };
  let pending = 0;
  const scaleCharts = () => {
    pending = 0;
    document.querySelectorAll('.js-plotly-plot').forEach((gd) => { themeChart(gd); scaleChart(gd); });
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

  // After Generate's tokens change (its event calls this): attach each token's tip (Generate's on_tips) to the spans
  // HighlightedText drew. It draws one span per non-blank line of a token, so a token holding a newline owns several.
  window.pgTokenTips = (tokens, raw) => {
    const root = document.querySelector('#generate-tokens');
    if (!root) return;
    let tips = [];
    try { tips = JSON.parse(raw || '[]'); } catch (err) { tips = []; }
    const owners = [];
    (tokens || []).forEach((t, i) => String(Array.isArray(t) ? t[0] : t.token).split('\n')
      .forEach((piece) => { if (piece.trim()) owners.push(i); }));
    root.querySelectorAll('.token-container').forEach((box, k) => {
      const i = owners[k], entry = i === undefined ? null : tips[i];
      box.classList.remove('pg-picked');
      box.dataset.entry = i === undefined ? '' : String(i);
      if (entry && entry.tip) box.dataset.tip = entry.tip; else delete box.dataset.tip;
      box.classList.toggle('pg-rare', !!(entry && entry.rare));
    });
  };

  // ---- the language (window.pgI18n: language.js, in the page's head, chose pg.lang before gradio started)
  const pg = window.pgI18n;
  const showing = () => document.documentElement.lang;  // svelte-i18n writes gradio's locale there
  // Gradio's own changeLocale (its Settings panel's). Rendered in the browser (ssr_mode=False, as the app ships)
  // the page loads gradio's core module under /assets/core-*.js, which exports it by that name; importing the
  // loaded URL again gives the same module, with the same language store. Under SSR the store sits in a chunk
  // with a hashed name and minified exports: it is the exported store (set, subscribe) holding the page's
  // language whose change moves <html lang> with it (svelte-i18n keeps the two in step); another is put back.
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const settled = async (lang) => {
    for (let i = 0; i < 10 && showing() !== lang; i++) await wait(20);
    return showing() === lang;
  };
  const changeLocale = async (lang) => {
    const names = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\.js$/.test(n));
    const load = async (name) => { try { return await import(name); } catch (err) { return {}; } };
    for (const name of names.filter((n) => /\/assets\/core-[^/]*\.js$/.test(n))) {
      const module = await load(name);
      if (typeof module.changeLocale === 'function') {
        module.changeLocale(lang);
        return settled(lang);
      }
    }
    for (const name of names.filter((n) => n.includes('/_app/immutable/'))) {  // SvelteKit's build: SSR
      for (const store of Object.values(await load(name))) {
        if (!store || typeof store.set !== 'function' || typeof store.subscribe !== 'function') continue;
        let held;
        try { const stop = store.subscribe((v) => { held = v; }); if (typeof stop === 'function') stop(); } catch (err) { continue; }
        if (held !== showing()) continue;
        store.set(lang);
        if (await settled(lang)) return true;
        store.set(held);
      }
    }
    return false;
  };
  // Gradio re-translates what is on the page, and a tab's name only once its tab has been shown: the names of
  // the tabs not opened yet are set here.
  const renameTabs = (lang) => {
    const names = Object.values(pg.tabs);
    const bar = [...document.querySelectorAll('#tabs button')].filter((b) => !b.closest('.tabitem'));
    bar.forEach((button) => {
      const walk = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
      for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        const name = names.find((n) => Object.values(n).includes(node.nodeValue.trim()));
        if (name && name[lang]) node.nodeValue = node.nodeValue.replace(node.nodeValue.trim(), name[lang]);
      }
    });
  };
  // The page in `lang` without a reload, where gradio's language store is reachable (tried for a few seconds:
  // as the page opens, gradio may not have set its language up yet).
  const switchLive = async (lang) => {
    const before = showing();
    for (let tries = 0; tries < 20 && showing() !== lang; tries++) {
      if (!(await changeLocale(lang))) await wait(150);
    }
    renameTabs(lang);
    if (rulesBack(before).length) translateGradio(document.body, rulesBack(before));  // gradio's English again…
    if (rulesFor(lang).length) translateGradio(document.body, rulesFor(lang));  // …in the new language
    return showing() === lang;
  };

  // English gradio's page writes without a translation key (a table's "Copy table data" tooltip, "Uploading 1
  // file..."): swapped for the page's language as it appears, in text and in title and aria-label attributes.
  const swapped = (text, rules) => {
    const plain = (text || '').replace(/\s+/g, ' ').trim();
    const rule = plain && rules.find(([re]) => re.test(plain));
    return rule ? plain.replace(rule[0], rule[1]) : null;
  };
  const translateAttributes = (el, rules) => ['title', 'aria-label'].forEach((attr) => {
    const text = swapped(el.getAttribute(attr), rules);
    if (text !== null) el.setAttribute(attr, text);
  });
  // Text only in gradio's own chrome (its toasts, the upload areas): a generated token may read "Error" too.
  const CHROME = '.toast-wrap, .block:has(input[type=file])';
  const translateGradio = (node, rules) => {
    if (node.nodeType === Node.TEXT_NODE) {
      if (!node.parentElement || !node.parentElement.closest(CHROME)) return;
      const text = swapped(node.nodeValue, rules);
      if (text !== null) node.nodeValue = text;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    [node, ...node.querySelectorAll('[title], [aria-label]')].forEach((el) => translateAttributes(el, rules));
    const walk = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let t = walk.nextNode(); t; t = walk.nextNode()) translateGradio(t, rules);
  };
  const compiled = {}, compiledBack = {};
  const rulesFor = (lang) => (compiled[lang] ??= (pg.texts[lang] || []).map(([re, to]) => [new RegExp(re), to]));
  const rulesBack = (lang) => (compiledBack[lang] ??= (pg.back[lang] || []).map(([re, to]) => [new RegExp(re), to]));
  new MutationObserver((records) => {
    const rules = rulesFor(showing());
    if (!rules.length) return;
    records.forEach((r) => {
      if (r.type === 'childList') r.addedNodes.forEach((n) => translateGradio(n, rules));
      else if (r.type === 'attributes') translateAttributes(r.target, rules);
      else translateGradio(r.target, rules);  // characterData: a text node
    });
  }).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true,
                              attributeFilter: ['title', 'aria-label'] });
  if (rulesFor(showing()).length) translateGradio(document.body, rulesFor(showing()));

  // On load (the switch's value): the page opened in pg.lang where gradio took it from language.js (the app's
  // own server put that script first: SSR off); elsewhere (SSR) it changes now.
  pg.opened = async () => {
    if (showing() !== pg.lang) await switchLive(pg.lang);
    return pg.lang;
  };
  // The switch: remembered (a cookie, which the server reads too; ?lang= kept true, as the server reads it
  // first), then the page changes at once, keeping what it holds (a reload would end a hosted session's job).
  // The server's half follows the event: charts, table headers, and the upload areas drawn again (gradio
  // translates its components' own texts, "Drop File Here", only when it draws them; playground/ui/app.py).
  // No route to gradio's language at all: the page opens again in the new language.
  pg.switchTo = async (lang) => {
    lang = pg.codes.includes(lang) ? lang : pg.source;
    document.cookie = pg.cookie + '=' + lang + '; path=/; max-age=31536000; SameSite=Lax';
    const url = new URL(window.location.href);
    if (url.searchParams.has('lang')) url.searchParams.set('lang', lang);
    if (lang === pg.lang) {  // the page opening in its language
      window.history.replaceState(null, '', url);
      return false;
    }
    pg.lang = lang;
    window.history.replaceState(null, '', url);
    if (!(await switchLive(lang))) {
      window.location.reload();
      await new Promise(() => {});  // the page goes: nothing after this event (redrawing the charts) starts
    }
    return true;
  };
}
