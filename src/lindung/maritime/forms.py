from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core.markings import TLP
from lindung.core.models import Organisation, SharingGroup

from . import codes
from .models import Incident, Vessel
from .services import IMPORT_MAX_BYTES, INCIDENT_FIELDS, VESSEL_FIELDS

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class IncidentForm(forms.ModelForm):
    """An incident with its markings; the vessel and persons on board come in their own forms."""

    organisation = forms.ModelChoiceField(label=_("Recorded by"), queryset=Organisation.objects.none())
    facilitator_references = forms.CharField(
        label=_("Suspected facilitators (references)"),
        required=False,
        max_length=600,
        help_text=_(
            "Opaque references or pseudonyms, separated by commas (e.g. NET-17, RMIFC-FAC-0042). "
            "Never names or descriptions of people."
        ),
    )
    facilitator_network = forms.CharField(
        label=_("Smuggling network (name used in reporting)"), required=False, max_length=120
    )

    class Meta:
        model = Incident
        # The form records incidents at sea; where an incident happened is set by imports and the API.
        fields = [name for name in INCIDENT_FIELDS if name not in ("source_id", "setting")]
        widgets = {"occurred_at": DATETIME_INPUT, "narrative": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if self.instance.pk:
            del self.fields["organisation"]
            org_ids = [self.instance.organisation_id]
            self.initial["facilitator_references"] = ", ".join(
                self.instance.facilitators.values_list("reference", flat=True)
            )
        else:
            org_ids = list(organisations.values_list("pk", flat=True))
            if len(org_ids) == 1:
                # One organisation to record for: no question to ask.
                self.fields["organisation"].initial = org_ids[0]
                self.fields["organisation"].required = False
                self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["vessel"].queryset = Vessel.objects.filter(organisation_id__in=org_ids)
        self.fields["vessel"].help_text = _("Or describe a new vessel below.")
        groups = SharingGroup.objects.filter(organisations__in=org_ids).distinct()
        self.fields["sharing_group"].queryset = groups
        self.fields["tlp"].help_text = _(
            "TLP:RED never leaves your organisation; TLP:AMBER+STRICT stays in the named organisation; "
            "TLP:CLEAR may be published."
        )
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]

    def clean_organisation(self):
        chosen = self.cleaned_data.get("organisation")
        if chosen is None and not self.fields["organisation"].required:
            return self.fields["organisation"].queryset.get()
        return chosen

    def facilitators(self) -> list[tuple[str, str]]:
        given = self.cleaned_data.get("facilitator_references", "")
        refs = [r.strip() for r in given.split(",") if r.strip()]
        return [(ref, self.cleaned_data.get("facilitator_network", "")) for ref in refs]

    def incident_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def _post_clean(self):
        # The service validates the whole incident (with its organisation and children) once.
        pass


class NewVesselForm(forms.ModelForm):
    class Meta:
        model = Vessel
        fields = list(VESSEL_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def vessel_fields(self) -> dict | None:
        """The new vessel's fields, or None when the form was left empty."""
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if not data:
            return None
        if "vessel_type" not in data:
            self.add_error("vessel_type", _("Choose the type of the new vessel."))
            return None
        return data

    def _post_clean(self):
        pass


class PersonsRowForm(forms.Form):
    sex = forms.ChoiceField(label=_("Sex"), choices=codes.sex_choices, initial="U")
    age_group = forms.ChoiceField(label=_("Age group"), choices=codes.age_group_choices, initial="unknown")
    nationality = forms.ChoiceField(
        label=_("Nationality"), required=False, choices=lambda: [("", _("Unknown")), *codes.country_choices()]
    )
    count = forms.IntegerField(label=_("Number of persons"), min_value=1, max_value=100000, required=False)


PersonsFormSet = forms.formset_factory(PersonsRowForm, extra=3, max_num=60, validate_max=True)


def persons_from(formset) -> list[dict]:
    return [
        {k: row.cleaned_data[k] for k in ("sex", "age_group", "nationality", "count")}
        for row in formset
        if row.cleaned_data.get("count")
    ]


def persons_initial(incident) -> list[dict]:
    return list(incident.persons.values("sex", "age_group", "nationality", "count"))


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG, PNG, text or CSV; at most 10 MB."))
    tlp = forms.ChoiceField(label=_("TLP marking"), choices=TLP.choices, initial=TLP.AMBER)


class IncidentFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    incident_type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=lambda: [("", _("All types")), *codes.incident_type_choices()],
    )
    route = forms.ChoiceField(
        label=_("Route"),
        required=False,
        choices=lambda: [("", _("All routes")), *codes.migration_route_choices()],
    )

    # Set by the home page's "since your last visit" link; an ISO date and time.
    received_after = forms.DateTimeField(label=_("Received after"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v} if self.is_valid() else {}


class ImportForm(forms.Form):
    """A public data file to import (IOM Missing Migrants Project CSV)."""

    file = forms.FileField(label=_("File"), help_text=_("The CSV file as IOM publishes it (UTF-8)."))
    organisation = forms.ModelChoiceField(label=_("Import for"), queryset=Organisation.objects.none())
    partial = forms.BooleanField(
        label=_("Import the valid rows and report the others"),
        required=False,
        help_text=_("Without this, a file with any error is refused whole and nothing is imported."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; import it with the command lindung maritime import.")
                % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload
