from django import forms

from accounts.models import CareerPath
from config.text import MultiLineFormField

from .models import MAX_CAPACITY, MentorOffer
from .scoring import MAX_RANKED

NOT_IN_SLOT = "Choose a mentor from this slot's list."


class MentorOfferForm(forms.Form):
    capacity = forms.IntegerField(
        label="Trainees at your table at once",
        min_value=1,
        max_value=MAX_CAPACITY,
        initial=1,
        help_text=f"1 for one-on-one conversations, up to {MAX_CAPACITY} for a small group.",
    )
    excluded_institutions = MultiLineFormField(
        label="Do not match me with trainees from",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Institutions, one per line (e.g. your own trainees' program). Your own "
        "institution is never matched.",
    )


class TraineeSignupForm(forms.Form):
    """Confirmed interests and up to five ranked mentors, each from the slot's list."""

    interests = forms.ModelMultipleChoiceField(
        label="Your career interests",
        queryset=CareerPath.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Mentors with expertise in these paths are preferred.",
    )

    def __init__(
        self, *args, offers: list[MentorOffer], withdrawn: dict[int, str] | None = None, **kwargs
    ):
        """`withdrawn`: rank -> name of a mentor the trainee ranked there who has withdrawn."""
        super().__init__(*args, **kwargs)
        self.offers = {str(offer.pk): offer for offer in offers}
        choices = [("", "— no choice —")] + [
            (str(offer.pk), offer.mentor.get_full_name()) for offer in offers
        ]
        withdrawn = withdrawn or {}
        for rank in range(1, MAX_RANKED + 1):
            self.fields[f"rank_{rank}"] = forms.ChoiceField(
                label=f"Choice {rank}",
                choices=choices,
                required=False,
                error_messages={"invalid_choice": NOT_IN_SLOT},
                help_text=(
                    f"{withdrawn[rank]} withdrew from this slot: choose another mentor."
                    if rank in withdrawn
                    else ""
                ),
            )

    def rank_fields(self):
        return [self[f"rank_{rank}"] for rank in range(1, MAX_RANKED + 1)]

    def clean(self):
        cleaned = super().clean()
        picked = [cleaned.get(f"rank_{rank}") for rank in range(1, MAX_RANKED + 1)]
        picked = [pk for pk in picked if pk]
        if len(set(picked)) != len(picked):
            raise forms.ValidationError("Rank each mentor once.", code="duplicate")
        cleaned["preferred"] = [self.offers[pk] for pk in picked if pk in self.offers]
        return cleaned


class StayInTouchForm(forms.Form):
    stay = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda value: value == "yes"
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How useful was this conversation?",
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="1 = not useful, 5 = very useful.",
    )
    comment = MultiLineFormField(
        label="Comment (optional; staff see it)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PersonForm(forms.Form):
    """Staff: the person marked absent (a user id from the review page)."""

    user = forms.IntegerField(min_value=1)
