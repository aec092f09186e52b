"""Model choices from the data standard, as module-level functions so migrations can name them
(``registry.choices_callable`` returns closures, which migrations cannot serialise)."""

from lindung.standard import registry


def country():
    return registry.choices("country")


def language():
    return registry.choices("language")


def instrument_type():
    return registry.choices("framework_instrument_type")


def instrument_status():
    return registry.choices("framework_instrument_status")


def region():
    return registry.choices("framework_region")


def consent():
    return registry.choices("framework_consent")


def verification():
    return registry.choices("framework_verification")


def recommendation_kind():
    return registry.choices("framework_recommendation_kind")


def followup():
    return registry.choices("framework_followup")
