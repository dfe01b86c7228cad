"""The processes' own words in the page's language: process, task and lane names from the BPMN files, form titles
and hints from their JSON Schemas, agreement titles from the templates' manifests.

Those words are written in Chinese where they live (the .bpmn, the forms, the manifests are the single source, and
the documents are Chinese); the UI speaks Chinese and English. So they have a catalogue of their own, the
``content`` domain, whose msgids are the Chinese text and whose English catalogue holds the translations
(web/translations/en/LC_MESSAGES/content.po, kept by ``scripts/i18n``, which checks that none is missing).
Agreement titles come with their English in the manifest (``title = { zh = …, en = … }``) and are read from there.

A text that is not in the catalogue (a title composed at run time, a company's own process) is shown as written.
The extractors below are what ``scripts/i18n`` hands to Babel (babel-content.cfg).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import IO, Any
from xml.etree import ElementTree  # only the repository's own .bpmn files, at extraction time

from flask import Flask
from flask_babel import Domain, get_locale

__all__ = ["extract_bpmn", "extract_form", "install", "tr"]

DOMAIN = "content"
# What a person reads in a BPMN file: the process, its lanes, its steps and its branches' labels.
_NAMED = {"process", "participant", "lane", "userTask", "serviceTask", "manualTask", "task", "sendTask",
          "receiveTask", "scriptTask", "businessRuleTask", "callActivity", "subProcess", "startEvent", "endEvent",
          "intermediateCatchEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway", "sequenceFlow"}
_FORM_TEXT = ("title", "description")

_domain: Domain | None = None


@cache
def _manifest_titles() -> dict[str, str]:
    from documents.manifest import TemplateCatalog

    return {m.title["zh"]: m.title.get("en", m.title["zh"]) for m in TemplateCatalog().all() if "zh" in m.title}


def tr(text: Any) -> Any:
    """``text`` (a name or title the processes carry) in the page's language."""
    if not text or not isinstance(text, str) or _domain is None:
        return text
    locale = get_locale()
    if locale is None or locale.language == "zh":
        return text
    english = _manifest_titles().get(text)
    if english is not None:
        return english
    return str(_domain.gettext(text))


def install(app: Flask) -> None:
    global _domain
    _domain = Domain(translation_directories=app.config["BABEL_TRANSLATION_DIRECTORIES"], domain=DOMAIN)
    app.jinja_env.filters["tr"] = tr


# -- extraction (scripts/i18n update) ----------------------------------------------------------------------------

Extracted = Iterator[tuple[int, str, str, list[str]]]


def extract_bpmn(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Extracted:
    """The names a person reads in a BPMN file."""
    for element in ElementTree.parse(fileobj).iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        name = (element.get("name") or "").strip()
        if tag in _NAMED and name and _has_chinese(name):
            yield 0, "gettext", name, []


def extract_form(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Extracted:
    """Every title and hint in a form's JSON Schema (its own, its fields', nested ones)."""
    for text in _texts(json.load(fileobj)):
        yield 0, "gettext", text, []


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _FORM_TEXT and isinstance(value, str) and _has_chinese(value):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
