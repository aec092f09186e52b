"""What a list page linked from the home page shows: the number of rows its filters select, read
from the page's context, to compare with the count the home page links from."""

from urllib.parse import urlsplit

# Lists rendered whole, under these context names (the first one the page has).
WHOLE_LISTS = ("referrals", "releases", "sessions", "concerns", "rules")


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if urlsplit(url).path == "/stats/settings/":
        return context["remaining"]  # the budget row links to the page that states what is left
    if "total" in context:
        return context["total"]
    if "page" in context:
        return context["page"].paginator.count
    for name in WHOLE_LISTS:
        if name in context:
            return len(context[name])
    raise AssertionError(f"{url}: no list found in the page's context")


def panel_counts(client):
    """{panel key: [(label, value, url)]} of the signed-in user's home page."""
    response = client.get("/")
    assert response.status_code == 200
    return {p.key: [(c.label, c.value, c.url) for c in p.counts] for p in response.context["panels"]}
