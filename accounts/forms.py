from django import forms

from config.text import OneLineFormField

from .models import CareerPath, CareerStage, Profile, User


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form adds to email and password (ACCOUNT_SIGNUP_FORM_CLASS)."""

    name = OneLineFormField(
        label="Full name",
        max_length=User._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["name", "email", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        # The adapter already stored the name; allauth requires this hook to exist.
        return None


class ProfileForm(forms.ModelForm):
    name = OneLineFormField(label="Full name", max_length=User._meta.get_field("name").max_length)
    interests = forms.ModelMultipleChoiceField(
        queryset=CareerPath.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Career interests",
    )
    expertise = forms.ModelMultipleChoiceField(
        queryset=CareerPath.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Mentor expertise",
        help_text="Career paths you can advise on (mentors only).",
    )

    class Meta:
        model = Profile
        fields = [
            "career_stage",
            "institution",
            "interests",
            "pronouns",
            "accessibility_needs",
            "dietary_needs",
            "is_mentor",
            "mentor_bio",
            "expertise",
        ]
        labels = {
            "accessibility_needs": "Accessibility needs",
            "dietary_needs": "Dietary needs (for the career lunch)",
            "pronouns": "Pronouns (optional)",
        }
        widgets = {
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
            "mentor_bio": forms.Textarea(attrs={"rows": 4}),
        }

    field_order = ["name", "career_stage", "institution", "pronouns", "interests"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].initial = user.name
        self.fields["career_stage"].required = True
        self.fields["career_stage"].choices = [
            ("", "Choose your career stage"),
            *CareerStage.choices,
        ]

    def clean(self):
        data = super().clean()
        if data.get("is_mentor"):
            if not (data.get("mentor_bio") or "").strip():
                self.add_error("mentor_bio", "Mentors need a short bio so trainees can choose.")
            if not data.get("expertise"):
                self.add_error("expertise", "Choose at least one career path you can advise on.")
        return data


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that my profile, registrations and mentoring data are deleted for good.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class FirstRunForm(forms.ModelForm):
    """The short profile step after the first sign-in: each question says why it is asked."""

    interests = forms.ModelMultipleChoiceField(
        queryset=CareerPath.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Career interests",
        help_text="The agenda marks sessions, lunch tables and mentors that match them "
        "(“For you”). Choose as many as you like.",
    )

    class Meta:
        model = Profile
        fields = [
            "career_stage",
            "institution",
            "interests",
            "accessibility_needs",
            "dietary_needs",
        ]
        labels = {
            "career_stage": "Career stage",
            "accessibility_needs": "Accessibility needs",
            "dietary_needs": "Dietary needs",
        }
        help_texts = {
            "career_stage": "Some sessions are open to certain stages only; with your stage the "
            "agenda shows which ones you can register for.",
            "institution": "Mentors and lunch hosts see it when you sign up with them.",
            "accessibility_needs": "Staff only: so rooms and sessions work for you.",
            "dietary_needs": "Staff only: for the career lunch.",
        }
        widgets = {"accessibility_needs": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["career_stage"].choices = [
            ("", "Choose your career stage"),
            *CareerStage.choices,
        ]
