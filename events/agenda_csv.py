"""Reads and checks an agenda CSV (the `import_agenda` format) before anything is written.

Every problem is collected with its line number, so staff fix a file in one pass.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError

from accounts.models import CareerPath, CareerStage
from config.csv_safe import FORMULA_STARTS, SafeWriter

from .models import Room, Session, validate_speakers

COLUMNS = [
    "key", "title", "kind", "day", "start", "end", "room", "capacity",
    "registration_mode", "audience", "career_paths", "speakers", "description",
]  # fmt: skip


class AgendaError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class AgendaRow:
    line: int
    key: str
    title: str
    kind: str
    day: date
    start: time
    end: time
    room: str
    capacity: int | None
    registration_mode: str
    audience: list[str] = field(default_factory=list)
    career_paths: list[str] = field(default_factory=list)  # slugs
    speakers: list[str] = field(default_factory=list)
    description: str = ""


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


# Free-text columns and the model field whose limits (length, one line) they must meet.
TEXT_COLUMNS = {
    "key": Session._meta.get_field("key"),
    "title": Session._meta.get_field("title"),
    "room": Room._meta.get_field("name"),
    "description": Session._meta.get_field("description"),
}


def _text_problems(value: dict[str, str]) -> list[str]:
    problems = []
    for column, model_field in TEXT_COLUMNS.items():
        if value[column]:
            try:
                model_field.run_validators(value[column])
            except ValidationError as exc:
                problems.append(f"{column}: {exc.messages[0]}")
    try:
        validate_speakers(_split(value["speakers"]))
    except ValidationError as exc:
        problems.extend(f"speakers: {message}" for message in exc.messages)
    return problems


def _unguard(value: str) -> str:
    """Undoes the export's spreadsheet guard (`config.csv_safe`): a leading `'` before a sign
    a spreadsheet would run, so an exported file imports back as it was."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def parse_agenda(text: str) -> list[AgendaRow]:
    """Returns the rows, or raises AgendaError listing every problem found."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if header != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if extra:
            detail.append(f"unexpected {', '.join(extra)}")
        raise AgendaError(
            [
                f"line 1: the header must be {','.join(COLUMNS)} ({'; '.join(detail) or 'wrong order'})"
            ]
        )

    paths_by_name = {}
    for path in CareerPath.objects.all():
        paths_by_name[path.slug.lower()] = path.slug
        paths_by_name[path.name.lower()] = path.slug
    stages = {value: value for value in CareerStage.values}
    stages.update({label.lower(): value for value, label in CareerStage.choices})

    rows: list[AgendaRow] = []
    problems: list[str] = []
    seen_keys: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw or any(v is None for v in raw.values()):
            problems.append(f"line {line}: expected {len(COLUMNS)} columns")
            continue
        value = {k.strip(): _unguard((v or "").strip()) for k, v in raw.items()}
        if not any(value.values()):
            continue
        errors: list[str] = []

        key = value["key"]
        if not key:
            errors.append("key is empty")
        elif key in seen_keys:
            errors.append(f"key “{key}” repeats line {seen_keys[key]}")
        else:
            seen_keys[key] = line
        if not value["title"]:
            errors.append("title is empty")
        if value["kind"] not in Session.Kind.values:
            errors.append(f"kind “{value['kind']}” is not one of {', '.join(Session.Kind.values)}")
        mode = value["registration_mode"] or (
            Session.Mode.OPEN if value["capacity"] else Session.Mode.DROP_IN
        )
        if mode not in Session.Mode.values:
            errors.append(
                f"registration_mode “{mode}” is not one of {', '.join(Session.Mode.values)}"
            )
        try:
            day = date.fromisoformat(value["day"])
        except ValueError:
            errors.append(f"day “{value['day']}” is not a date like 2019-12-06")
            day = None
        times = {}
        for name in ("start", "end"):
            try:
                times[name] = datetime.strptime(value[name], "%H:%M").time()
            except ValueError:
                errors.append(f"{name} “{value[name]}” is not a time like 09:30")
        if len(times) == 2 and times["end"] <= times["start"]:
            errors.append("end must be after start")
        capacity = None
        if value["capacity"]:
            try:
                capacity = int(value["capacity"])
                if capacity < 0:
                    raise ValueError
            except ValueError:
                errors.append(f"capacity “{value['capacity']}” is not a whole number ≥ 0")
        if mode == Session.Mode.OPEN and not value["capacity"]:
            errors.append("capacity is required for open registration")
        audience = []
        for stage in _split(value["audience"]):
            if stage.lower() not in stages:
                errors.append(
                    f"audience “{stage}” is not a career stage ({', '.join(CareerStage.values)})"
                )
            else:
                audience.append(stages[stage.lower()])
        career_paths = []
        for path in _split(value["career_paths"]):
            if path.lower() not in paths_by_name:
                errors.append(f"career path “{path}” is unknown")
            else:
                career_paths.append(paths_by_name[path.lower()])

        errors.extend(_text_problems(value))
        if errors:
            problems.extend(f"line {line}: {error}" for error in errors)
            continue
        rows.append(
            AgendaRow(
                line=line,
                key=key,
                title=value["title"],
                kind=value["kind"],
                day=day,
                start=times["start"],
                end=times["end"],
                room=value["room"],
                capacity=capacity,
                registration_mode=mode,
                audience=audience,
                career_paths=career_paths,
                speakers=_split(value["speakers"]),
                description=value["description"],
            )
        )
    if problems:
        raise AgendaError(problems)
    if not rows:
        raise AgendaError(["the file has no sessions"])
    return rows


def session_export_key(session: Session) -> str:
    """The key a session has in an export: its own, or one made from its id for a session
    made by hand (the import recognizes it, so a round trip updates that session)."""
    return session.key or f"session-{session.pk}"


def agenda_write_csv(*, event, out) -> int:
    """The event's program in the import format (drafts included: this is for staff), so a
    file exported, edited and imported again updates the same sessions. Returns the count."""
    writer = SafeWriter(out)
    writer.writerow(COLUMNS)
    sessions = (
        Session.objects.filter(event=event)
        .select_related("room", "event")
        .prefetch_related("career_paths")
        .order_by("starts_at", "pk")
    )
    count = 0
    for session in sessions:
        start, end = session.local_start(), session.local_end()
        writer.writerow(
            [
                session_export_key(session),
                session.title,
                session.kind,
                start.date().isoformat(),
                f"{start:%H:%M}",
                f"{end:%H:%M}",
                session.room.name if session.room_id else "",
                "" if session.capacity is None else session.capacity,
                session.registration_mode,
                ";".join(session.audience),
                ";".join(sorted(p.slug for p in session.career_paths.all())),
                ";".join(session.speakers),
                session.description,
            ]
        )
        count += 1
    return count
