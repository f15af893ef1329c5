from django import forms

from events.admin_time import session_when
from events.models import LunchTable, Session


class TablePickForm(forms.Form):
    """Take or change a table: `waitlist` asks for the cell's waitlist when it is full."""

    waitlist = forms.BooleanField(required=False)


class LunchCopyForm(forms.Form):
    """Admin: the lunch whose tables and hosts are copied into the selected ones."""

    source = forms.ModelChoiceField(
        label="Copy the tables of",
        queryset=Session.objects.none(),
        help_text="Tables and their hosts are copied; rotations and picks are not.",
    )

    def __init__(self, *args, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        with_tables = LunchTable.objects.values("session_id")
        self.fields["source"].queryset = (
            Session.objects.filter(registration_mode=Session.Mode.TABLES, pk__in=with_tables)
            .exclude(pk__in=[s.pk for s in exclude])
            .select_related("event")
            .order_by("-starts_at")
        )
        self.fields["source"].label_from_instance = lambda s: (
            f"{s.title} — {s.event.name}, {session_when(s)}"
        )


class RotationsGenerateForm(forms.Form):
    """Admin: back-to-back rotations from the lunch's start."""

    count = forms.IntegerField(label="Number of rotations", min_value=1, max_value=12, initial=3)
    minutes = forms.IntegerField(label="Minutes each", min_value=5, max_value=240, initial=20)
