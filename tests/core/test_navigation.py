from django.urls import reverse

from lindung.core.context_processors import all_nav_items
from lindung.core.roles import Capability


def test_every_navigation_entry_resolves_and_names_a_capability():
    for label, url_name, capability in all_nav_items():
        assert reverse(url_name).startswith("/"), label
        assert capability is None or capability in Capability.values, url_name
