"""Traffic Light Protocol 2.0 markings and distribution levels, shared by every app that
exchanges information (enforced through policy rules' scope hooks; see lindung.sharing)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TLP(models.TextChoices):
    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber+strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


# Most open first: a ceiling of AMBER allows CLEAR, GREEN and AMBER.
TLP_ORDER = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]


def tlp_allowed(marking: str, ceiling: str) -> bool:
    return TLP_ORDER.index(marking) <= TLP_ORDER.index(ceiling)


class Distribution(models.TextChoices):
    ORGANISATION = "organisation", _("This organisation only")
    COMMUNITY = "community", _("This node's community")
    CONNECTED = "connected", _("Connected nodes")
    SHARING_GROUP = "sharing_group", _("A sharing group")
