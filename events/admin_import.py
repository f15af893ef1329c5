"""The program CSV in admin: import with a preview, and export in the same format.

Import, from the events list (one event selected): upload the `import_agenda` file, see what
it would do (new sessions, changes field by field with old → new, unchanged ones, and every
bad line with its reason), then apply it all or nothing. The file waits in the staff member's
session between the two steps under a random token; applying checks it again, so a session
changed in between cannot be overwritten by a stale preview.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from config.audit import audit_record
from config.csv_safe import csv_download

from .admin_actions import action_page, one_event
from .agenda_csv import AgendaError, agenda_write_csv, parse_agenda
from .agenda_diff import agenda_preview
from .models import Event
from .services import agenda_import

MAX_BYTES = 2 * 1024 * 1024  # a program of thousands of sessions is far below this
UPLOADS = "agenda_uploads"
MAX_UPLOADS = 3  # a staff member's open previews; older ones are forgotten


class AgendaUploadForm(forms.Form):
    file = forms.FileField(
        label="Program CSV",
        help_text="The import_agenda format (UTF-8, at most 2 MB): "
        "key,title,kind,day,start,end,room,capacity,registration_mode,audience,"
        "career_paths,speakers,description.",
    )
    draft = forms.BooleanField(
        required=False, label="Create new sessions as drafts (publish them later)"
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 2 MB. "
                "Nothing was imported."
            )
        data = upload.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ValidationError(
                f"line {line}: the file is not UTF-8 text (save it as “CSV UTF-8”). "
                "Nothing was imported."
            ) from exc


def _show(name: str, value, event: Event) -> str:
    if isinstance(value, datetime):
        return f"{value.astimezone(event.tz):%a, %b %-d, %Y, %H:%M} ({event.timezone})"
    if value in (None, "", []):
        return "(empty)"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def _uploads(request) -> dict:
    return request.session.get(UPLOADS, {})


def _page(modeladmin, request, event, **context):
    return action_page(
        modeladmin,
        request,
        template="admin/events/event/import.html",
        title=f"Import a program CSV into “{event}”",
        action="agenda_import_action",
        events=[event],
        event=event,
        **context,
    )


@admin.action(description="Import a program CSV (with a preview)…", permissions=["program"])
def agenda_import_action(modeladmin, request, queryset):
    event = one_event(modeladmin, request, queryset)
    if event is None:
        return None
    step = request.POST.get("step", "")
    if step == "apply":
        return _apply(modeladmin, request, event, request.POST.get("upload", ""))
    form = AgendaUploadForm(request.POST, request.FILES) if step == "preview" else None
    if form is None or not form.is_valid():
        return _page(modeladmin, request, event, form=form or AgendaUploadForm(), multipart=True)
    text = form.cleaned_data["file"]
    try:
        rows = parse_agenda(text)
    except AgendaError as exc:
        return _page(modeladmin, request, event, form=form, multipart=True, problems=exc.problems)
    preview = agenda_preview(event=event, rows=rows)
    if preview.problems:
        return _page(
            modeladmin, request, event, form=form, multipart=True, problems=preview.problems
        )
    token = secrets.token_urlsafe(16)
    uploads = _uploads(request)
    uploads[token] = {"event": event.pk, "text": text, "draft": form.cleaned_data["draft"]}
    request.session[UPLOADS] = dict(list(uploads.items())[-MAX_UPLOADS:])
    return action_page(
        modeladmin,
        request,
        template="admin/events/event/import_preview.html",
        title=f"Preview: importing into “{event}”",
        action="agenda_import_action",
        events=[event],
        event=event,
        upload=token,
        draft=form.cleaned_data["draft"],
        new=preview.new,
        changed=[
            (
                change.row,
                [
                    (name.replace("_", " "), _show(name, old, event), _show(name, new, event))
                    for name, old, new in change.fields
                ],
            )
            for change in preview.changed
        ],
        unchanged=preview.unchanged,
        has_changes=bool(preview.new or preview.changed),
    )


def _apply(modeladmin, request, event: Event, token: str):
    uploads = _uploads(request)
    upload = uploads.pop(token, None)
    request.session[UPLOADS] = uploads
    if upload is None or upload["event"] != event.pk:
        modeladmin.message_user(
            request,
            "This preview is no longer waiting: it was applied already or is too old. "
            "Nothing was imported now; upload the file again.",
            messages.WARNING,
        )
        return None
    try:
        counts = agenda_import(
            event=event,
            rows=parse_agenda(upload["text"]),
            publish=not upload["draft"],
            check_rooms=True,
        )
    except (AgendaError, ValidationError) as exc:
        problems = exc.problems if isinstance(exc, AgendaError) else exc.messages
        modeladmin.message_user(request, f"Nothing imported: {'; '.join(problems)}", messages.ERROR)
        return None
    summary = (
        f"{counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged"
    )
    audit_record(
        user=request.user,
        obj=event,
        message=f"Imported a program CSV: {summary}"
        + (" (new sessions as drafts)." if upload["draft"] else "."),
    )
    modeladmin.message_user(request, f"Imported into “{event}”: {summary}.", messages.SUCCESS)
    return None


@admin.action(description="Export the program as CSV", permissions=["view"])
def agenda_export_action(modeladmin, request, queryset):
    event = one_event(modeladmin, request, queryset)
    if event is None:
        return None
    response = csv_download(f"program-{event.slug}.csv")
    agenda_write_csv(event=event, out=response)
    return response
