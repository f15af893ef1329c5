import logging

from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)


class DatabaseBusyMiddleware:
    """A lock timeout under extreme load, or a database that stopped answering, becomes a
    friendly "busy, try again" page (HTTP 503 with Retry-After) instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        logger.error(
            "database busy or unreachable on %s %s: %s", request.method, request.path, exception
        )
        try:
            response = render(request, "503.html", status=503)
        except Exception:  # the page itself may need the database (e.g. the session)
            response = render(request, "503.html", {"user": None, "messages": []}, status=503)
        response["Retry-After"] = "5"
        return response
