"""Forms of the case pages. Choices come from the data standard (lazily) or from choices.py;
validation that matters lives in services, which every form's data passes through."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core.models import Organisation, User

from . import codes
from .choices import (
    CaseType,
    ConsentPurpose,
    DocumentType,
    NeedStatus,
    NoteType,
    PlacementKind,
    RiskDecision,
    RiskFinding,
    ServiceOutcome,
)
from .models import ReturnRiskAssessment
from .services import PHOTO_LIMIT, TRANSFERABLE_FIELDS
from .workflows import base as wf

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def _blank(choices_fn):
    def with_blank():
        return [("", "—"), *choices_fn()]

    return with_blank


class VersionForm(forms.Form):
    """Carries the version the user saw: a save over someone else's change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PersonForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    aliases = forms.CharField(
        label=_("Other names used"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One name per line."),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_WIDGET)
    document_type = forms.ChoiceField(
        label=_("Identity document"), required=False, choices=[("", "—"), *DocumentType.choices]
    )
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    document_country = forms.ChoiceField(
        label=_("Issued by"), required=False, choices=_blank(codes.country_choices)
    )
    phone = forms.CharField(label=_("Phone"), max_length=300, required=False)
    email = forms.CharField(label=_("Email"), max_length=300, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    photo = forms.FileField(label=_("Photograph (JPEG or PNG, at most 2 MB)"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=_blank(codes.sex_choices))
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=_blank(codes.gender_choices))
    age_group = forms.ChoiceField(
        label=_("Age group"), required=False, choices=_blank(codes.age_group_choices)
    )
    majority_status = forms.ChoiceField(
        label=_("Adult or child"), required=False, choices=_blank(codes.majority_status_choices)
    )
    citizenship = forms.ChoiceField(
        label=_("Citizenship"), required=False, choices=_blank(codes.country_choices)
    )
    is_stateless = forms.BooleanField(label=_("Stateless"), required=False)
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=200,
        help_text=_("ISO 639-3 codes separated by commas, for example: mya, tha, eng."),
    )
    disability_status = forms.ChoiceField(
        label=_("Disability"), required=False, choices=_blank(codes.yes_no_unknown_choices)
    )
    legal_status = forms.ChoiceField(
        label=_("Legal status"), required=False, choices=_blank(codes.legal_status_choices)
    )
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerability categories"),
        required=False,
        choices=codes.vulnerability_category_choices,
        widget=forms.CheckboxSelectMultiple,
    )

    IDENTITY = (
        "given_name",
        "family_name",
        "aliases",
        "date_of_birth",
        "document_type",
        "document_number",
        "document_country",
        "phone",
        "email",
        "address",
        "photo",
    )

    def __init__(self, *args, identity=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not identity:
            for name in self.IDENTITY:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("document_number") and not data.get("document_type"):
            self.add_error("document_type", _("Say which document the number belongs to."))
        return data

    def service_fields(self) -> dict:
        """The cleaned data in the shape services.person_register/person_update take."""
        d = self.cleaned_data
        out = {
            k: d[k]
            for k in (
                "sex",
                "gender",
                "age_group",
                "majority_status",
                "citizenship",
                "is_stateless",
                "disability_status",
                "legal_status",
                "vulnerabilities",
            )
        }
        out["languages"] = [c.strip().lower() for c in d["languages"].split(",") if c.strip()]
        if "given_name" in self.fields:
            out.update(
                given_name=d["given_name"], family_name=d["family_name"], date_of_birth=d["date_of_birth"]
            )
            out["aliases"] = [line.strip() for line in d["aliases"].splitlines() if line.strip()]
            out["documents"] = (
                [
                    {
                        "type": d["document_type"],
                        "number": d["document_number"],
                        "country": d["document_country"],
                    }
                ]
                if d["document_number"]
                else []
            )
            out["contacts"] = {k: d[k] for k in ("phone", "email", "address") if d[k]}
            if d.get("photo"):
                out["photo"] = (d["photo"].read(PHOTO_LIMIT + 1), d["photo"].content_type)
        return out


class PersonEditForm(VersionForm, PersonForm):
    pass


class PersonFilterForm(forms.Form):
    """The filters that may travel in a web address: none of them identifies anyone."""

    reference = forms.CharField(label=_("Reference contains"), required=False, max_length=16)
    citizenship = forms.ChoiceField(
        label=_("Citizenship"), required=False, choices=_blank(codes.country_choices)
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=_blank(codes.sex_choices))
    age_group = forms.ChoiceField(
        label=_("Age group"), required=False, choices=_blank(codes.age_group_choices)
    )


class PersonSearchForm(PersonFilterForm):
    """The whole search, identity included: sent by POST only."""

    name = forms.CharField(label=_("Name or part of a name"), required=False, max_length=200)
    document = forms.CharField(label=_("Document number"), required=False, max_length=64)
    field_order = ["name", "document"]


class CaseOpenForm(forms.Form):
    case_type = forms.ChoiceField(label=_("Case type"), choices=CaseType.choices, widget=forms.RadioSelect)
    team = forms.CharField(label=_("Team"), required=False, max_length=100)


class CaseFilterForm(forms.Form):
    case_type = forms.ChoiceField(
        label=_("Case type"), required=False, choices=[("", _("All")), *CaseType.choices]
    )
    state = forms.CharField(label=_("Step"), required=False, max_length=40)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.none(), empty_label=_("All")
    )
    vulnerability = forms.ChoiceField(
        label=_("Vulnerability"), required=False, choices=_blank(codes.vulnerability_category_choices)
    )
    overdue = forms.BooleanField(label=_("With overdue tasks"), required=False)
    reference = forms.CharField(label=_("Reference contains"), required=False, max_length=16)
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=User.objects.none(), empty_label=_("Anyone")
    )
    mine = forms.BooleanField(label=_("Only my cases"), required=False)
    open_only = forms.BooleanField(label=_("Open cases only"), required=False)
    awaiting_approval = forms.BooleanField(label=_("Closures waiting for my approval"), required=False)

    def __init__(self, *args, organisations=None, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )
        # Owners to choose from: the members of the organisations whose cases the list shows.
        self.fields["owner"].queryset = (
            User.objects.filter(memberships__organisation__in=organisations).distinct().order_by("username")
            if organisations is not None
            else User.objects.none()
        )
        self.fields["state"] = forms.ChoiceField(
            label=_("Step"), required=False, choices=[("", _("All")), *states]
        )


class TaskFilterForm(forms.Form):
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("overdue", _("Overdue")),
            ("today", _("Today")),
            ("week", _("In the next seven days")),
        ],
    )
    mine = forms.BooleanField(label=_("Only my tasks"), required=False)


class ConsentFilterForm(forms.Form):
    # Fixed windows rather than a number typed in: nothing to parse, and the home page links to one.
    expiring = forms.TypedChoiceField(
        label=_("Ending within"),
        required=False,
        coerce=int,
        empty_value=30,
        choices=[("7", _("7 days")), ("30", _("30 days")), ("90", _("90 days"))],
    )


def step_form_class(transition):
    """A form for the step data of ``transition``, built from its StepFields."""
    fields = {"version": forms.IntegerField(widget=forms.HiddenInput, min_value=1)}
    for f in transition.fields:
        common = {"label": f.label, "required": f.required}
        if f.kind == wf.DATE:
            fields[f.name] = forms.DateField(widget=DATE_WIDGET, **common)
        elif f.kind == wf.CODE:
            fields[f.name] = forms.ChoiceField(choices=_blank(f.choice_pairs), **common)
        elif f.kind == wf.CODES:
            fields[f.name] = forms.MultipleChoiceField(
                choices=f.choice_pairs, widget=forms.CheckboxSelectMultiple, **common
            )
        elif f.kind == wf.TEXT:
            fields[f.name] = forms.CharField(
                max_length=wf.TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
        elif f.kind == wf.BOOLEAN:
            fields[f.name] = forms.TypedChoiceField(
                choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], coerce=lambda v: v == "yes", **common
            )
        elif f.kind == wf.INTEGER:
            fields[f.name] = forms.IntegerField(min_value=f.min_value, max_value=f.max_value, **common)
        else:
            fields[f.name] = forms.DecimalField(min_value=f.min_value, max_value=f.max_value, **common)
    return type(f"{transition.name.title()}Form", (forms.Form,), fields)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    language = forms.CharField(
        label=_("Language of the conversation"),
        max_length=3,
        help_text=_("ISO 639-3 code, for example: mya, tha, eng."),
    )
    information_given = forms.CharField(
        label=_("Information given to the person"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_(
            "What they were told: purpose, who will see the data, how long it is kept, how to withdraw."
        ),
    )
    obtained_on = forms.DateField(label=_("Obtained on"), widget=DATE_WIDGET)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE_WIDGET)


class NeedForm(forms.Form):
    need_type = forms.ChoiceField(label=_("Need"), choices=_blank(codes.service_type_choices))
    status = forms.ChoiceField(label=_("Status"), choices=NeedStatus.choices)
    identified_on = forms.DateField(label=_("Identified on"), widget=DATE_WIDGET)


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=_blank(codes.service_type_choices))
    provided_on = forms.DateField(label=_("Provided on"), widget=DATE_WIDGET)
    provider = forms.ModelChoiceField(
        label=_("Provided by"), required=False, queryset=Organisation.objects.all()
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ServiceOutcome.choices)


class NoteForm(forms.Form):
    note_type = forms.ChoiceField(label=_("Kind of note"), choices=NoteType.choices)
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG, PNG or Word .docx)"))


class TaskForm(forms.Form):
    title = forms.CharField(
        label=_("What is to be done"),
        max_length=200,
        help_text=_("Describe the task without naming the person."),
    )
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET)


def _placement_choices():
    return [
        (str(PlacementKind.ALTERNATIVE.label), codes.atd_placement_type_choices()),
        (str(PlacementKind.DETENTION.label), codes.detention_placement_type_choices()),
    ]


class PlacementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices, widget=forms.RadioSelect)
    placement_type = forms.ChoiceField(label=_("Placement"), choices=_placement_choices)
    start_on = forms.DateField(label=_("Starts on"), widget=DATE_WIDGET)
    end_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE_WIDGET)
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class VisitForm(forms.Form):
    visit_on = forms.DateField(label=_("Visit date"), widget=DATE_WIDGET)
    economic = forms.DecimalField(label=_("Economic score (0–1)"), min_value=0, max_value=1, decimal_places=2)
    social = forms.DecimalField(label=_("Social score (0–1)"), min_value=0, max_value=1, decimal_places=2)
    psychosocial = forms.DecimalField(
        label=_("Psychosocial score (0–1)"), min_value=0, max_value=1, decimal_places=2
    )


class CheckinForm(forms.Form):
    check_on = forms.DateField(label=_("Check-in date"), widget=DATE_WIDGET)
    complied = forms.BooleanField(label=_("Reported as required"), required=False)


class AssignForm(VersionForm):
    owner = forms.ModelChoiceField(label=_("Case owner"), queryset=None, required=False)
    team = forms.CharField(label=_("Team"), required=False, max_length=100)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class TransferForm(VersionForm):
    agreement = forms.ModelChoiceField(label=_("Transfer agreement"), queryset=None)

    def __init__(self, *args, agreements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    organisation = forms.ModelChoiceField(label=_("Sending organisation"), queryset=None)
    partner = forms.ModelChoiceField(label=_("Receiving organisation"), queryset=Organisation.objects.all())
    allowed_fields = forms.MultipleChoiceField(
        label=_("Fields that may be transferred"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(f, f.replace("_", " ")) for f in TRANSFERABLE_FIELDS],
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_WIDGET)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class EraseForm(forms.Form):
    confirm_reference = forms.CharField(label=_("Type the person's reference to confirm"), max_length=16)


class LegalHoldForm(VersionForm):
    hold = forms.BooleanField(label=_("Keep this case (legal hold)"), required=False)


class RiskAssessmentForm(forms.Form):
    """The four factors of a risk-on-return assessment, each a finding and notes (see return_risk)."""

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in ReturnRiskAssessment.FACTORS:
            self.fields[name] = forms.ChoiceField(
                label=label, choices=RiskFinding.choices, widget=forms.RadioSelect
            )
            self.fields[f"{name}_notes"] = forms.CharField(
                label=_("Notes: %(factor)s") % {"factor": label},
                help_text=_("Needed when a risk is found or the factor was not assessed."),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def factors(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "assessed_on"}


class RiskDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=RiskDecision.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Reasons for the decision"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
