"""API errors as JSON with a message, never an HTML page or a 500 for bad input."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .audit import audit_record
from .audit_actions import AuditAction


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ParseError):
        return Response(
            {"detail": f"Malformed request body: {exc.detail}"}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, exceptions.PermissionDenied | PermissionDenied) and not isinstance(exc, Http404):
        request = context.get("request")
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            actor=getattr(request, "user", None),
            detail={"path": request.path if request else "", "method": request.method if request else ""},
        )
    return drf_exception_handler(exc, context)
