from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "mentorship"
    verbose_name = "Blood Buddies mentoring"

    def ready(self) -> None:
        from events import hooks

        from .selectors import (
            agenda_section_for_user,
            calendar_additions_for_user,
            session_mentors_section,
            session_notes_for_user,
        )

        # The rounds appear on "my agenda" and in the calendar feed, the slot's state on the
        # agenda card and the session page, its mentors on the session page; events never
        # imports us.
        for registry, hook in [
            (hooks.agenda_section_hooks, agenda_section_for_user),
            (hooks.calendar_hooks, calendar_additions_for_user),
            (hooks.session_note_hooks, session_notes_for_user),
            (hooks.session_page_hooks, session_mentors_section),
        ]:
            if hook not in registry:
                registry.append(hook)

        from events.models import Session

        from .selectors.slots import sessions_open_to_trainees

        # The agenda's "free seats" filter asks us whether trainees can still sign up.
        hooks.free_place_hooks[Session.Mode.MATCHED] = sessions_open_to_trainees

        from notifications.services import register_context_provider

        from .services.notices import mentor_reminder_details

        # Mentors' reminders list their rounds as they stand when the reminder goes out.
        register_context_provider("mentoring_reminder", mentor_reminder_details)

        from accounts.services import register_mentor_declined_hook

        from .services.signups import mentor_offers_release

        # A declined mentor's held offers free their tables.
        register_mentor_declined_hook(mentor_offers_release)

        from .services.signups import slot_clone

        # A cloned event's Blood Buddies sessions keep their slot settings.
        hooks.hook_add(hooks.session_clone_hooks, slot_clone)
