"""Translations as data: one gettext `.po` file per language in playground/ui/locales/, read with polib.

English is the source language and needs no file: each English string is its own msgid, so the tab modules
read in English and a string a file lacks stays English. Why `.po` rather than JSON: it is the format
translators' tools (Poedit, Weblate, msgfmt --check) read, it keeps a comment and a context beside each
string, and it is what Python's own gettext and Django use. polib (pure Python) parses it; gettext's `.mo`
machinery is not used because it knows no regular-expression entries.

An entry's msgctxt says how it is used:
- none: a whole string (a label, a note, a `{name}` template that `tr()` fills with str.format);
- "sentence": an error sentence as a str.format template whose `{fields}` stand for any value (a file name,
  a number): compiled into a regular expression, each field a group;
- "regex": a regular expression over the whole English string and its replacement (`\\1`, `\\g<name>`), for
  strings the UI builds from names and numbers. Regex entries are tried first, in file order, then sentences;
- "gradio:KEY": a text of gradio's own components under gradio's key (`gradio:common.upload`), for the keys
  gradio's page uses but its own dictionaries lack in this language (or in all: `common.upload` has no text
  in gradio 6.31, so the upload button's tooltip read "common.upload"). msgid is the English;
- "gradio-text": English that gradio's page writes without a key (a table's "Copy table data" tooltip,
  "Uploading 1 file..."), as a str.format template: the page's script (static/page.js) swaps it.

The header names the language (`Language: zh-CN`), its name on the switch (`X-Language-Name: 简体中文`) and the
browser language tags it answers (`X-Browser-Languages: zh zh-cn* zh-hans*`, shell-style patterns): adding a
language is adding a file.
"""

from __future__ import annotations

import fnmatch
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

import polib

LOCALES = Path(__file__).with_name("locales")
SOURCE = "en"  # the language the code is written in: no file, every string its own translation


@dataclass
class Catalog:
    """One language's translations, as read from its `.po` file."""

    code: str  # the BCP 47 tag gradio's dictionaries are keyed by, e.g. "zh-CN"
    name: str  # on the language switch, in the language itself
    tags: list[str]  # lower-case shell patterns of the browser tags that pick this language
    whole: dict[str, str] = field(default_factory=dict)  # English string -> translation
    patterns: list[tuple[re.Pattern, str]] = field(default_factory=list)  # (English regex, replacement)
    gradio: dict[str, tuple[str, str]] = field(default_factory=dict)  # gradio's key -> (English, translation)
    page_texts: list[tuple[str, str]] = field(default_factory=list)  # gradio's unkeyed English: (template, translation)

    def pattern(self, text: str) -> str | None:
        """A pattern's translation; a sentence's named field that is itself a UI string (a setting's label, as in
        "Learning rate must be …") is translated too."""
        for english, replacement in self.patterns:
            match = english.fullmatch(text)
            if match:
                named = {k: self.whole.get(v, v).replace("\\", "\\\\") for k, v in match.groupdict().items() if v}
                return match.expand(re.sub(r"\\g<(\w+)>", lambda r: named.get(r.group(1), r.group(0)), replacement))
        return None

    def translate(self, text: str) -> str | None:
        """The translation of a whole English string, or of one a pattern matches, else None."""
        return self.whole[text] if text in self.whole else self.pattern(text)

    def answers(self, tag: str) -> bool:
        return any(fnmatch.fnmatchcase(tag, p) for p in self.tags)


def sentence_pattern(english: str, translation: str) -> tuple[str, str]:
    """A "sentence" entry as a regex entry: the English escaped, each {field} a group (a repeated one must
    repeat), and the translation's {field}s as the group references."""
    regex, seen = "", set()
    for text, name, _, _ in string.Formatter().parse(english):
        regex += re.escape(text)
        if name is not None:
            regex += f"(?P={name})" if name in seen else f"(?P<{name}>.+)"
            seen.add(name)
    translation = translation.replace("\\", "\\\\").replace("{{", "\0").replace("}}", "\1")
    translation = re.sub(r"\{(\w+)\}", r"\\g<\1>", translation).replace("\0", "{").replace("\1", "}")
    return regex, translation


def read(path: Path) -> Catalog:
    po = polib.pofile(str(path), encoding="utf-8")
    meta = po.metadata
    code = meta.get("Language") or path.stem
    catalog = Catalog(code=code, name=meta.get("X-Language-Name", code),
                      tags=meta.get("X-Browser-Languages", code).lower().split())
    regexes, sentences = [], []
    for entry in po:
        if entry.obsolete or not entry.msgstr or "fuzzy" in entry.flags:  # untranslated or unchecked: stays English
            continue
        if entry.msgctxt == "regex":
            regexes.append((entry.msgid, entry.msgstr))
        elif (entry.msgctxt or "").startswith("gradio:"):
            catalog.gradio[entry.msgctxt.removeprefix("gradio:")] = (entry.msgid, entry.msgstr)
        elif entry.msgctxt == "gradio-text":
            catalog.page_texts.append((entry.msgid, entry.msgstr))
        elif entry.msgctxt == "sentence":
            sentences.append(sentence_pattern(entry.msgid, entry.msgstr))
        else:
            catalog.whole[entry.msgid] = entry.msgstr
    catalog.patterns = [(re.compile(e), t) for e, t in regexes + sentences]
    return catalog


def read_all(folder: Path = LOCALES) -> dict[str, Catalog]:
    """Every language of `folder`, by code, in file-name order."""
    catalogs = [read(p) for p in sorted(folder.glob("*.po"))]
    return {c.code: c for c in catalogs}


CATALOGS: dict[str, Catalog] = read_all()  # every language but English, read once at import
