"""Refuses requests that carry a NUL byte.

No person types a NUL character; a client that sends one is probing. PostgreSQL refuses NUL
in text, so a NUL that reached a query (a calendar token, an admin list filter, a search)
used to end as a server error. One check here, before any view or the session is touched,
answers every such request with the ordinary "bad request" page instead.
"""

import logging
from urllib.parse import unquote_to_bytes

from django.shortcuts import render

logger = logging.getLogger(__name__)

NUL = "\x00"


def _in_multidict(data) -> bool:
    return any(NUL in key or any(NUL in str(v) for v in values) for key, values in data.lists())


def request_has_nul(request) -> bool:
    """A NUL in the path, the query string (raw or percent-decoded), the cookies or the
    fields of a posted form."""
    if NUL in request.path or NUL in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if NUL in query or b"\x00" in unquote_to_bytes(query):
        return True
    if _in_multidict(request.GET):
        return True
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return True
    return request.method == "POST" and _in_multidict(request.POST)


class NulByteMiddleware:
    """Placed before the session and authentication middleware, so a NUL in the session
    cookie never reaches the database either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            logger.warning("refused a request with a NUL byte: %s %r", request.method, request.path)
            return render(request, "400.html", status=400)
        return self.get_response(request)
