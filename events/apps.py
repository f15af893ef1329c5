from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events and sessions"

    def ready(self) -> None:
        from accounts.services import register_deletion_hook
        from notifications.services import register_context_provider, register_send_check

        from .services import registrations_release_for_user
        from .services.notices import reminder_personal_details, session_send_check

        # A deleted account's seats go to the waitlist rather than vanishing silently.
        register_deletion_hook(registrations_release_for_user)
        # Nothing about a draft is mailed: rows about one wait until it is published. The
        # answer depends on the session alone, so a dispatcher asks once per session.
        register_send_check(session_send_check, depends_on=("session_id",))
        # Reminders list the person's tables or rounds as they are when the mail goes out.
        register_context_provider("session_reminder", reminder_personal_details)
