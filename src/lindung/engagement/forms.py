"""Forms: parse and check shapes; services decide and write. Choices are limited to the
organisation's own records, so a form can never name another organisation's object."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.core.models import Organisation, User
from lindung.core.roles import ROLE_CAPABILITIES, Capability

from . import models as m

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def coordinators_of(organisation_ids):
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.MANAGE_ENGAGEMENT in caps]
    return (
        User.objects.filter(
            memberships__organisation_id__in=organisation_ids, memberships__role__in=roles, is_active=True
        )
        .distinct()
        .order_by("username")
    )


class CodeChoiceField(forms.ModelChoiceField):
    """Participants are shown by their code, never by name."""

    def label_from_instance(self, obj):
        return obj.code


class OrganisationChoiceMixin:
    """Adds an organisation choice when the user runs engagement in more than one organisation."""

    def add_organisation(self, organisations):
        if len(organisations) > 1:
            self.fields = {
                "organisation": forms.ModelChoiceField(label=_("Organisation"), queryset=organisations),
                **self.fields,
            }


class EngagementForm(OrganisationChoiceMixin, forms.ModelForm):
    class Meta:
        model = m.Engagement
        fields = ["title", "purpose", "feeds", "guideline", "safeguarding_lead", "status"]

    def __init__(self, *args, organisation_ids, guidelines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guideline"].queryset = guidelines
        self.fields["safeguarding_lead"].queryset = coordinators_of(organisation_ids)


class SessionForm(forms.ModelForm):
    class Meta:
        model = m.Session
        fields = [
            "title",
            "format",
            "languages",
            "interpreters",
            "accessibility_needs",
            "setting",
            "location",
            "facilitators",
            "starts_at",
            "ends_at",
            "recorded",
        ]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "facilitators": forms.CheckboxSelectMultiple}
        help_texts = {
            "languages": _("Comma-separated ISO 639-3 codes, e.g. tha, mya, eng."),
            "interpreters": _("Leave empty if nobody interprets."),
        }

    def __init__(self, *args, organisation_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = coordinators_of([organisation_id])


class ChecklistForm(forms.Form):
    support_pathways = forms.ModelMultipleChoiceField(
        label=_("Support pathways available during and after the session"),
        queryset=m.SupportPathway.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, pathways, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in m.Session.CHECKLIST:
            self.fields[field] = forms.BooleanField(label=label, required=False)
        self.fields["support_pathways"].queryset = pathways
        self.order_fields([f for f, _label in m.Session.CHECKLIST] + ["support_pathways"])


class DebriefForm(forms.Form):
    debrief = forms.CharField(
        label=_("Debrief"),
        widget=forms.Textarea,
        help_text=_("How it went, any distress, what needs follow-up. Avoid names."),
    )


class AttendanceForm(forms.Form):
    participant = CodeChoiceField(label=_("Participant"), queryset=m.Participant.objects.none())

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=m.Contribution.Kind.choices)
    participant = CodeChoiceField(
        label=_("Participant"),
        queryset=m.Participant.objects.none(),
        required=False,
        help_text=_("Needed for quotes. Leave empty for the group's view."),
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    text = forms.CharField(label=_("What was said"), widget=forms.Textarea)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        self.fields["theme"].choices = [("", "—"), *m.theme_choices()]


class ReviewForm(forms.Form):
    public_text = forms.CharField(
        label=_("Wording cleared for use"),
        widget=forms.Textarea,
        help_text=_("Remove names, places, dates, nationalities and details that could identify the person."),
    )
    identifying_details_removed = forms.BooleanField(
        label=_("I have removed every identifying detail"), required=False
    )
    attribute_name = forms.BooleanField(
        label=_("Attribute the quote to the participant by name"),
        required=False,
        help_text=_("Only with their consent to name attribution."),
    )


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = m.Outcome
        fields = ["kind", "description", "guideline_version", "decided_on"]
        widgets = {"decided_on": DATE}

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guideline_version"].queryset = versions
        self.fields["decided_on"].initial = timezone.localdate()


class ParticipantForm(OrganisationChoiceMixin, forms.ModelForm):
    class Meta:
        model = m.Participant
        fields = [
            "preferred_language",
            "contact_method",
            "output_preference",
            "name",
            "contact",
            "access_needs",
        ]
        widgets = {
            "contact": forms.Textarea(attrs={"rows": 3}),
            "access_needs": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, with_identity, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_identity:
            for field in m.Participant.CONTACT_FIELDS:
                del self.fields[field]


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(label=_("Use"), choices=m.Consent.Scope.choices)
    information_sheet = forms.ModelChoiceField(
        label=_("Information sheet (version and language)"), queryset=m.GuidanceVersion.objects.none()
    )
    method = forms.ChoiceField(label=_("How consent was given"), choices=m.Consent.Method.choices)
    given_on = forms.DateField(label=_("Given on"), widget=DATE)

    def __init__(self, *args, sheets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["information_sheet"].queryset = sheets
        self.fields["information_sheet"].label_from_instance = lambda v: (
            f"{v.title} — v{v.number} ({v.language})"
        )
        self.fields["given_on"].initial = timezone.localdate()


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), required=False, widget=DATE)


class CaseLinkForm(forms.Form):
    case_reference = forms.CharField(
        label=_("Case reference"),
        max_length=64,
        help_text=_("The case number in the case management module."),
    )
    case_organisation = forms.ModelChoiceField(
        label=_("Organisation holding the case"), queryset=Organisation.objects.all()
    )


class ConcernForm(forms.Form):
    participant = CodeChoiceField(
        label=_("Participant"), queryset=m.Participant.objects.none(), required=False
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=m.Severity.choices)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea)
    action_taken = forms.CharField(label=_("Immediate action taken"), widget=forms.Textarea)
    session_paused = forms.BooleanField(label=_("Session paused or stopped"), required=False)
    pathway = forms.ModelChoiceField(
        label=_("Refer to support pathway"), queryset=m.SupportPathway.objects.none()
    )
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DATE)

    def __init__(self, *args, participants, pathways, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        self.fields["pathway"].queryset = pathways


class ReferralForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=m.SupportReferral.Status.choices)
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DATE)


class IncidentForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Session"), queryset=m.Session.objects.none(), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=m.Severity.choices)
    occurred_on = forms.DateField(label=_("Occurred on"), widget=DATE)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea)

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class CompensationForm(forms.Form):
    participant = CodeChoiceField(label=_("Participant"), queryset=m.Participant.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=m.Compensation.Kind.choices)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=10, decimal_places=2)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3, min_length=3)
    method = forms.ChoiceField(label=_("Method"), choices=m.Compensation.Method.choices)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants


class GuidelineForm(OrganisationChoiceMixin, forms.ModelForm):
    class Meta:
        model = m.GuidelineDocument
        fields = ["title", "reference", "summary"]


class GuidelineVersionForm(forms.ModelForm):
    class Meta:
        model = m.GuidelineVersion
        fields = ["version", "published_on", "changes"]
        widgets = {"published_on": DATE}


class GuidanceVersionForm(forms.Form):
    NEW = "new"
    TRANSLATION = "translation"
    mode = forms.ChoiceField(
        label=_("Save as"),
        choices=[
            (NEW, _("A new version (adapted text)")),
            (TRANSLATION, _("A translation of the latest version")),
        ],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 20}))
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class PathwayForm(OrganisationChoiceMixin, forms.ModelForm):
    class Meta:
        model = m.SupportPathway
        fields = ["name", "kind", "how_to_reach", "languages", "hours", "active", "directory_service"]

    def __init__(self, *args, directory_services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directory_service"].queryset = directory_services
        self.fields["directory_service"].required = False
