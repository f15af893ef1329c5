"""Building the program in admin: publishing drafts, importing a CSV with a preview,
exporting it, cloning an event, and the history each leaves."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from events.lunch.services import lunch_join
from events.models import Event, LunchRotation, LunchTable, Registration, Session, TableHost
from events.services import registration_create
from mentorship.models import SpeedMentoringSlot
from notifications.models import Notification
from tests.admin_form import form_data
from tests.events.lunch.conftest import lunch_make
from tests.factories import NY, EventFactory, SessionFactory, UserFactory, staff_with
from tests.mentorship.conftest import make_slot, speed_session

pytestmark = pytest.mark.django_db

EVENTS = reverse("admin:events_event_changelist")
SESSIONS = reverse("admin:events_session_changelist")
EDITOR = ("events.change_event", "events.add_session", "events.change_session",
          "events.view_event", "events.view_session")  # fmt: skip
HEADER = ("key,title,kind,day,start,end,room,capacity,registration_mode,audience,"
          "career_paths,speakers,description")  # fmt: skip


@pytest.fixture
def editor(client):
    client.force_login(staff_with(*EDITOR))
    return client


def history(obj) -> list[str]:
    return [
        entry.get_change_message()
        for entry in LogEntry.objects.filter(object_id=str(obj.pk)).order_by("pk")
        if entry.content_type.model_class() is type(obj)
    ]


# --- drafts and publishing ------------------------------------------------------------------


def test_publish_action_asks_first_then_publishes_and_emails_nobody(editor):
    session = SessionFactory(title="Grant writing", is_published=False)

    page = editor.post(
        SESSIONS, {"action": "sessions_publish_action", "_selected_action": [session.pk]}
    )
    session.refresh_from_db()
    assert page.status_code == 200 and "Nobody is emailed" in page.content.decode()
    assert not session.is_published

    editor.post(
        SESSIONS,
        {"action": "sessions_publish_action", "_selected_action": [session.pk], "apply": "1"},
    )

    session.refresh_from_db()
    assert session.is_published
    assert not Notification.objects.exists()
    assert history(session) == ["Published."]


def test_taking_back_to_draft_keeps_places_and_says_so(editor):
    session = SessionFactory()
    registration_create(session=session, user=UserFactory())

    page = editor.post(
        SESSIONS, {"action": "sessions_unpublish_action", "_selected_action": [session.pk]}
    ).content.decode()
    editor.post(
        SESSIONS,
        {"action": "sessions_unpublish_action", "_selected_action": [session.pk], "apply": "1"},
    )

    assert "1 place held in them is kept" in page
    session.refresh_from_db()
    assert not session.is_published
    assert Registration.objects.get().status == Registration.Status.CONFIRMED


def test_event_publish_action_publishes_the_event_and_all_its_draft_sessions(editor):
    summit_event = EventFactory(is_published=False)
    drafts = [SessionFactory(event=summit_event, is_published=False) for _ in range(3)]

    editor.post(EVENTS, {"action": "event_publish_action", "_selected_action": [summit_event.pk],
                         "apply": "1"})  # fmt: skip

    summit_event.refresh_from_db()
    assert summit_event.is_published
    assert Session.objects.filter(pk__in=[s.pk for s in drafts], is_published=True).count() == 3
    assert not Notification.objects.exists()


def test_publish_action_forged_without_permission_is_403_and_changes_nothing(client):
    session = SessionFactory(is_published=False)
    client.force_login(staff_with("events.view_session"))

    response = client.post(
        SESSIONS,
        {"action": "sessions_publish_action", "_selected_action": [session.pk], "apply": "1"},
    )

    assert response.status_code == 403
    session.refresh_from_db()
    assert not session.is_published


def test_import_agenda_draft_flag_makes_new_sessions_drafts(tmp_path):
    EventFactory(slug="meeting", starts_on=dt.date(2030, 12, 5), ends_on=dt.date(2030, 12, 8))
    path = tmp_path / "a.csv"
    path.write_text(f"{HEADER}\nk1,Talk,didactic,2030-12-06,10:00,11:00,Hall,20,open,,,,\n")

    call_command("import_agenda", "meeting", str(path), "--draft", stdout=io.StringIO())

    assert Session.objects.get(key="k1").is_published is False


def test_change_form_history_names_old_and_new_values_in_the_event_zone(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    session = SessionFactory(capacity=40)
    url = reverse("admin:events_session_change", args=[session.pk])

    data = form_data(client.get(url).content.decode(), "session_form")
    data["capacity"] = ["30"]
    response = client.post(url, data)

    assert response.status_code == 302
    assert history(session) == ["Changed capacity: 40 → 30."]


# --- import with a preview, and export ------------------------------------------------------


def csv_file(*lines: str, name="program.csv", raw: bytes | None = None) -> SimpleUploadedFile:
    content = raw if raw is not None else "\n".join([HEADER, *lines]).encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def upload(client, summit_event, file, draft=False):
    data = {"action": "agenda_import_action", "_selected_action": [summit_event.pk], "step": "preview",
            "file": file}  # fmt: skip
    if draft:
        data["draft"] = "on"
    return client.post(EVENTS, data)


def apply(client, summit_event, preview):
    return client.post(EVENTS, {"action": "agenda_import_action", "_selected_action": [summit_event.pk],
                                "step": "apply", "upload": preview.context["upload"]})  # fmt: skip


@pytest.fixture
def summit_event():
    return EventFactory(slug="summit", timezone="America/New_York",
                        starts_on=dt.date(2030, 12, 5), ends_on=dt.date(2030, 12, 8))  # fmt: skip


GOOD = [
    "k1,Grant writing,micro_learning,2030-12-06,10:00,10:30,Pod A,20,open,,,Ana Ruiz,",
    "k2,Careers in industry,didactic,2030-12-06,11:00,12:00,Hall B,100,open,,,,",
]


def test_import_preview_lists_new_changed_unchanged_and_writes_nothing(editor, summit_event):
    SessionFactory(event=summit_event, key="k1", title="Grant writing", kind="micro_learning",
                   starts_at=dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY), capacity=20,
                   room__name="Pod A", speakers=["Ana Ruiz"])  # fmt: skip
    SessionFactory(event=summit_event, key="k3", title="Old title",
                   starts_at=dt.datetime(2030, 12, 7, 9, 0, tzinfo=NY),
                   room__name="Pod C")  # fmt: skip

    preview = upload(editor, summit_event, csv_file(
        *GOOD, "k3,New title,micro_learning,2030-12-07,09:00,09:30,Pod C,20,open,,,,"))  # fmt: skip

    assert [row.key for row in preview.context["new"]] == ["k2"]
    assert [row.key for row in preview.context["unchanged"]] == ["k1"]
    [(row, fields)] = preview.context["changed"]
    assert (row.key, fields) == ("k3", [("title", "Old title", "New title")])
    assert Session.objects.filter(event=summit_event).count() == 2


def test_import_apply_writes_all_and_a_second_import_updates_not_duplicates(editor, summit_event):
    apply(editor, summit_event, upload(editor, summit_event, csv_file(*GOOD)))
    first = dict(Session.objects.values_list("key", "pk"))

    again = upload(editor, summit_event, csv_file(*GOOD))

    assert set(first) == {"k1", "k2"}
    assert [row.key for row in again.context["unchanged"]] == ["k1", "k2"]
    assert "Apply the import" not in again.content.decode()
    assert dict(Session.objects.values_list("key", "pk")) == first
    assert history(summit_event) == ["Imported a program CSV: 2 created, 0 updated, 0 unchanged."]


def test_import_with_draft_box_creates_drafts(editor, summit_event):
    apply(editor, summit_event, upload(editor, summit_event, csv_file(*GOOD), draft=True))

    assert set(Session.objects.values_list("is_published", flat=True)) == {False}


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["k1,T,party,2030-12-06,10:00,10:30,,,drop_in,,,,"], "line 2: kind “party”"),
        (["k1,T,didactic,2030-13-06,10:00,10:30,,,drop_in,,,,"], "line 2: day “2030-13-06”"),
        (["k1,T,didactic,2030-12-06,25:00,10:30,,,drop_in,,,,"], "line 2: start “25:00”"),
        (["k1,T,didactic,2030-12-06,11:00,10:30,,,drop_in,,,,"], "line 2: end must be after"),
        (["k1,T,didactic,2030-12-06,10:00,11:00,,,drop_in,,,,",
          "k1,U,didactic,2030-12-06,12:00,13:00,,,drop_in,,,,"], "line 3: key “k1” repeats"),
        (["k1,T,didactic,2030-12-06,10:00,11:00,Hall,,drop_in,,,,",
          "k2,U,didactic,2030-12-06,10:30,11:30,Hall,,drop_in,,,,"],
         "line 3: room “Hall” is taken at that time by line 2"),
    ],
    ids=["kind", "date", "time", "end-before-start", "duplicated-key", "room-clash"],
)  # fmt: skip
def test_import_bad_lines_are_reported_with_their_line_and_nothing_imported(
    editor, summit_event, lines, expected
):
    page = upload(editor, summit_event, csv_file(*lines))

    assert page.status_code == 200
    assert any(expected in problem for problem in page.context["problems"])
    assert "Apply the import" not in page.content.decode()
    assert not Session.objects.exists()


def test_import_room_clash_with_a_session_the_file_leaves_alone_is_refused(editor, summit_event):
    SessionFactory(event=summit_event, title="Keynote", room__name="Hall",
                   starts_at=dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY))  # fmt: skip

    page = upload(
        editor, summit_event, csv_file("k9,T,didactic,2030-12-06,10:15,11:00,Hall,,drop_in,,,,")
    )

    assert page.context["problems"] == [
        "line 2: room “Hall” is taken at that time by “Keynote”, which the file leaves as it is"
    ]


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (csv_file(raw=b"key,title,kind\nk1,T,didactic\n"), "missing day"),
        (csv_file(raw=(HEADER + "\nk1,Caf\xe9,didactic,2030-12-06,10:00,11:00,,,drop_in,,,,\n")
                  .encode("latin-1")), "line 2: the file is not UTF-8"),
        (csv_file(raw=b"x" * (50 * 1024 * 1024)), "the limit is 2 MB"),
    ],
    ids=["missing-column", "not-utf8", "50MB"],
)  # fmt: skip
def test_import_bad_files_are_refused_with_a_reason(editor, summit_event, file, expected):
    page = upload(editor, summit_event, file)

    assert page.status_code == 200
    assert expected in page.content.decode()
    assert not Session.objects.exists()


def test_export_then_import_is_a_round_trip(editor, summit_event):
    apply(editor, summit_event, upload(editor, summit_event, csv_file(
        *GOOD, 'k4,"=SUM(A1), with a comma",didactic,2030-12-07,09:00,10:00,,,drop_in,'
               'fellow;resident,industry,A;B,"Two\nlines"')))  # fmt: skip
    SessionFactory(event=summit_event, key="", title="Made by hand", room__name="Pod Z")

    exported = editor.post(EVENTS, {"action": "agenda_export_action",
                                    "_selected_action": [summit_event.pk]})  # fmt: skip
    text = exported.content.decode()
    again = upload(editor, summit_event, csv_file(raw=text.encode()))

    assert next(iter(csv.reader(io.StringIO(text)))) == HEADER.split(",")
    assert len(again.context["unchanged"]) == 4
    assert again.context["new"] == [] and again.context["changed"] == []


# --- cloning --------------------------------------------------------------------------------


def test_clone_copies_the_program_as_drafts_on_the_new_dates_without_people(client):
    client.force_login(staff_with(*EDITOR, "events.add_event"))
    source = EventFactory(slug="ash-2030", name="ASH 2030", starts_on=dt.date(2030, 12, 5),
                          ends_on=dt.date(2030, 12, 8))  # fmt: skip
    talk = SessionFactory(event=source, key="t1", title="Talk", room__name="W230",
                          starts_at=dt.datetime(2030, 12, 6, 10, 0, tzinfo=NY))  # fmt: skip
    registration_create(session=talk, user=UserFactory())
    lunch = lunch_make(event=source, title="Lunch", tables=2, rotations=2)
    lunch_join(session=lunch, user=UserFactory())
    TableHost.objects.create(table=lunch.lunch_tables.first(), name="Dr. Host",
                             user=UserFactory())  # fmt: skip
    slot = make_slot(speed_session(source, title="Blood Buddies"))
    data = {"action": "event_clone_action", "_selected_action": [source.pk],
            "slug": "ash-2031", "name": "ASH 2031", "starts_on": "2031-12-04"}  # fmt: skip

    confirm = client.post(EVENTS, {**data, "step": "confirm"})
    assert not Event.objects.filter(slug="ash-2031").exists()
    assert "Please confirm" in confirm.content.decode()
    client.post(EVENTS, {**data, "step": "apply"})

    copy = Event.objects.get(slug="ash-2031")
    assert (copy.name, copy.starts_on, copy.ends_on, copy.is_published) == (
        "ASH 2031", dt.date(2031, 12, 4), dt.date(2031, 12, 7), False)  # fmt: skip
    talk_copy = copy.sessions.get(key="t1")
    assert talk_copy.starts_at == dt.datetime(2031, 12, 5, 10, 0, tzinfo=NY)
    assert talk_copy.room.name == "W230" and talk_copy.room.event == copy
    assert set(copy.sessions.values_list("is_published", flat=True)) == {False}
    lunch_copy = copy.sessions.get(title="Lunch")
    assert LunchTable.objects.filter(session=lunch_copy).count() == 2
    assert LunchRotation.objects.filter(session=lunch_copy).count() == 2
    hosts = TableHost.objects.filter(table__session=lunch_copy).order_by("table__number", "pk")
    assert list(hosts.values_list("name", flat=True)) == list(
        TableHost.objects.filter(table__session=lunch).order_by("table__number", "pk")
        .values_list("name", flat=True))  # fmt: skip
    assert "Dr. Host" in hosts.values_list("name", flat=True)
    assert set(hosts.values_list("user", flat=True)) == {None}
    slot_copy = SpeedMentoringSlot.objects.get(session__event=copy)
    assert (slot_copy.rounds, slot_copy.tables, slot_copy.published_at) == (
        slot.rounds, slot.tables, None)  # fmt: skip
    assert not Registration.objects.filter(session__event=copy).exists()
    assert history(copy) == ["Cloned from “ASH 2030” (ash-2030)."]


def test_clone_to_a_taken_slug_is_refused_on_the_form(client):
    client.force_login(staff_with(*EDITOR, "events.add_event"))
    source = EventFactory(slug="ash-2030")
    EventFactory(slug="ash-2031")

    page = client.post(EVENTS, {"action": "event_clone_action", "_selected_action": [source.pk],
                                "step": "apply", "slug": "ash-2031", "name": "X",
                                "starts_on": "2031-12-04"})  # fmt: skip

    assert "exists already" in page.content.decode()
    assert Event.objects.count() == 2
