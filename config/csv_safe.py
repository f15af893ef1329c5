"""The one CSV writer every export uses, and the headers of a personal download.

People type their own names, institutions and needs, and staff open the files in a
spreadsheet. A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
before one) is run as a formula there: `=HYPERLINK("http://evil.example/","click")` as a
name becomes a link in a coordinator's roster. OWASP's rule applies to every cell: such a
value gets a leading single quote, which spreadsheets read as "this is text" and hide.
The full-width forms of those signs are quoted as well (some spreadsheets accept them).

Numbers (waitlist positions, rotation numbers) are passed as ints and written as they are;
text that starts otherwise is written byte for byte as the csv module writes it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> Any:
    """The value as it is safe to write: text that a spreadsheet would run as a formula gets
    a leading single quote. A carriage return inside text becomes a line break, which the
    csv module quotes (it leaves a lone carriage return bare, and that splits the row)."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class SafeWriter:
    """csv.writer's writerow/writerows, with every cell passed through `csv_cell`."""

    def __init__(self, out: TextIO):
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: TextIO) -> SafeWriter:
    return SafeWriter(out)


def private_download(response: HttpResponse) -> HttpResponse:
    """People's data (rosters, agendas, calendar feeds) is never kept by a shared cache or
    stored on disk by the browser."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def csv_download(filename: str) -> HttpResponse:
    """An empty CSV attachment to write into with `csv_writer(response)`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private_download(response)
