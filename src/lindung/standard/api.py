"""Read-only API of the standard (versions, variables, code lists) and a validation endpoint.

``/api/v1/standard/versions/``, ``/api/v1/standard/variables/``, ``/api/v1/standard/code-lists/``
take ``?version=`` (default: current). ``POST /api/v1/standard/validate/`` takes a multipart
upload (``file``, ``profile``, ``version``) and answers with the summary and the errors.
``POST /api/v1/standard/imports/`` imports one (``organisation``, ``partial`` too) and answers with
the batch's summary and its first errors.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from lindung.core import policy
from lindung.core.models import Organisation
from lindung.core.roles import Capability

from . import jobs, registry, services, versions
from .forms import max_upload_bytes
from .models import Profile
from .validation import validate_bytes

API_ERRORS_LIMIT = 1000
VERSION_PARAM = OpenApiParameter(
    "version",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Standard version; default current",
)
DOMAIN_PARAM = OpenApiParameter("domain", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False)


class VersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    status = serializers.CharField()
    released = serializers.CharField()
    summary = serializers.CharField()
    current = serializers.BooleanField()


class VariableSerializer(serializers.Serializer):
    id = serializers.CharField()
    domain = serializers.CharField()
    label = serializers.CharField()
    labels = serializers.DictField(child=serializers.CharField())
    definition = serializers.CharField()
    type = serializers.CharField()
    code_list = serializers.CharField(allow_blank=True)
    requirement = serializers.CharField()
    sensitivity = serializers.CharField()
    quasi_identifier = serializers.BooleanField()
    hxl = serializers.CharField(allow_blank=True)
    crosswalk = serializers.DictField(child=serializers.CharField())
    constraints = serializers.DictField()


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    labels = serializers.DictField(child=serializers.CharField())
    parent = serializers.CharField(allow_blank=True)
    crosswalk = serializers.DictField(child=serializers.CharField())


class CodeListSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    domain = serializers.CharField()
    size = serializers.IntegerField()


class CodeListSerializer(CodeListSummarySerializer):
    codes = CodeSerializer(many=True)


class VersionQuerySerializer(serializers.Serializer):
    version = serializers.CharField(required=False)
    domain = serializers.CharField(required=False)

    def validate_version(self, value):
        if value not in registry.versions():
            raise serializers.ValidationError(f"unknown version; known: {', '.join(registry.versions())}")
        return value


class ValidateRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    profile = serializers.ChoiceField(choices=Profile.choices, default=Profile.LINDUNG)
    version = serializers.CharField(required=False)

    def validate_version(self, value):
        return VersionQuerySerializer().validate_version(value)

    def validate_file(self, value):
        if value.size > max_upload_bytes():
            raise serializers.ValidationError(
                f"file too large; the limit is {max_upload_bytes() // 1048576} MB"
            )
        return value


class ValidationErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_null=True, allow_blank=True)
    rule = serializers.CharField()
    message = serializers.CharField()


class ValidateResponseSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    readable = serializers.BooleanField()
    rows = serializers.IntegerField()
    valid_rows = serializers.IntegerField()
    errors = serializers.IntegerField()
    errors_by_rule = serializers.DictField(child=serializers.IntegerField())
    profile = serializers.CharField()
    standard_version = serializers.CharField()
    format = serializers.CharField(allow_blank=True)
    encoding = serializers.CharField(allow_blank=True)
    delimiter = serializers.CharField(allow_blank=True)
    dropped_columns = serializers.ListField(child=serializers.CharField())
    error_list = ValidationErrorSerializer(many=True)
    truncated = serializers.BooleanField()


class ImportRequestSerializer(ValidateRequestSerializer):
    organisation = serializers.IntegerField(
        required=False, help_text="Organisation id; default: the only one you import for."
    )
    partial = serializers.BooleanField(
        default=False, help_text="Import the valid rows and report the others (default: all or nothing)."
    )


class ImportIssueSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)
    rule = serializers.CharField()
    message = serializers.CharField()


class ImportResponseSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    status = serializers.CharField()
    partial = serializers.BooleanField()
    rows = serializers.IntegerField()
    imported = serializers.IntegerField()
    skipped = serializers.IntegerField()
    errors = serializers.IntegerField()
    already_present = serializers.IntegerField()
    invalid_rows = serializers.IntegerField()
    identical_in_file = serializers.IntegerField()
    identical_to_existing = serializers.IntegerField()
    first_errors = ImportIssueSerializer(many=True)
    warnings = ImportIssueSerializer(many=True)


def _standard(request):
    query = VersionQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return registry.load(query.validated_data.get("version")), query.validated_data.get("domain")


def _variable(var) -> dict:
    return {
        "id": var.id,
        "domain": var.domain,
        "label": var.label,
        "labels": var.labels,
        "definition": var.definition,
        "type": var.type,
        "code_list": var.code_list,
        "requirement": var.requirement,
        "sensitivity": var.sensitivity,
        "quasi_identifier": var.quasi_identifier,
        "hxl": var.hxl,
        "crosswalk": {k: str(v) for k, v in var.crosswalk.items()},
        "constraints": var.constraints,
    }


def _code_list(cl, with_codes: bool) -> dict:
    data = {"id": cl.id, "label": cl.label, "domain": cl.domain, "size": len(cl.codes)}
    if with_codes:
        data["codes"] = [
            {
                "code": c.code,
                "label": c.label,
                "labels": c.labels,
                "parent": c.parent,
                "crosswalk": {k: str(v) for k, v in c.crosswalk.items()},
            }
            for c in cl.codes
        ]
    return data


class VersionViewSet(viewsets.ViewSet):
    """Versions of the standard, newest first."""

    lookup_field = "version"
    lookup_value_regex = r"[0-9A-Za-z][0-9A-Za-z.\-]*"
    lindung_examples = {"version": "1.0"}

    @extend_schema(responses=VersionSerializer(many=True))
    def list(self, request):
        return Response(VersionSerializer(versions.all_versions(), many=True).data)

    @extend_schema(responses=VersionSerializer)
    def retrieve(self, request, version=None):
        if version not in registry.versions():
            raise NotFound("no such version of the standard")
        return Response(VersionSerializer(versions.describe(version)).data)


class VariableViewSet(viewsets.ViewSet):
    """Variables of a version of the standard (``?version=``, ``?domain=``)."""

    lookup_field = "id"
    lookup_value_regex = r"[A-Za-z0-9_\-]+"
    lindung_examples = {"id": "sex"}

    @extend_schema(parameters=[VERSION_PARAM, DOMAIN_PARAM], responses=VariableSerializer(many=True))
    def list(self, request):
        standard, domain = _standard(request)
        variables = [v for v in standard.variables.values() if not domain or v.domain == domain]
        return Response(VariableSerializer([_variable(v) for v in variables], many=True).data)

    @extend_schema(parameters=[VERSION_PARAM], responses=VariableSerializer)
    def retrieve(self, request, id=None):
        standard, _domain = _standard(request)
        if id not in standard.variables:
            raise NotFound("no such variable in this version")
        return Response(VariableSerializer(_variable(standard.variables[id])).data)


class CodeListViewSet(viewsets.ViewSet):
    """Code lists of a version; the list gives sizes, the detail gives the codes."""

    lookup_field = "id"
    lookup_value_regex = r"[A-Za-z0-9_\-]+"
    lindung_examples = {"id": "sex"}

    @extend_schema(parameters=[VERSION_PARAM, DOMAIN_PARAM], responses=CodeListSummarySerializer(many=True))
    def list(self, request):
        standard, domain = _standard(request)
        lists = [cl for cl in standard.code_lists.values() if not domain or cl.domain == domain]
        return Response(CodeListSummarySerializer([_code_list(cl, False) for cl in lists], many=True).data)

    @extend_schema(parameters=[VERSION_PARAM], responses=CodeListSerializer)
    def retrieve(self, request, id=None):
        standard, _domain = _standard(request)
        if id not in standard.code_lists:
            raise NotFound("no such code list in this version")
        return Response(CodeListSerializer(_code_list(standard.code_lists[id], True)).data)


class ValidateViewSet(viewsets.ViewSet):
    """Validate an uploaded CSV or XLSX file; nothing is stored. Needs the data manager role."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ValidateRequestSerializer, responses=ValidateResponseSerializer)
    def create(self, request):
        if not policy.has_capability(request.user, Capability.MANAGE_STANDARD):
            raise PermissionDenied("validating files needs the data manager role")
        params = ValidateRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        result = validate_bytes(
            params.validated_data["file"].read(),
            profile=params.validated_data["profile"],
            version=params.validated_data.get("version"),
        )
        body = {
            **result.summary(),
            "error_list": result.error_rows(API_ERRORS_LIMIT),
            "truncated": result.error_count > API_ERRORS_LIMIT,
        }
        return Response(ValidateResponseSerializer(body).data)


class ImportViewSet(viewsets.ViewSet):
    """Import an uploaded CSV or XLSX file for one of your organisations (data manager role).
    Small files are imported before the answer; larger ones continue in the background
    (``status`` says ``running``; the batch page shows the end)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportRequestSerializer, responses={201: ImportResponseSerializer})
    def create(self, request):
        orgs = policy.organisations_with(request.user, Capability.MANAGE_STANDARD)
        if not orgs:
            raise PermissionDenied("importing files needs the data manager role")
        params = ImportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        chosen = params.validated_data.get("organisation")
        if chosen is None and len(orgs) != 1:
            raise serializers.ValidationError(
                {"organisation": "you import for several organisations; name one"}
            )
        chosen = next(iter(orgs)) if chosen is None else chosen
        if chosen not in orgs:
            raise PermissionDenied("you cannot import for that organisation")
        upload = params.validated_data["file"]
        data = upload.read()
        batch = services.batch_create(
            acting_user=request.user,
            organisation=Organisation.objects.get(pk=chosen),
            file_name=upload.name or "upload",
            data=data,
            profile=params.validated_data["profile"],
            version=params.validated_data.get("version"),
            partial=params.validated_data["partial"],
        )
        batch = jobs.start(batch, data)
        summary = batch.summary or {}
        counts = ("already_present", "invalid_rows", "identical_in_file", "identical_to_existing")
        body = {
            "batch": batch.pk,
            "status": batch.status,
            "partial": batch.partial,
            "rows": batch.rows,
            "imported": batch.imported,
            "skipped": batch.skipped,
            "errors": batch.error_count,
            **{name: summary.get(name, 0) for name in counts},
            "first_errors": summary.get("first_errors", []),
            "warnings": summary.get("warnings", []),
        }
        return Response(ImportResponseSerializer(body).data, status=201)


def register(router):
    router.register("standard/versions", VersionViewSet, basename="standard-version")
    router.register("standard/variables", VariableViewSet, basename="standard-variable")
    router.register("standard/code-lists", CodeListViewSet, basename="standard-code-list")
    router.register("standard/validate", ValidateViewSet, basename="standard-validate")
    router.register("standard/imports", ImportViewSet, basename="standard-import")
