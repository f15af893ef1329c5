from django.conf import settings
from django.core.management.base import BaseCommand

from listening.services.retention import listening_data_purge


class Command(BaseCommand):
    help = (
        "Deletes listening-session requests, bookings and group places of events that ended "
        "more than LISTENING_RETENTION_DAYS days ago (beat runs it daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be deleted; delete nothing."
        )

    def handle(self, *args, **options):
        counts = listening_data_purge(dry_run=options["dry_run"])
        verb = "Would delete" if options["dry_run"] else "Deleted"
        events = ", ".join(counts.events) or "none"
        self.stdout.write(
            f"{verb} {counts.requests} requests ({counts.log_entries} review log entries), "
            f"{counts.bookings} interview bookings and {counts.places} group places "
            f"(events ended more than {settings.LISTENING_RETENTION_DAYS} days ago: {events})."
        )
