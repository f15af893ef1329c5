from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "listening"
    verbose_name = "Listening sessions"

    def ready(self) -> None:
        from events import hooks

        from .agenda import listening_session_notes

        # The agenda's listening items link to the page where people ask to take part.
        hooks.hook_add(hooks.session_note_hooks, listening_session_notes)
