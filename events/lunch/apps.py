from django.apps import AppConfig


class LunchConfig(AppConfig):
    name = "events.lunch"
    label = "lunch"
    verbose_name = "Career lunch"

    def ready(self) -> None:
        from events import hooks
        from events.models import Session
        from notifications.services import register_context_provider

        from .admin import LUNCH_ACTIONS, LUNCH_INLINES, is_lunch, lunch_after_admin_save
        from .hosting import (
            lunch_agenda_items,
            lunch_host_calendar,
            lunch_host_section,
            lunch_registration_notes,
        )
        from .notices import LUNCH_NOTICE_KINDS, lunch_notice_details
        from .selectors import (
            lunch_host_names,
            lunch_sessions_with_free_seat,
            lunch_walk_in_tables,
        )
        from .services import lunch_clone, lunch_registration_cancelled

        # Lunch emails list the person's tables as they hold them when the mail goes out.
        for kind in LUNCH_NOTICE_KINDS:
            register_context_provider(kind, lunch_notice_details)
        # The lunch has room when a table has a seat in some rotation ("free seats" filter).
        hooks.free_place_hooks[Session.Mode.TABLES] = lunch_sessions_with_free_seat
        # The "now and next" screen lists the tables with room for walk-ins.
        hooks.now_session_hooks[Session.Mode.TABLES] = lunch_walk_in_tables
        # A lunch host's tables are on their agenda and in their calendar feed; a guest's
        # tables under the lunch on their agenda, in its calendar item and reminders.
        hooks.hook_add(hooks.agenda_section_hooks, lunch_host_section)
        hooks.hook_add(hooks.calendar_hooks, lunch_host_calendar)
        hooks.hook_add(hooks.registration_note_hooks, lunch_registration_notes)
        hooks.hook_add(hooks.agenda_item_hooks, lunch_agenda_items)
        # Agenda cards link the lunch's grid, where tables are picked.
        hooks.mode_links[Session.Mode.TABLES] = hooks.ModeLink(
            url_name="events:lunch_grid",
            text_mine="See or change your tables",
            text_other="Round tables: pick your tables",
        )
        # Table hosts count as the lunch's speakers in admin's speaker clash check.
        hooks.hook_add(hooks.session_people_hooks, lunch_host_names)
        # Leaving the lunch frees the person's table seats.
        hooks.hook_add(hooks.registration_cancelled_hooks, lunch_registration_cancelled)
        # A cloned event's lunch keeps its rotations and tables.
        hooks.hook_add(hooks.session_clone_hooks, lunch_clone)
        # Rotations and tables on a `tables` session's admin page, and the lunch's actions.
        hooks.hook_add(
            hooks.session_admin_extensions,
            hooks.SessionAdminExtension(
                applies=is_lunch,
                inlines=LUNCH_INLINES,
                actions=LUNCH_ACTIONS,
                after_save=lunch_after_admin_save,
            ),
        )
