"""Page forms. They only parse input; the accounts services apply every rule."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from lyceum.accounts.api.serializers import PreferencesSerializer
from lyceum.accounts.models import UserProfile


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class RegisterForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="Letters, digits and . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password = forms.CharField(
        max_length=256,
        help_text="At least 10 characters, not all digits, not a common one.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(forms.Form):
    login = forms.CharField(
        label="Email or username",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(
        label="New password",
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirm_password = forms.CharField(
        label="New password again",
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("confirm_password"):
            self.add_error("confirm_password", "The two passwords differ.")
        return data


class PasswordChangeForm(NewPasswordForm):
    current_password = forms.CharField(
        label="Current password",
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "new_password", "confirm_password"]


class ProfileForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254, help_text="A new address must be confirmed again.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    bio = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    phone = forms.CharField(
        max_length=32, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"})
    )
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    timezone = forms.CharField(
        label="Time zone", max_length=64, widget=forms.TextInput(attrs={"list": "timezones"})
    )
    theme = forms.ChoiceField(choices=[("system", "Same as my device"), ("light", "Light"), ("dark", "Dark")])
    email_notifications = forms.BooleanField(required=False, label="Email me about activity on my courses")

    def clean(self):
        data = super().clean()
        preferences = PreferencesSerializer(
            data={
                "theme": data.get("theme", "system"),
                "email_notifications": data.get("email_notifications", False),
            }
        )
        preferences.is_valid(raise_exception=False)
        data["preferences"] = preferences.validated_data if not preferences.errors else {}
        return data

    def changes(self, profile: UserProfile) -> dict:
        data = dict(self.cleaned_data)
        preferences = dict(profile.preferences or {})
        preferences.update(data.pop("preferences"))
        data.pop("theme", None)
        data.pop("email_notifications", None)
        data["preferences"] = preferences
        return data


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label="Avatar image",
        help_text="JPEG, PNG, WebP or GIF, up to 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
