from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core.markings import TLP
from lindung.core.models import Organisation, SharingGroup

from . import stix
from .models import Peer

CATEGORY_LABELS = {
    "incident": _("Incident (type, time, outcome, counts)"),
    "position": _("Position (coordinates, area)"),
    "route": _("Route (departure, destination, disembarkation)"),
    "vessel": _("Vessel"),
    "persons": _("Persons on board by sex, age group and nationality (counts)"),
    "facilitators": _("Suspected facilitators (as pseudonyms for this agreement)"),
    "source": _("Source and its grading"),
}


def _organisations():
    return Organisation.objects.order_by("name")


class SharingGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Member organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    peers = forms.ModelMultipleChoiceField(
        label=_("Member nodes"),
        queryset=Peer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Other Lindung nodes whose organisations receive what is distributed to this group."),
    )

    def __init__(self, *args, peers=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = _organisations()
        self.fields["peers"].queryset = peers if peers is not None else Peer.objects.none()
        if editing:
            del self.fields["name"]


class PeerForm(forms.Form):
    name = forms.SlugField(
        label=_("Name of the peer node"),
        max_length=60,
        help_text=_("Letters, digits and hyphens. The peer signs in to this node with it."),
    )
    api_root_url = forms.URLField(
        label=_("TAXII API root of the peer"),
        max_length=300,
        help_text=_("For a Lindung node: https://its-address/sharing/taxii2/api/"),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    organisation = forms.ModelChoiceField(label=_("Administered by"), queryset=Organisation.objects.none())
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations at that node"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outgoing_username = forms.CharField(label=_("Our user name at the peer"), max_length=60, required=False)
    outgoing_secret = forms.CharField(
        label=_("Our secret at the peer"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )

    def __init__(self, *args, managed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = managed if managed is not None else Organisation.objects.none()
        self.fields["organisations"].queryset = _organisations()


class PeerCredentialsForm(forms.Form):
    outgoing_username = forms.CharField(label=_("Our user name at the peer"), max_length=60, required=False)
    outgoing_secret = forms.CharField(
        label=_("New secret at the peer"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    rotate_incoming = forms.BooleanField(
        label=_("Issue a new secret for the peer (the old one stops working)"), required=False
    )


class AgreementForm(forms.Form):
    reference = forms.SlugField(
        label=_("Reference"),
        max_length=80,
        help_text=_("The same reference is recorded on both nodes, e.g. wio-2026-01."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    organisation = forms.ModelChoiceField(label=_("Our party"), queryset=Organisation.objects.none())
    peer = forms.ModelChoiceField(label=_("Peer node"), queryset=Peer.objects.none())
    partner_organisations = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories of data"),
        choices=list(CATEGORY_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    fields = forms.MultipleChoiceField(
        label=_("Exact fields allowed"),
        choices=[(f, f) for f in stix.ALL_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these fields leave this node; each must belong to a chosen category."),
    )
    tlp_ceiling = forms.ChoiceField(
        label=_("Highest TLP marking exchanged"),
        choices=[c for c in TLP.choices if c[0] != TLP.RED],
        initial=TLP.AMBER,
    )
    retention_days = forms.IntegerField(
        label=_("Retention at the receiver (days)"), min_value=1, max_value=36500, initial=365
    )
    valid_from = forms.DateTimeField(
        label=_("Valid from"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    peer_may_write = forms.BooleanField(label=_("The peer may send objects to this node"), required=False)

    def __init__(self, *args, managed=None, peers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = managed if managed is not None else Organisation.objects.none()
        self.fields["peer"].queryset = peers if peers is not None else Peer.objects.none()
        self.fields["partner_organisations"].queryset = _organisations()


class RecipientForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    sharing_group = forms.ModelChoiceField(
        label=_("or a sharing group"), queryset=SharingGroup.objects.none(), required=False
    )
    purpose = forms.CharField(label=_("Why it is shared"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations()
        self.fields["sharing_group"].queryset = SharingGroup.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("sharing_group")):
            raise forms.ValidationError(_("Choose one organisation or one sharing group."))
        return data
