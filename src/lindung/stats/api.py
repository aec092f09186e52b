"""Statistics API: indicators, their protected tables (JSON or a file), releases."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lindung.core import policy
from lindung.core.roles import Capability

from . import exports, indicators, selectors, services, sources
from .disclosure import DisclosureError
from .models import Release
from .tables import ProtectedTable, protected_table

OUTPUTS = ["json", *exports.FORMATS]
TABLE_ERRORS = (DisclosureError, indicators.UnknownIndicator, sources.SourceUnavailable)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class IndicatorSerializer(serializers.Serializer):
    id = serializers.CharField()
    version = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    source = serializers.CharField()
    measure = serializers.CharField(source="measure_type")
    unit = serializers.CharField()
    dimensions = serializers.ListField(child=serializers.CharField())
    default_by = serializers.ListField(child=serializers.CharField())
    available = serializers.SerializerMethodField()

    def get_available(self, obj) -> bool:
        return obj.source_adapter.available()


class CellSerializer(serializers.Serializer):
    key = serializers.DictField(child=serializers.CharField(), help_text="dimension -> code ('_T' = total)")
    value = serializers.FloatField(allow_null=True, help_text="null when suppressed")
    status = serializers.CharField(help_text="'' published, 'primary' or 'secondary' suppression")


class TableSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator_id")
    version = serializers.CharField(source="indicator_version")
    name = serializers.CharField()
    unit = serializers.CharField()
    by = serializers.ListField(child=serializers.CharField())
    filters = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    rules = serializers.DictField()
    warnings = serializers.ListField(child=serializers.CharField())
    coverage = serializers.DictField(
        help_text="records: units counted (null when too few to publish); undated: units without a "
        "date in the indicator's period, not counted; threshold, rounding and unit of these numbers"
    )
    fingerprint = serializers.CharField()
    computed_at = serializers.CharField()
    standard_version = serializers.CharField()
    suppressed_cells = serializers.IntegerField(source="suppressed_count")
    cells = serializers.SerializerMethodField()

    def get_cells(self, obj) -> list[dict]:
        return CellSerializer(list(obj.cells()), many=True).data


class TableQuerySerializer(serializers.Serializer):
    by = serializers.CharField(required=False, max_length=200, help_text="comma-separated dimensions")
    threshold = serializers.IntegerField(required=False, min_value=-(10**6), max_value=10**6)
    rounding = serializers.IntegerField(required=False, min_value=0, max_value=10**6)
    epsilon = serializers.FloatField(required=False, min_value=-(10**6), max_value=10**6)
    filter = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=20,
        help_text="dimension:code, repeatable",
    )

    def options(self) -> dict:
        data = self.validated_data
        filters: dict = {}
        for item in data.get("filter", []):
            dimension, _sep, code = item.partition(":")
            if not code:
                raise serializers.ValidationError(
                    {"filter": f"write filters as dimension:code, not {item[:40]!r}"}
                )
            filters.setdefault(dimension, []).append(code)
        return {
            "by": data.get("by"),
            "filters": filters,
            "threshold": data.get("threshold"),
            "rounding": data.get("rounding"),
            "epsilon": data.get("epsilon"),
        }


class TableRequestSerializer(TableQuerySerializer):
    indicator = serializers.CharField(max_length=64)


class TableOutputSerializer(TableQuerySerializer):
    output = serializers.ChoiceField(choices=OUTPUTS, required=False, default="json")


def _bad_request(message) -> Response:
    return Response({"detail": str(message)}, status=status.HTTP_400_BAD_REQUEST)


class IndicatorViewSet(viewsets.ViewSet):
    """Indicator definitions and their tables, protected by the organisation's disclosure rules."""

    lindung_examples = {"pk": "presumed_victims"}

    def _require(self, request):
        policy.require_capability(request.user, Capability.VIEW_STATS)

    @extend_schema(responses=IndicatorSerializer(many=True))
    def list(self, request):
        self._require(request)
        return Response(IndicatorSerializer(indicators.all_indicators(), many=True).data)

    @extend_schema(responses={200: IndicatorSerializer, 404: ErrorSerializer})
    def retrieve(self, request, pk=None):
        self._require(request)
        try:
            indicator = indicators.get(pk)
        except indicators.UnknownIndicator as exc:
            raise Http404(str(exc)) from exc
        return Response(IndicatorSerializer(indicator).data)

    @extend_schema(
        parameters=[TableOutputSerializer, OpenApiParameter("filter", str, many=True, required=False)],
        responses={
            (200, "application/json"): TableSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            (200, "application/vnd.sdmx.data+csv"): OpenApiTypes.STR,
            400: OpenApiTypes.OBJECT,
            404: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["get"])
    def table(self, request, pk=None):
        """The protected table; ``output`` csv, xlsx, hxl or sdmx-csv returns the file instead."""
        self._require(request)
        query = TableOutputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            table = protected_table(request.user, pk, **query.options())
        except indicators.UnknownIndicator as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
        except TABLE_ERRORS as exc:
            return _bad_request(exc)
        output = query.validated_data.get("output", "json")
        if output == "json":
            return Response(TableSerializer(table).data)
        content, content_type, name = exports.render(table, output)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ReleaseTableSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    indicator = serializers.CharField()
    indicator_version = serializers.CharField()
    by = serializers.ListField(child=serializers.CharField())
    fingerprint = serializers.CharField()
    table = serializers.SerializerMethodField()

    def get_table(self, obj) -> dict:
        return TableSerializer(ProtectedTable.from_release(obj)).data


class ReleaseSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    citation = serializers.CharField(read_only=True)
    tables = ReleaseTableSerializer(many=True, read_only=True)

    class Meta:
        model = Release
        fields = [
            "id",
            "identifier",
            "title",
            "notes",
            "organisation",
            "released_on",
            "created_at",
            "fingerprint",
            "rules",
            "epsilon_spent",
            "citation",
            "tables",
        ]
        read_only_fields = fields


class ReleaseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    tables = TableRequestSerializer(many=True, min_length=1, max_length=20)


class ReleaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Frozen releases. Creating one (PUBLISH_STATS) computes and freezes the tables asked for."""

    serializer_class = ReleaseSerializer
    queryset = Release.objects.none()

    def get_queryset(self):
        return selectors.releases_visible(self.request.user).prefetch_related("tables")

    @extend_schema(
        request=ReleaseCreateSerializer, responses={201: ReleaseSerializer, 400: OpenApiTypes.OBJECT}
    )
    def create(self, request, *args, **kwargs):
        policy.require_capability(request.user, Capability.PUBLISH_STATS)
        body = ReleaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tables = []
        for index, item in enumerate(body.validated_data["tables"]):
            query = TableRequestSerializer(data=item)
            query.is_valid(raise_exception=True)
            try:
                tables.append(protected_table(request.user, item["indicator"], **query.options()))
            except TABLE_ERRORS as exc:
                return _bad_request(f"table {index + 1}: {exc}")
        try:
            release = services.release_create(
                acting_user=request.user,
                title=body.validated_data["title"],
                notes=body.validated_data["notes"],
                tables=tables,
            )
        except ValidationError as exc:
            return _bad_request("; ".join(exc.messages))
        return Response(ReleaseSerializer(release).data, status=status.HTTP_201_CREATED)


def register(router):
    router.register("stats/indicators", IndicatorViewSet, basename="stats-indicator")
    router.register("stats/releases", ReleaseViewSet, basename="stats-release")
