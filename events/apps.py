from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events and sessions"

    def ready(self) -> None:
        from accounts.services import register_deletion_hook

        from .services import registrations_release_for_user

        # A deleted account's seats go to the waitlist rather than vanishing silently.
        register_deletion_hook(registrations_release_for_user)
