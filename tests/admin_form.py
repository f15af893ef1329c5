"""Reads an HTML form the way a browser submits it, so an admin test posts exactly what the
page offers (inline management forms included) after changing only what a person would."""

import html
import re
from html.parser import HTMLParser

TEXT_INPUTS = {"text", "hidden", "number", "email", "url", "password", "date", "time", "search"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_multiple = False
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str | None, value: str) -> None:
        if name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in TEXT_INPUTS:
                self._add(name, attrs.get("value") or "")
            elif kind in {"checkbox", "radio"} and "checked" in attrs:
                self._add(name, attrs.get("value") or "on")
        elif tag == "select":
            self._select, self._select_multiple, self._first_option = (
                name,
                "multiple" in attrs,
                None,
            )
            if name:
                self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attrs.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self._add(self._select, value)
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            chosen = self.data[self._select]
            if not chosen and not self._select_multiple and self._first_option is not None:
                chosen.append(self._first_option)  # what a browser sends with nothing selected
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """Every successful control of `<form id=form_id>`: name → values."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {name: values for name, values in reader.data.items() if values}


BLOCK_TAGS = re.compile(
    r"</?(?:br|p|div|td|th|tr|li|dt|dd|h[1-6]|caption|label|option|section|fieldset)\b[^>]*>"
)


def page_text(response) -> str:
    """The page as a person reads it: a space where a block or line ends, inline tags
    dropped, entities decoded, whitespace collapsed."""
    markup = BLOCK_TAGS.sub(" ", response.content.decode())
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())
