// The page's language, chosen before gradio's own scripts run: playground/ui/page.py puts this first in the
// <head> of the page the app's server sends, after window.pgI18n (the languages, from the translation files).
// Gradio picks its language once, from navigator.language, when it starts, and translates the texts of its own
// components ("Drop File Here", button tooltips) when it draws them, never again: so navigator.language must
// already say the page's language. That is ?lang= in the address, else the switch's cookie, else the browser's
// language, read as playground.ui.i18n.language() reads it (zh, zh-CN, zh-Hans… Chinese; zh-TW English).
(() => {
  const pg = window.pgI18n;
  if (!pg || pg.lang) return;  // the page's head has it twice (here first, and gradio's head): once is enough
  const pick = (tag) => {
    tag = (tag || '').toLowerCase().replace('_', '-');
    const found = pg.languages.find(([, patterns]) => patterns.some((p) => new RegExp(p).test(tag)));
    return found ? found[0] : pg.source;
  };
  const query = new URLSearchParams(window.location.search).get('lang');
  const cookie = (document.cookie.match(new RegExp('(?:^|;\\s*)' + pg.cookie + '=([^;]+)')) || [])[1];
  pg.lang = pick(query || cookie || navigator.language);
  if (navigator.language !== pg.lang) {
    Object.defineProperty(navigator, 'language', { get: () => pg.lang, configurable: true });
    Object.defineProperty(navigator, 'languages', { get: () => [pg.lang], configurable: true });
  }
})();
