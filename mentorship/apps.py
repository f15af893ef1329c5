from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "mentorship"
    verbose_name = "Blood Buddies mentoring"

    def ready(self) -> None:
        from events import hooks

        from .selectors import agenda_section_for_user, calendar_additions_for_user

        # The rounds appear on "my agenda" and in the calendar feed; events never imports us.
        if agenda_section_for_user not in hooks.agenda_section_hooks:
            hooks.agenda_section_hooks.append(agenda_section_for_user)
        if calendar_additions_for_user not in hooks.calendar_hooks:
            hooks.calendar_hooks.append(calendar_additions_for_user)

        from events.models import Session

        from .selectors.slots import sessions_open_to_trainees

        # The agenda's "free seats" filter asks us whether trainees can still sign up.
        hooks.free_place_hooks[Session.Mode.MATCHED] = sessions_open_to_trainees

        from notifications.services import register_context_provider

        from .services.notices import mentor_reminder_details

        # Mentors' reminders list their rounds as they stand when the reminder goes out.
        register_context_provider("mentoring_reminder", mentor_reminder_details)
