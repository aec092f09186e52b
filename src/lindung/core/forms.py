from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .countries import country_choices
from .models import Organisation
from .roles import Role


class OtpForm(forms.Form):
    code = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the six digits shown by your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    # Checked by the site's password validators in the service (core.services.user_create).
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the token"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("User"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All")), ("refusals", _("Refusals")), ("exports", _("Exports"))],
    )


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names when the form has it,
    otherwise above the form, so that no refusal is lost."""
    if hasattr(exc, "error_dict"):
        # The ValidationErrors themselves, not their messages, so that their codes stay readable.
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
