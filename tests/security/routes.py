"""Every URL pattern of the site, read from the URLconf, with a concrete path for each, so a
suite that walks them covers a new page without anyone adding it by hand."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve

# Values that each path converter and each named regex group of the URLconf accepts.
CONVERTER_SAMPLES = {"int": "1", "slug": "x-1", "str": "x1", "path": "1", "uuid": "0" * 32}
GROUP_SAMPLES = {"app_label": "events", "uidb36": "1", "key": "x1-abc", "url": "x"}


@dataclass(frozen=True)
class Route:
    name: str  # "events:session_register"; unnamed patterns end in ":?"
    pattern: str  # "events/<slug:slug>/sessions/<int:pk>/register/"
    callback: Callable

    @property
    def is_csrf_exempt(self) -> bool:
        return getattr(self.callback, "csrf_exempt", False)

    @property
    def kwarg_names(self) -> list[str]:
        return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.pattern)]

    def path(self, values: dict[str, str] | None = None) -> str:
        """A concrete path: `values` by kwarg name where given, else a sample that fits."""
        values = values or {}

        def converter(match: re.Match) -> str:
            kind, name = match.group(1) or "str", match.group(2)
            return str(values.get(name, CONVERTER_SAMPLES[kind]))

        def group(match: re.Match) -> str:
            name = match.group(1)
            return str(values.get(name, GROUP_SAMPLES.get(name, "x1")))

        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", group, self.pattern)
        path = re.sub(r"<(?:(\w+):)?(\w+)>", converter, path)
        return "/" + path.replace("^", "").replace("$", "")


def _join(prefix: str, pattern) -> str:
    # As Django joins them for ResolverMatch.route: an inner regex loses its leading "^".
    text = str(pattern)
    return prefix + (text[1:] if prefix and text.startswith("^") else text)


def _walk(patterns, prefix: str = "", namespace: tuple[str, ...] = ()) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespace, entry.namespace) if entry.namespace else namespace
            yield from _walk(entry.url_patterns, _join(prefix, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespace, entry.name or "?"))
            yield Route(name=name, pattern=_join(prefix, entry.pattern), callback=entry.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def resolves_to(route: Route, path: str) -> bool:
    return resolve(path).route == route.pattern
