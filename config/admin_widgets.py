"""Widgets the apps' admin forms share (no model imports: any app's admin may use them)."""

from django import forms


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes one per line, each with its whole label: friendlier than a two-pane picker
    for a dozen choices (admin styles the `radiolist` class so labels do not wrap early)."""

    class Media:
        css = {"all": ["css/admin.css"]}

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "radiolist", **(attrs or {})}, choices)
