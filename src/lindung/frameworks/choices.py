"""Model choices from the data standard, as module-level functions so migrations can name them
(``registry.choices_callable`` returns closures, which migrations cannot serialise)."""

from functools import lru_cache

from django.utils.translation import get_language

from lindung.standard import registry


@lru_cache(maxsize=256)
def _labelled(list_id: str, language: str) -> tuple:
    # The registry looks the language up once per code; the language list has ~8,000 codes and
    # model validation iterates the choices on every save, so keep one copy per language.
    return tuple(registry.choices(list_id))


def _choices(list_id: str) -> list:
    return list(_labelled(list_id, get_language() or "en"))


def country():
    return _choices("country")


def language():
    return _choices("language")


def instrument_type():
    return _choices("framework_instrument_type")


def instrument_status():
    return _choices("framework_instrument_status")


def region():
    return _choices("framework_region")


def consent():
    return _choices("framework_consent")


def verification():
    return _choices("framework_verification")


def recommendation_kind():
    return _choices("framework_recommendation_kind")


def followup():
    return _choices("framework_followup")


def priority():
    return _choices("framework_priority")
