from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from events.agenda_csv import AgendaError, parse_agenda
from events.services import event_agenda_import


class Command(BaseCommand):
    help = "Creates or updates an event's sessions from a CSV file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file")
        parser.add_argument(
            "--create", action="store_true", help="Create the event if it does not exist."
        )
        parser.add_argument("--name", help="Name of the event created with --create.")
        parser.add_argument(
            "--timezone", default="America/New_York", help="Time zone of a created event."
        )
        parser.add_argument("--city", default="", help="City of a created event.")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Create new sessions as drafts (unseen until published in admin); "
            "sessions that exist keep their state.",
        )

    def handle(self, *args, slug, file, create, name, timezone, city, draft, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}", returncode=2) from exc
        try:
            rows = parse_agenda(text)
        except AgendaError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(
                f"nothing imported: {len(exc.problems)} problem(s) in {file}", returncode=2
            ) from exc

        try:
            event, created, counts = event_agenda_import(
                slug=slug,
                rows=rows,
                create=create,
                name=name,
                timezone=timezone,
                city=city,
                publish=not draft,
            )
        except ValidationError as exc:
            raise CommandError(
                f"nothing imported: {'; '.join(exc.messages)}", returncode=2
            ) from exc
        if created:
            self.stdout.write(f"created event {slug}")
        self.stdout.write(
            f"{event.slug}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
