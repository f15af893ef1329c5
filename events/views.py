from django.http import Http404
from django.shortcuts import render

from .forms import AgendaFilterForm
from .selectors import (
    agenda_group,
    event_days,
    event_get,
    event_get_current,
    session_get,
    session_list_for_agenda,
)


def home(request):
    event = event_get_current()
    if event is None:
        return render(request, "events/home_empty.html")
    return _agenda(request, event)


def agenda(request, slug: str):
    return _agenda(request, event_get(slug=slug))


def _agenda(request, event):
    form = AgendaFilterForm(request.GET or None, days=event_days(event=event))
    filters = form.filters()
    sessions = session_list_for_agenda(event=event, **filters)
    context = {
        "event": event,
        "form": form,
        "is_filtered": bool(filters),
        "days": agenda_group(sessions=sessions, event=event),
        "session_count": len(sessions),
    }
    return render(request, "events/agenda.html", context)


def session_detail(request, slug: str, pk: int):
    event = event_get(slug=slug)
    session = session_get(event=event, pk=pk)
    if session is None:
        raise Http404
    return render(request, "events/session_detail.html", {"event": event, "session": session})
