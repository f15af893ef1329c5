from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "listening"
    verbose_name = "Listening sessions"

    def ready(self) -> None:
        from events import hooks

        from .agenda import listening_session_notes

        # The agenda's listening items link to the page where people ask to take part.
        hooks.hook_add(hooks.session_note_hooks, listening_session_notes)

        from .selectors.agenda import agenda_section_private, calendar_private

        # The person's own booking and group place appear on their agenda and in their feed
        # as "Private conversation"; events never imports us.
        hooks.hook_add(hooks.agenda_section_hooks, agenda_section_private)
        hooks.hook_add(hooks.calendar_hooks, calendar_private)

        from accounts.services import register_deletion_hook

        from .services.interviews import facilitator_slots_release

        # A facilitator's slots protect their account: they go first, their people are told.
        register_deletion_hook(facilitator_slots_release)
