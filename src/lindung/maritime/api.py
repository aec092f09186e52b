"""API for incidents at sea and vessels, under /api/v1/maritime/. Reads go through the selectors
(policy, markings, distribution); writes through the services (validation, audit)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ErrorDetail
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from lindung.core import policy
from lindung.core.markings import TLP, Distribution
from lindung.core.models import SharingGroup

from . import codes, jobs, selectors, services
from .models import Incident, Vessel

MAX_COUNT = 1_000_000


def _decimal(value):
    return None if value is None else Decimal(str(round(value, 6)))


class PersonsSerializer(serializers.Serializer):
    sex = serializers.ChoiceField(choices=codes.sex_choices())
    age_group = serializers.ChoiceField(choices=codes.age_group_choices())
    nationality = serializers.ChoiceField(choices=codes.country_choices(), allow_blank=True, required=False)
    count = serializers.IntegerField(min_value=1, max_value=MAX_COUNT)


class VesselSerializer(serializers.ModelSerializer):
    stix_id = serializers.CharField(read_only=True)
    vessel_type = serializers.ChoiceField(choices=codes.vessel_type_choices())
    flag = serializers.ChoiceField(choices=codes.country_choices(), allow_blank=True, required=False)
    engine = serializers.ChoiceField(choices=codes.vessel_engine_choices(), allow_blank=True, required=False)
    length_m = serializers.FloatField(min_value=0, max_value=500, allow_null=True, required=False)
    engine_power_hp = serializers.IntegerField(
        min_value=0, max_value=100_000, allow_null=True, required=False
    )

    class Meta:
        model = Vessel
        fields = [
            "id", "stix_id", "organisation", "vessel_type", "name", "flag", "length_m", "engine",
            "engine_power_hp", "registration", "mmsi", "origin_node", "version", "modified_at",
        ]  # fmt: skip
        read_only_fields = ["organisation", "origin_node", "version", "modified_at"]

    def validate_length_m(self, value):
        return None if value is None else Decimal(str(round(value, 1)))


class FacilitatorsField(serializers.ListField):
    """References of suspected facilitators: written as a list, read back by the owner only."""

    def get_attribute(self, instance):
        if not policy.can(self.context["request"].user, policy.CHANGE, instance):
            return []
        return list(instance.facilitators.values_list("reference", flat=True))


def _coordinate(limit, **kwargs):
    return serializers.FloatField(
        min_value=-limit, max_value=limit, allow_null=True, required=False, **kwargs
    )


def _count():
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, allow_null=True, required=False)


def _code(choices):
    return serializers.ChoiceField(choices=choices, allow_blank=True, required=False)


class IncidentSerializer(serializers.ModelSerializer):
    stix_id = serializers.CharField(read_only=True)
    organisation = serializers.IntegerField(
        source="organisation_id",
        required=False,
        help_text="Owner; may be left out when you record for one only.",
    )
    incident_type = serializers.ChoiceField(choices=codes.incident_type_choices())
    latitude = _coordinate(90)
    longitude = _coordinate(180)
    departure_latitude = _coordinate(90)
    departure_longitude = _coordinate(180)
    disembarkation_latitude = _coordinate(90)
    disembarkation_longitude = _coordinate(180)
    position_precision_m = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, allow_null=True, required=False
    )
    persons_on_board = _count()
    dead = _count()
    missing = _count()
    survivors = _count()
    outcome = _code(codes.incident_outcome_choices())
    cause_of_death = _code(codes.cause_of_death_choices())
    route = _code(codes.migration_route_choices())
    departure_country = _code(codes.country_choices())
    destination_country = _code(codes.country_choices())
    disembarkation_country = _code(codes.country_choices())
    source_notes = serializers.ListField(
        child=serializers.ChoiceField(choices=Incident.SourceNote.choices),
        read_only=True,
        help_text="What an import fixed in, or left out of, the source row.",
    )
    source_reliability = _code(codes.source_reliability_choices())
    information_credibility = _code(codes.information_credibility_choices())
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)
    distribution = serializers.ChoiceField(choices=Distribution.choices, required=False)
    vessel = serializers.IntegerField(source="vessel_id", allow_null=True, required=False, min_value=1)
    sharing_group = serializers.IntegerField(
        source="sharing_group_id", allow_null=True, required=False, min_value=1
    )
    persons = PersonsSerializer(many=True, required=False)
    facilitators = FacilitatorsField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=100,
        help_text="Opaque references of suspected facilitators; shown to the owning organisation only.",
    )
    narrative = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=20000,
        help_text="Encrypted; never returned.",
    )

    class Meta:
        model = Incident
        fields = [
            "id", "stix_id", "organisation", *services.INCIDENT_FIELDS, *services.IMPORT_FIELDS, "persons",
            "facilitators", "origin_node", "version", "modified_at",
        ]  # fmt: skip
        read_only_fields = ["source_id", *services.IMPORT_FIELDS, "origin_node", "version", "modified_at"]

    def service_arguments(self, user, instance=None) -> dict:
        """validated_data as keyword arguments of incident_create / incident_update."""
        data = dict(self.validated_data)
        if instance is not None and "organisation_id" in data:
            raise serializers.ValidationError({"organisation": ["The owner of an incident cannot change."]})
        data.pop("organisation_id", None)
        for name in ("latitude", "longitude", "departure_latitude", "departure_longitude",
                     "disembarkation_latitude", "disembarkation_longitude"):  # fmt: skip
            if name in data:
                data[name] = _decimal(data[name])
        if "vessel_id" in data:
            vessel_id = data.pop("vessel_id")
            data["vessel"] = None if vessel_id is None else self._vessel(user, vessel_id)
        if "sharing_group_id" in data:
            group_id = data.pop("sharing_group_id")
            data["sharing_group"] = None if group_id is None else self._group(group_id)
        return data

    def _vessel(self, user, vessel_id):
        vessel = selectors.vessels_visible(user, policy.CHANGE).filter(pk=vessel_id).first()
        if vessel is None:
            raise serializers.ValidationError({"vessel": ["No vessel of yours has this id."]})
        return vessel

    def _group(self, group_id):
        group = SharingGroup.objects.filter(pk=group_id).first()
        if group is None:
            raise serializers.ValidationError({"sharing_group": ["No sharing group has this id."]})
        return group


@extend_schema_view(
    list=extend_schema(summary="Incidents at sea you may see (markings and distribution applied)"),
    create=extend_schema(summary="Record an incident at sea"),
    partial_update=extend_schema(summary="Change an incident recorded by your organisation"),
)
class IncidentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = IncidentSerializer
    queryset = Incident.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.incidents_visible(self.request.user).prefetch_related("persons")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        arguments = self._arguments(serializer)
        organisation = self._organisation(serializer.validated_data.get("organisation_id"))
        incident = services.incident_create(acting_user=request.user, organisation=organisation, **arguments)
        return Response(self.get_serializer(incident).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        incident = self.get_object()
        if not policy.can(request.user, policy.CHANGE, incident):
            raise PermissionDenied
        serializer = self.get_serializer(incident, data=request.data, partial=True)
        arguments = self._arguments(serializer, incident)
        incident = services.incident_update(acting_user=request.user, incident=incident, **arguments)
        return Response(self.get_serializer(incident).data)

    def _arguments(self, serializer, incident=None) -> dict:
        """Validated service arguments; a refusal is audited (field names only)."""
        try:
            serializer.is_valid(raise_exception=True)
            return serializer.service_arguments(self.request.user, incident)
        except serializers.ValidationError as exc:
            services.incident_refused(
                acting_user=self.request.user,
                organisation_id=incident.organisation_id if incident else None,
                fields=list(exc.detail) if isinstance(exc.detail, dict) else ["__all__"],
                incident=incident,
            )
            raise

    def _organisation(self, organisation_id):
        return _chosen_organisation(
            self.request.user, organisation_id, "Say which organisation records the incident."
        )


class VesselViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = VesselSerializer
    queryset = Vessel.objects.none()

    def get_queryset(self):
        return selectors.vessels_visible(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisations = selectors.organisations_recording(request.user)
        if organisations.count() != 1:
            if not organisations.exists():
                raise PermissionDenied
            raise serializers.ValidationError(
                {
                    "organisation": [
                        "You record for several organisations: record the vessel with its incident."
                    ]
                }
            )
        vessel = services.vessel_create(
            acting_user=request.user, organisation=organisations.get(), **serializer.validated_data
        )
        return Response(self.get_serializer(vessel).data, status=status.HTTP_201_CREATED)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=sorted(services.IMPORT_FORMATS), default="mmp")
    organisation = serializers.IntegerField(
        required=False, min_value=1, help_text="Owner; may be left out when you record for one only."
    )
    partial = serializers.BooleanField(
        default=False, help_text="Import the valid rows and report the others (default: all or nothing)."
    )

    def validate_file(self, value):
        if value.size > services.IMPORT_MAX_BYTES:
            raise serializers.ValidationError(
                f"file too large; the limit is {services.IMPORT_MAX_BYTES // 1048576} MB "
                "(use the command lindung maritime import)"
            )
        return value


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField(allow_blank=True)
    code = serializers.CharField()
    message = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    format = serializers.CharField()
    partial = serializers.BooleanField()
    rows = serializers.IntegerField()
    imported = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="unchanged + refused; rows = imported + skipped")
    unchanged = serializers.IntegerField()
    refused = serializers.IntegerField()
    errors = serializers.IntegerField()
    error_list = ImportProblemSerializer(many=True)
    fixes = ImportProblemSerializer(many=True)
    warnings = ImportProblemSerializer(many=True)
    unmatched = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    ok = serializers.BooleanField()


class ImportQueuedSerializer(serializers.Serializer):
    job = serializers.UUIDField()
    status = serializers.CharField()
    url = serializers.CharField(help_text="The job to poll; its result is the summary once it is done.")


class ImportViewSet(viewsets.ViewSet):
    """Import a public data file (IOM Missing Migrants Project CSV) as TLP:CLEAR incidents."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=ImportRequestSerializer,
        responses={200: ImportSummarySerializer, 202: ImportQueuedSerializer},
        summary="Import an MMP file; 400 with the same summary when the file is refused whole; "
        "202 with a job to poll (GET /api/v1/jobs/<id>/) for a file above the inline limit",
    )
    def create(self, request):
        if not selectors.organisations_recording(request.user).exists():
            raise PermissionDenied
        params = ImportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        organisation = _chosen_organisation(
            request.user,
            params.validated_data.get("organisation"),
            "Say which organisation imports the file.",
        )
        upload = params.validated_data["file"]
        try:
            outcome = jobs.start(
                acting_user=request.user,
                organisation=organisation,
                file_name=upload.name,
                data=upload.read(),
                fmt=params.validated_data["format"],
                partial=params.validated_data["partial"],
            )
        except DjangoValidationError as exc:
            problems = [ErrorDetail(message, code=exc.code) for message in exc.messages]
            raise serializers.ValidationError({"file": problems}) from exc
        if jobs.is_job(outcome):
            return Response(
                {
                    "job": str(outcome.pk),
                    "status": outcome.status,
                    "url": reverse("job-detail", args=[outcome.pk]),
                },
                status=status.HTTP_202_ACCEPTED,
            )
        summary = outcome
        return Response(
            ImportSummarySerializer(summary.as_dict()).data,
            status=status.HTTP_400_BAD_REQUEST if summary.refused_whole else status.HTTP_200_OK,
        )


def _chosen_organisation(user, organisation_id, ask):
    """The organisation named, one ``user`` records incidents for, or the only one (else ``ask``)."""
    organisations = selectors.organisations_recording(user)
    if not organisations.exists():
        raise PermissionDenied
    if organisation_id is None:
        if organisations.count() != 1:
            raise serializers.ValidationError({"organisation": [ask]})
        return organisations.get()
    organisation = organisations.filter(pk=organisation_id).first()
    if organisation is None:
        raise PermissionDenied
    return organisation


def register(router):
    router.register("maritime/incidents", IncidentViewSet, basename="maritime-incident")
    router.register("maritime/vessels", VesselViewSet, basename="maritime-vessel")
    router.register("maritime/imports", ImportViewSet, basename="maritime-import")
