"""The page around the app: its CSS and scripts, kept as files in playground/ui/static/, and how they reach it.

- app.css: `launch(css_paths=…)`.
- page.js: `launch(js=…)`, one function gradio runs when the app is drawn: hover tips on Generate's tokens,
  presentation mode's chart text, charts in the dark theme, the language switch's browser half.
- language.js, after the languages as data (`window.pgI18n`, from the translation files): the page's language
  must be set before gradio's own script starts, which reads navigator.language once and translates the texts
  of its own components when it draws them, never again. Gradio's `head` is added by that script, after it
  chose its language: too late. So `FirstInHead` puts the two first in the <head> of the pages the server
  sends; `head` carries them too (page.js needs window.pgI18n wherever the page came from).

Snippets bound to a single event stay strings beside it: `SWITCH_JS` and `OPEN_JS` here, common.PRESENT_JS
(one line) and common.TOKEN_TIPS_JS (calls page.js).

Server-side rendering stays off (`ssr_mode=False`, whatever GRADIO_SSR_MODE says; docs/hosting.md). Under
gradio's SSR — the default on Hugging Face Spaces — a Node server renders the page and gradio takes its
language from the Accept-Language header of that request, so neither ?lang= nor the switch's cookie can choose
it before gradio draws, and the page loads no module that exports gradio's changeLocale (it sits in a chunk
with a hashed name). The switch then falls back to what it can reach (page.js), but a Chinese page shows
gradio's own texts in the browser's language. Rendered in the browser, the page opens in its language from the
first paint, on a Space as on a laptop; SSR would buy a faster first paint of a page that is a live app anyway.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

from starlette.middleware import Middleware

from playground.ui.i18n import COOKIE, LANGUAGES, tr
from playground.ui.i18n_catalog import CATALOGS, SOURCE

STATIC = Path(__file__).with_name("static")
CSS_PATHS = [STATIC / "app.css"]

# The language switch's change event (true: the page changed language, not opened in it), and the page-load
# event that sets the switch to the page's language (launch's js and the load events start together: it waits
# for page.js).
SWITCH_JS = "(lang) => window.pgI18n.switchTo(lang)"
OPEN_JS = """async () => {
  for (let i = 0; i < 500 && !(window.pgI18n && window.pgI18n.opened); i++) await new Promise((r) => setTimeout(r, 20));
  return window.pgI18n.opened();
}"""


def static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _js_pattern(pattern: str) -> str:
    """A shell-style language-tag pattern (zh-hans*) as a JavaScript regular expression."""
    return "^" + "".join(".*" if c == "*" else "." if c == "?" else re.sub(r"[.+^${}()|\[\]\\]", r"\\\g<0>", c)
                         for c in pattern) + "$"


def _js_text(english: str, translation: str) -> tuple[str, str]:
    """A "gradio-text" template (Uploading {n} files...) as a JavaScript regular expression and its replacement."""
    regex = ""
    for text, name, _, _ in string.Formatter().parse(english):
        regex += re.sub(r"[.*+?^${}()|\[\]\\]", r"\\\g<0>", text)
        if name:
            regex += f"(?<{name}>.+?)"
    return f"^{regex}$", re.sub(r"\{(\w+)\}", r"$<\1>", translation.replace("$", "$$"))


def languages(tabs: list[str]) -> dict:
    """What the page's scripts know of the languages: the cookie, each language's code and browser-tag patterns,
    the name of each tab in each language, and the English gradio's page writes without a key, translated."""
    return {"cookie": COOKIE, "source": SOURCE, "codes": [code for _, code in LANGUAGES],
            "languages": [[c.code, [_js_pattern(p) for p in c.tags]] for c in CATALOGS.values()],
            "tabs": {tab: {code: tr(code, tab) for _, code in LANGUAGES} for tab in tabs},
            "texts": {c.code: [_js_text(e, t) for e, t in c.page_texts] for c in CATALOGS.values()},
            "back": {c.code: [_js_text(t, e) for e, t in c.page_texts if "{" not in e] for c in CATALOGS.values()}}


def language_head(tabs: list[str]) -> str:
    data = json.dumps(languages(tabs), ensure_ascii=False).replace("</", "<\\/")
    return (f"<script>window.pgI18n = window.pgI18n || {data};</script>\n"
            f"<script>\n{static('language.js')}</script>\n")


class FirstInHead:
    """ASGI middleware: `html` right after <head> in each HTML page the server sends. Gradio's page template has
    no place for a script that must run before gradio's own (its `head` is added by gradio's script), and no
    library offers one for a FastAPI app, hence this small hand-written filter."""

    def __init__(self, app, html: str):
        self.app, self.html = app, html.encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        start, chunks = None, []

        async def send_page(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                if headers.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in headers:
                    start = message  # held until the body is whole
                    return
            if start is None or message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks).replace(b"<head>", b"<head>\n" + self.html, 1)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_page)


def launch_options(tabs: list[str]) -> dict:
    """demo.launch()'s arguments for the page: CSS, scripts, the language script first, no SSR (see above)."""
    head = language_head(tabs)
    return {"css_paths": CSS_PATHS, "js": static("page.js"), "head": head, "ssr_mode": False,
            "app_kwargs": {"middleware": [Middleware(FirstInHead, html=head)]}}
