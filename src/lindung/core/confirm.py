"""Confirmation before an irreversible action, without JavaScript (GOV.UK's "Are you sure?" page).

A button that withdraws consent, erases, freezes a release or spends privacy budget posts to its
view as usual; the view acts only when the post carries ``confirm=yes``. Any other post gets a page
that says what will happen and asks again, carrying the posted fields along, so a stray click, a
double submission or a replayed form never acts by itself.
"""

from django.shortcuts import render

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def posted_fields(request, names) -> list[tuple[str, str]]:
    """(name, value) pairs of the posted ``names`` (every value of a repeated field), to post again."""
    return [(name, value) for name in names for value in request.POST.getlist(name)]


def confirmation_page(request, *, title, consequences, confirm_label, back_url, hidden=(), action=""):
    """The page asking to confirm: ``consequences`` are sentences saying what will happen."""
    context = {
        "title": title,
        "consequences": consequences,
        "confirm_label": confirm_label,
        "back_url": back_url,
        "hidden": list(hidden),
        "action": action,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
    }
    return render(request, "core/confirm.html", context)
