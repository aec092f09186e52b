from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.standard import registry

from .models import Referral, Service

ANY = _("Any")


def _with_blank(choices):
    return [("", ANY), *choices]


class DirectorySearchForm(forms.Form):
    need = forms.ChoiceField(label=_("Need"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    place = forms.CharField(label=_("Place"), required=False, max_length=100)
    language = forms.CharField(label=_("Language (ISO 639-3, e.g. tha, mya)"), required=False, max_length=3)
    text = forms.CharField(label=_("Name or organisation"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = _with_blank(registry.choices("service_type"))
        self.fields["country"].choices = _with_blank(registry.choices("country"))

    def clean_language(self):
        code = self.cleaned_data["language"].strip().lower()
        if code and not registry.is_valid("language", code):
            raise forms.ValidationError(_("%(code)s is not an ISO 639-3 language code.") % {"code": code})
        return code


class ServiceForm(forms.ModelForm):
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=200,
        help_text=_("ISO 639-3 codes separated by spaces, e.g. tha mya eng"),
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "service_type",
            "description",
            "eligibility",
            "languages",
            "country",
            "place",
            "address",
            "latitude",
            "longitude",
            "coverage_area",
            "capacity",
            "opening_hours",
            "contact_phone",
            "contact_email",
            "answer_days",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = " ".join(self.instance.languages or [])

    def clean_languages(self):
        codes = self.cleaned_data["languages"].lower().split()
        wrong = [c for c in codes if not registry.is_valid("language", c)]
        if wrong:
            raise forms.ValidationError(
                _("Not ISO 639-3 language codes: %(codes)s") % {"codes": ", ".join(wrong)}
            )
        return codes


class ReferralForm(forms.Form):
    needs = forms.MultipleChoiceField(label=_("Needs to refer for"), widget=forms.CheckboxSelectMultiple)
    service = forms.ModelChoiceField(label=_("Service"), queryset=None, empty_label=None)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False)
    share_identity = forms.BooleanField(
        label=_("Share the person's name and contact details"),
        required=False,
        help_text=_(
            "Only if the person consented to sharing their data. Otherwise the service receives age group, "
            "sex, languages, needs and urgency only."
        ),
    )
    note = forms.CharField(
        label=_("Note for the service"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what the service needs to know to help."),
    )

    def __init__(self, *args, services, with_urgency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = registry.choices("service_type")
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.name} — {s.organisation.name} — {registry.label('service_type', s.service_type)} — {s.place}"
        )
        if with_urgency:
            self.fields["urgency"].choices = registry.choices("screening_urgency")
            self.fields["urgency"].required = True
        else:
            del self.fields["urgency"]


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the referrer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"))
    note = forms.CharField(
        label=_("Explanation"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = registry.choices("referral_decline_reason")


class ServiceGivenForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service given"))
    service_date = forms.DateField(label=_("Date of service (YYYY-MM-DD)"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note to the referrer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = registry.choices("service_type")


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Referral.Status.choices]
    )
    mine = forms.BooleanField(label=_("Only those I sent"), required=False)
