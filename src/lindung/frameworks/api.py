"""API of the knowledge base: instruments (read, create), provisions (read), the comparison matrix."""

from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from lindung.core import policy
from lindung.core.roles import Capability
from lindung.standard import registry

from . import selectors, services
from .codes import codes_q
from .models import Instrument, Provision


def _values(list_id) -> list[str]:
    # Codes only: DRF evaluates choices once, at import, and labels would freeze in one language.
    return registry.code_list(list_id).values()


def _codes(list_id):
    return serializers.ListField(child=serializers.ChoiceField(choices=_values(list_id)), required=False)


class InstrumentSerializer(serializers.ModelSerializer):
    # Codes as plain strings: blank codes ("no region") are valid here but not members of an enum.
    country = serializers.CharField(read_only=True)
    region = serializers.CharField(read_only=True)
    instrument_type = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    verification = serializers.CharField(read_only=True)
    source_url = serializers.CharField(read_only=True, help_text="Link to the source, or empty")
    parties = serializers.ListField(child=serializers.CharField(max_length=3), read_only=True)
    effective_status = serializers.SerializerMethodField()
    implements = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = Instrument
        fields = [
            "id",
            "title_en",
            "title_original",
            "original_language",
            "short_title",
            "instrument_type",
            "country",
            "region",
            "parties",
            "open_to_all_states",
            "adopted_on",
            "in_force_on",
            "amended_on",
            "repealed_on",
            "expires_on",
            "status",
            "effective_status",
            "summary",
            "citation",
            "source_url",
            "has_document",
            "implements",
            "verification",
            "verification_note",
            "last_verified",
            "is_example",
            "shared",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_effective_status(self, obj) -> str:
        return obj.effective_status()

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)


class InstrumentCreateSerializer(serializers.Serializer):
    title_en = serializers.CharField(max_length=500)
    title_original = serializers.CharField(max_length=500, required=False, allow_blank=True)
    # ISO 639-3, checked by the model: as an enum its ~8,000 codes would swamp the schema.
    original_language = serializers.CharField(max_length=3, required=False, allow_blank=True)
    short_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    instrument_type = serializers.ChoiceField(choices=_values("framework_instrument_type"))
    country = serializers.ChoiceField(choices=_values("country"), required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=_values("framework_region"), required=False, allow_blank=True)
    parties = _codes("country")
    open_to_all_states = serializers.BooleanField(required=False, default=False)
    adopted_on = serializers.DateField(required=False, allow_null=True)
    in_force_on = serializers.DateField(required=False, allow_null=True)
    amended_on = serializers.DateField(required=False, allow_null=True)
    repealed_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=_values("framework_instrument_status"))
    summary = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    citation = serializers.CharField(max_length=500, required=False, allow_blank=True)
    source_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    verification = serializers.ChoiceField(
        choices=["cited", "unverified"], required=False, default="unverified"
    )
    verification_note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    shared = serializers.BooleanField(required=False, default=True)
    implements = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=100
    )

    def validate(self, attrs):
        attrs.setdefault("title_original", attrs["title_en"])
        if not attrs["title_original"]:
            attrs["title_original"] = attrs["title_en"]
        return attrs


class ProvisionSerializer(serializers.ModelSerializer):
    themes = serializers.ListField(child=serializers.CharField(), read_only=True)
    gcm_objectives = serializers.ListField(child=serializers.CharField(), read_only=True)
    groups = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Provision
        fields = [
            "id",
            "instrument",
            "reference",
            "heading",
            "text",
            "text_kind",
            "themes",
            "gcm_objectives",
            "groups",
            "position",
        ]
        read_only_fields = fields


class FilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    country = serializers.ChoiceField(choices=_values("country"), required=False, allow_blank=True)
    theme = serializers.ChoiceField(choices=_values("framework_theme"), required=False, allow_blank=True)
    type = serializers.ChoiceField(
        choices=_values("framework_instrument_type"), required=False, allow_blank=True
    )
    status = serializers.ChoiceField(
        choices=_values("framework_instrument_status"), required=False, allow_blank=True
    )


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description='Full-text search (words, or "a phrase")'),
    OpenApiParameter("country", str, description="ISO 3166-1 alpha-3"),
    OpenApiParameter("theme", str, enum=_values("framework_theme")),
    OpenApiParameter("type", str, enum=_values("framework_instrument_type")),
    OpenApiParameter("status", str, enum=_values("framework_instrument_status")),
]


class InstrumentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Instruments of the knowledge base. Reading needs VIEW_FRAMEWORKS, creating MANAGE_FRAMEWORKS."""

    queryset = Instrument.objects.none()

    def get_serializer_class(self):
        return InstrumentCreateSerializer if self.action == "create" else InstrumentSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.instruments_visible(self.request.user).prefetch_related(
                Prefetch("implements", selectors.instruments_visible(self.request.user))
            )
        params = FilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        found = selectors.instruments_filtered(
            self.request.user,
            country=data.get("country", ""),
            theme=data.get("theme", ""),
            instrument_type=data.get("type", ""),
            status=data.get("status", ""),
        )
        if data.get("q"):
            hits = selectors.search_entries(self.request.user, data["q"]).values("instrument_id")
            found = found.filter(pk__in=hits)
        visible = selectors.instruments_visible(self.request.user)
        return found.prefetch_related(Prefetch("implements", visible)).order_by("title_en", "id")

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=InstrumentCreateSerializer, responses={201: InstrumentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = InstrumentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ids = data.pop("implements", [])
        implements = list(selectors.instruments_visible(request.user).filter(pk__in=ids))
        if len(implements) != len(set(ids)):
            raise serializers.ValidationError({"implements": [_("Unknown instrument id.")]})
        instrument = services.instrument_create(acting_user=request.user, data=data, implements=implements)
        return Response(InstrumentSerializer(instrument).data, status=status.HTTP_201_CREATED)


class ProvisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Provisions with their themes, GCM objectives and groups; ``q`` searches their text."""

    serializer_class = ProvisionSerializer
    queryset = Provision.objects.none()

    def get_queryset(self):
        if self.action != "list":
            return selectors.provisions_visible(self.request.user)
        params = FilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        instruments = selectors.instruments_filtered(
            self.request.user,
            country=data.get("country", ""),
            instrument_type=data.get("type", ""),
            status=data.get("status", ""),
        ).values("pk")
        found = selectors.provisions_visible(self.request.user).filter(instrument_id__in=instruments)
        if data.get("theme"):
            found = found.filter(codes_q("themes", data["theme"]))
        if data.get("q"):
            hits = selectors.search_entries(self.request.user, data["q"]).filter(provision__isnull=False)
            found = found.filter(pk__in=hits.values("provision_id"))
        return found.order_by("instrument_id", "position", "id")

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class MatrixEntrySerializer(serializers.Serializer):
    instrument = serializers.IntegerField()
    title = serializers.CharField()
    type = serializers.CharField()
    standing = serializers.CharField()
    in_force = serializers.BooleanField()
    provisions = serializers.ListField(child=serializers.IntegerField())


class MatrixCellSerializer(serializers.Serializer):
    country = serializers.CharField()
    theme = serializers.CharField()
    entries = MatrixEntrySerializer(many=True)


class MatrixGapSerializer(serializers.Serializer):
    country = serializers.CharField()
    themes_without_instrument_in_force = serializers.ListField(child=serializers.CharField())
    commitments_without_implementation = serializers.ListField(child=serializers.IntegerField())
    expired = serializers.ListField(child=serializers.IntegerField())


class MatrixSerializer(serializers.Serializer):
    countries = serializers.ListField(child=serializers.CharField())
    themes = serializers.ListField(child=serializers.CharField())
    cells = MatrixCellSerializer(many=True)
    gaps = MatrixGapSerializer(many=True)


class MatrixQuerySerializer(serializers.Serializer):
    countries = serializers.CharField(max_length=200)

    def validate_countries(self, value):
        codes = list(dict.fromkeys(c.strip().upper() for c in value.replace(",", " ").split() if c.strip()))
        unknown = [c for c in codes if not registry.is_valid("country", c)]
        if unknown or not codes:
            raise serializers.ValidationError(
                _("Give ISO 3166-1 alpha-3 codes separated by commas, e.g. IDN,MYS.")
            )
        if len(codes) > 12:
            raise serializers.ValidationError(_("At most 12 countries."))
        return codes


def _entry(entry) -> dict:
    return {
        "instrument": entry.instrument.pk,
        "title": str(entry.instrument),
        "type": entry.instrument.instrument_type,
        "standing": entry.standing,
        "in_force": entry.in_force,
        "provisions": [p.pk for p in entry.provisions],
    }


class MatrixView(APIView):
    """The country x theme comparison matrix with its gap list."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "countries", str, required=True, description="ISO 3166-1 alpha-3 codes separated by commas"
            )
        ],
        responses=MatrixSerializer,
    )
    def get(self, request):
        params = MatrixQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        policy.require_capability(request.user, Capability.VIEW_FRAMEWORKS, purpose="frameworks")
        matrix = selectors.country_matrix(request.user, params.validated_data["countries"])
        cells = [
            {"country": c, "theme": code, "entries": [_entry(e) for e in entries]}
            for code, _label, row in matrix.rows()
            for c, entries in row
        ]
        gaps = []
        for country in matrix.countries:
            found = matrix.gaps(country)
            gaps.append(
                {
                    "country": country,
                    "themes_without_instrument_in_force": [
                        c for c, _l in found.themes_without_instrument_in_force
                    ],
                    "commitments_without_implementation": [
                        e.instrument.pk for e in found.commitments_without_implementation
                    ],
                    "expired": [e.instrument.pk for e in found.expired],
                }
            )
        return Response(
            MatrixSerializer(
                {
                    "countries": matrix.countries,
                    "themes": [c for c, _l in matrix.themes],
                    "cells": cells,
                    "gaps": gaps,
                }
            ).data
        )


def register(router):
    router.register("framework-instruments", InstrumentViewSet, basename="framework-instrument")
    router.register("framework-provisions", ProvisionViewSet, basename="framework-provision")


# The matrix is one document, not a collection: a plain view keeps its schema an object.
urlpatterns = [path("framework-matrix/", MatrixView.as_view(), name="framework-matrix")]
