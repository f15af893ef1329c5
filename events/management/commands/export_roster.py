from django.core.management.base import BaseCommand, CommandError

from events.models import Session
from events.roster import roster_write_csv


class Command(BaseCommand):
    help = "Prints a session's roster as CSV: email,name,status,position."

    def add_arguments(self, parser):
        parser.add_argument("session_id")

    def handle(self, *args, session_id, **options):
        try:
            session = Session.objects.get(pk=int(session_id))
        except (ValueError, Session.DoesNotExist) as exc:
            raise CommandError(f"no session with id “{session_id}”", returncode=2) from exc
        roster_write_csv(session=session, out=self.stdout)
