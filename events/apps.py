from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events and sessions"

    def ready(self) -> None:
        from accounts.services import register_deletion_hook
        from notifications.services import register_context_provider

        from . import hooks
        from .lunch_selectors import lunch_sessions_with_free_seat
        from .models import Session
        from .services import registrations_release_for_user
        from .services.lunch_notices import LUNCH_NOTICE_KINDS, lunch_notice_details
        from .services.notices import reminder_personal_details

        # A deleted account's seats go to the waitlist rather than vanishing silently.
        register_deletion_hook(registrations_release_for_user)
        # Reminders list the person's tables or rounds as they are when the mail goes out.
        register_context_provider("session_reminder", reminder_personal_details)
        # Lunch emails list the person's tables as they hold them when the mail goes out.
        for kind in LUNCH_NOTICE_KINDS:
            register_context_provider(kind, lunch_notice_details)
        # The lunch has room when a table has a seat in some rotation ("free seats" filter).
        hooks.free_place_hooks[Session.Mode.TABLES] = lunch_sessions_with_free_seat

        from .lunch_hosting import lunch_host_calendar, lunch_host_section

        # A lunch host's tables are on their agenda and in their calendar feed.
        if lunch_host_section not in hooks.agenda_section_hooks:
            hooks.agenda_section_hooks.append(lunch_host_section)
        if lunch_host_calendar not in hooks.calendar_hooks:
            hooks.calendar_hooks.append(lunch_host_calendar)
