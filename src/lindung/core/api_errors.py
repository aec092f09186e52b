"""API errors as JSON with a message and a code, never an HTML page or a 500 for bad input.

Validation errors: ``{"field": ["message"], "codes": {"field": ["code"]}}``; any other refusal:
``{"detail": "message", "code": "code"}``. Programs read the codes; people read the messages.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.fields import get_error_detail
from rest_framework.views import exception_handler as drf_exception_handler

from .audit import audit_record
from .audit_actions import AuditAction
from .policy import Refused


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # A service's refusal, with its codes kept (DRF would make every one "invalid").
        exc = exceptions.ValidationError(_as_dict(get_error_detail(exc)))
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(f"Malformed request body: {exc.detail}", code=exc.detail.code)
    if isinstance(exc, exceptions.PermissionDenied | PermissionDenied):
        # The policy logs its own refusals; others (a permission class, a view) are logged here, once.
        if not isinstance(exc, Refused):
            request = context.get("request")
            audit_record(
                action=AuditAction.ACCESS_DENIED,
                actor=getattr(request, "user", None),
                detail={"path": request.path if request else "", "method": request.method if request else ""},
            )
        if isinstance(exc, PermissionDenied):  # Django's, as DRF would convert it, code included
            exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, dict):
            response.data["codes"] = codes
        elif isinstance(codes, str):
            response.data["code"] = codes
    return response


def _as_dict(detail):
    return detail if isinstance(detail, dict) else {"non_field_errors": detail}
