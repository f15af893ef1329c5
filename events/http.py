"""Answers built from the shared page cache (events/services/cache.py), for every page that
caches its anonymous copy whole (the agenda, the "now and next" screen)."""

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers


def cached_page_response(request, page: tuple[bytes, bytes]) -> HttpResponse:
    """A cached page, gzipped when the browser takes it. Pre-compressed once per version;
    safe against BREACH since a cached page holds no secret (anonymous, no CSRF token)."""
    plain, compressed = page
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(compressed)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(plain)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
