"""A page, not an empty body, for a page address asked with the wrong method.

Views that change something accept POST only (``require_POST``); a person who follows such an
address from their history or a bookmark used to get a blank 405. The API keeps DRF's JSON answer.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(
            request,
            "core/error.html",
            {
                "title": _("This page cannot be opened directly"),
                "message": _(
                    "This address carries out an action from a form. Go back to the page with the "
                    "form and use its button."
                ),
            },
            status=405,
        )
        page["Allow"] = response.get("Allow", "")
        return page
