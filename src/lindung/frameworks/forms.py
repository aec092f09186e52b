from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.standard import registry

from . import choices
from .models import Provision
from .services import DOCUMENT_TYPES


def _blank(choice_function):
    def with_blank():
        return [("", "—"), *choice_function()]

    return with_blank


def _parse_countries(value: str, *, field_label) -> list[str]:
    codes = [
        c.strip().upper() for c in (value or "").replace(",", " ").replace(";", " ").split() if c.strip()
    ]
    unknown = [c for c in codes if not registry.is_valid("country", c)]
    if unknown:
        raise forms.ValidationError(
            _(
                "%(field)s: unknown country codes %(codes)s. Use ISO 3166-1 alpha-3 codes such as IDN, MYS, "
                "THA."
            )
            % {"field": field_label, "codes": ", ".join(unknown)},
            code="country_unknown",
        )
    return list(dict.fromkeys(codes))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class InstrumentForm(forms.Form):
    title_en = forms.CharField(label=_("Title in English"), max_length=500)
    title_original = forms.CharField(
        label=_("Title in the original language"),
        max_length=500,
        required=False,
        help_text=_("Leave empty when the original is English."),
    )
    original_language = forms.ChoiceField(
        label=_("Original language"), choices=_blank(choices.language), required=False
    )
    short_title = forms.CharField(label=_("Short title"), max_length=120, required=False)
    instrument_type = forms.ChoiceField(label=_("Type"), choices=_blank(choices.instrument_type))
    country = forms.ChoiceField(
        label=_("Country"),
        choices=_blank(choices.country),
        required=False,
        help_text=_("For a national instrument."),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        choices=_blank(choices.region),
        required=False,
        help_text=_("For an international or regional instrument."),
    )
    parties = forms.CharField(
        label=_("Parties"),
        required=False,
        help_text=_("ISO 3166-1 alpha-3 codes separated by spaces, for example: IDN MYS."),
    )
    open_to_all_states = forms.BooleanField(
        label=_("Open to all states (multilateral treaty)"), required=False
    )
    adopted_on = forms.DateField(label=_("Adopted or signed on"), required=False, widget=DateInput())
    in_force_on = forms.DateField(label=_("In force from"), required=False, widget=DateInput())
    amended_on = forms.DateField(label=_("Last amended on"), required=False, widget=DateInput())
    repealed_on = forms.DateField(label=_("Repealed or terminated on"), required=False, widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=_blank(choices.instrument_status))
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    citation = forms.CharField(
        label=_("Citation"),
        max_length=500,
        required=False,
        help_text=_("Official citation, for example a treaty series volume and page."),
    )
    source_url = forms.URLField(label=_("Link to the source"), max_length=500, required=False)
    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("The official text: %(types)s.") % {"types": ", ".join(sorted(DOCUMENT_TYPES))},
    )
    implements = forms.ModelMultipleChoiceField(
        label=_("Implements"),
        queryset=None,
        required=False,
        help_text=_("International or regional instruments this one puts into effect."),
    )
    verification = forms.ChoiceField(
        label=_("Verification"),
        initial="unverified",
        choices=[(c, lbl) for c, lbl in choices.verification() if c != "verified"],
        help_text=_("Use the 'Mark as verified' button once you have checked the facts against the source."),
    )
    verification_note = forms.CharField(label=_("Verification note"), max_length=500, required=False)
    shared = forms.BooleanField(
        label=_("Shared with every organisation"),
        required=False,
        initial=True,
        help_text=_("Untick to keep an entry under preparation within your organisation."),
    )

    def __init__(self, *args, implementable=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["implements"].queryset = implementable
        self.fields["implements"].widget.attrs["size"] = 6

    def clean_parties(self):
        return _parse_countries(self.cleaned_data["parties"], field_label=_("Parties"))

    def clean(self):
        data = super().clean()
        if not data.get("title_original") and data.get("title_en"):
            data["title_original"] = data["title_en"]
        return data

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("document", "implements")}


class PartyStatusForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=_blank(choices.country))
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DateInput())
    consent = forms.ChoiceField(
        label=_("Consent to be bound"), choices=_blank(choices.consent), required=False
    )
    consent_on = forms.DateField(label=_("Date of the consent"), required=False, widget=DateInput())
    reservations = forms.CharField(
        label=_("Reservations and declarations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    citation = forms.CharField(label=_("Source"), max_length=500, required=False)
    verification = forms.ChoiceField(
        label=_("Verification"), choices=choices.verification, initial="unverified"
    )


class ProvisionForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"), max_length=80, help_text=_("For example 'Article 8(2)'.")
    )
    heading = forms.CharField(label=_("Heading"), max_length=300, required=False)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    text_kind = forms.ChoiceField(label=_("The text is"), choices=Provision.TextKind.choices)
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: registry.choices("framework_theme"),
    )
    gcm_objectives = forms.MultipleChoiceField(
        label=_("GCM objectives"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: [(c, f"{c}. {lbl}") for c, lbl in registry.choices("gcm_objective")],
    )
    groups = forms.MultipleChoiceField(
        label=_("Groups covered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: registry.choices("framework_group"),
    )
    position = forms.IntegerField(label=_("Position in the list"), min_value=0, max_value=100000, initial=0)


class RecommendationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=choices.recommendation_kind)
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))
    source = forms.CharField(label=_("Source (review or consultation)"), max_length=300)
    source_date = forms.DateField(label=_("Date of the source"), required=False, widget=DateInput())
    countries = forms.CharField(
        label=_("Countries"), required=False, help_text=_("ISO 3166-1 alpha-3 codes separated by spaces.")
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: registry.choices("framework_theme"),
    )
    instruments = forms.ModelMultipleChoiceField(label=_("Instruments"), queryset=None, required=False)
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=choices.priority,
        initial="medium",
        help_text=_("The desk-review report lists recommendations by priority, high first."),
    )
    followup_status = forms.ChoiceField(
        label=_("Follow-up status"), choices=choices.followup, initial="proposed"
    )
    shared = forms.BooleanField(
        label=_("Shared with every organisation"),
        required=False,
        initial=True,
        help_text=_("Untick for a recommendation that stays within your organisation."),
    )
    followup_note = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, instruments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instruments"].queryset = instruments
        self.fields["instruments"].widget.attrs["size"] = 6

    def clean_countries(self):
        return _parse_countries(self.cleaned_data["countries"], field_label=_("Countries"))


class SearchForm(forms.Form):
    q = forms.CharField(label=_('Words or "a phrase"'), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=_blank(choices.country), required=False)
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=_blank(lambda: registry.choices("framework_theme"))
    )
    instrument_type = forms.ChoiceField(
        label=_("Type"), choices=_blank(choices.instrument_type), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=_blank(choices.instrument_status), required=False)


class MatrixForm(forms.Form):
    countries = forms.CharField(
        label=_("Countries"),
        required=False,
        max_length=200,
        help_text=_("ISO 3166-1 alpha-3 codes separated by spaces, for example: IDN MYS THA."),
    )

    def clean_countries(self):
        codes = _parse_countries(self.cleaned_data["countries"], field_label=_("Countries"))
        if len(codes) > 12:
            raise forms.ValidationError(
                _("Compare at most 12 countries at a time."), code="countries_too_many"
            )
        return codes


class CompareForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), choices=lambda: registry.choices("framework_theme"))
    country_1 = forms.ChoiceField(label=_("First country"), choices=_blank(choices.country))
    country_2 = forms.ChoiceField(label=_("Second country"), choices=_blank(choices.country))
    country_3 = forms.ChoiceField(label=_("Third country"), choices=_blank(choices.country), required=False)

    def countries(self) -> list[str]:
        data = self.cleaned_data
        return list(
            dict.fromkeys(c for c in (data["country_1"], data["country_2"], data.get("country_3")) if c)
        )

    def clean(self):
        data = super().clean()
        if data.get("country_1") and data.get("country_1") == data.get("country_2"):
            self.add_error("country_2", _("Choose two different countries."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or JSON file"),
        help_text=_("One instrument per row; see the documentation for the columns."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".json")):
            raise forms.ValidationError(_("Import a .csv or a .json file."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it."))
        return upload


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("What you checked"), max_length=500, required=False)
