"""The "now and next" screen: `/events/<slug>/now/`, for a screen in the hall and for phones.

The public part is rendered once per event version and minute and shared by everybody; an
anonymous visitor's whole page is cached with it, so a hall screen and hundreds of phones
reloading every minute cost no query once the first has been served. A logged-in trainee's
own next item is read per request (one or two queries)."""

import gzip
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from .http import cached_page_response
from .now import now_board, now_mine, now_minute
from .selectors import event_get
from .services.cache import (
    agenda_cache_version,
    agenda_cached,
    agenda_event_id,
    agenda_event_id_remember,
    agenda_page_get,
    agenda_page_key,
    agenda_page_put,
)


def _minute_key(now: datetime) -> str:
    return f"min{int(now.timestamp() // 60)}"


def _is_cacheable(request) -> bool:
    # len() reads pending flash messages without marking them shown: a page that shows one
    # is not everybody's page.
    return not request.user.is_authenticated and not len(messages.get_messages(request))


@require_GET
def now_and_next(request, slug: str):
    now = now_minute()
    clock = _minute_key(now)
    cacheable = _is_cacheable(request)
    event_id = agenda_event_id(slug)
    if event_id is not None and cacheable:
        key = agenda_page_key(
            event_id, agenda_cache_version(event_id), path=request.path, query="", clock=clock
        )
        page = agenda_page_get(key)
        if page is not None:
            return cached_page_response(request, page)
    event = event_get(slug=slug)  # 404 for an unknown event or a draft
    agenda_event_id_remember(slug, event.pk, dates=(event.tz, event.starts_on, event.ends_on))
    version = agenda_cache_version(event.pk)
    board_html = agenda_cached(
        event.pk,
        version,
        f"now:{clock}",
        lambda: render_to_string(
            "events/_now_board.html", {"board": now_board(event=event, now=now)}
        ),
    )
    context = {
        "event": event,
        "local_now": now.astimezone(event.tz),
        "board_html": board_html,
        "mine": now_mine(user=request.user, event=event, now=now),
        "refresh_seconds": settings.NOW_REFRESH_SECONDS,
    }
    response = render(request, "events/now.html", context)
    if not cacheable:
        return response
    page = (response.content, gzip.compress(response.content, compresslevel=6))
    agenda_page_put(
        agenda_page_key(event.pk, version, path=request.path, query="", clock=clock), page
    )
    return cached_page_response(request, page)
