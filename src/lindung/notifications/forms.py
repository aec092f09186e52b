from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core.markings import TLP
from lindung.standard import registry

from .models import Channel, Event


class PreferencesForm(forms.Form):
    """One choice of channel per event."""

    def __init__(self, *args, channels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for event, label in Event.choices:
            self.fields[event] = forms.ChoiceField(
                label=label, choices=Channel.choices, initial=channels[event]
            )


def _optional_choices(list_id):
    return lambda: [("", _("Any")), *registry.choices(list_id)]


def _coordinate(label, limit):
    return forms.DecimalField(
        label=label, required=False, max_digits=9, decimal_places=6, min_value=-limit, max_value=limit
    )


class WatchRuleForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    name = forms.CharField(label=_("Name of the rule"), max_length=120)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    min_latitude = _coordinate(_("Southern edge (latitude)"), 90)
    max_latitude = _coordinate(_("Northern edge (latitude)"), 90)
    min_longitude = _coordinate(_("Western edge (longitude)"), 180)
    max_longitude = _coordinate(_("Eastern edge (longitude)"), 180)
    area_name = forms.CharField(
        label=_("Named sea area"),
        max_length=200,
        required=False,
        help_text=_("The area name incidents are recorded with, for example Mozambique Channel."),
        widget=forms.TextInput(attrs={"list": "area-names"}),
    )
    route = forms.ChoiceField(
        label=_("Migration route"), required=False, choices=_optional_choices("migration_route")
    )
    incident_type = forms.ChoiceField(
        label=_("Type of incident"), required=False, choices=_optional_choices("incident_type")
    )
    min_dead_and_missing = forms.IntegerField(
        label=_("At least this many dead and missing"), required=False, min_value=0, max_value=100000
    )
    tlp = forms.MultipleChoiceField(
        label=_("TLP markings"),
        required=False,
        choices=TLP.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any marking."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()
