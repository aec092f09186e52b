"""Model choices from the data standard as named functions (migrations cannot serialise closures)."""

from lindung.standard import registry


def service_type_choices():
    return registry.choices("service_type")


def country_choices():
    return registry.choices("country")


def urgency_choices():
    return registry.choices("screening_urgency")


def decline_reason_choices():
    return registry.choices("referral_decline_reason")
