"""Referrals API: the services directory (search, add, change) and referrals (send, answer, follow)."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lindung.core.models import Organisation
from lindung.standard import registry

from . import selectors, services
from .models import Referral, Service

MAX_ID = 2**31 - 1


def _codes(list_id):
    return [code for code, _label in registry.choices(list_id)]


def _drf_error(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"detail": exc.messages})


class ServiceSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    service_type = serializers.ChoiceField(choices=_codes("service_type"))
    country = serializers.ChoiceField(choices=_codes("country"))
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, max_length=30
    )
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, min_value=-180, max_value=180, required=False, allow_null=True
    )
    answer_days = serializers.IntegerField(min_value=1, max_value=60, required=False)
    capacity = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)

    class Meta:
        model = Service
        fields = ["id", "organisation", "organisation_name", *services.SERVICE_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]


class ServiceCreateSerializer(ServiceSerializer):
    owner = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        write_only=True,
        help_text="id of the providing organisation (you need MANAGE_DIRECTORY there)",
    )

    class Meta(ServiceSerializer.Meta):
        fields = [*ServiceSerializer.Meta.fields, "owner"]


class ServiceViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The directory: every signed-in user reads it; providers change their own services."""

    queryset = Service.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return ServiceCreateSerializer if self.action == "create" else ServiceSerializer

    def get_queryset(self):
        params = self.request.query_params
        need, country, language = (
            params.get("need", ""),
            params.get("country", ""),
            params.get("language", ""),
        )
        return selectors.services_search(
            self.request.user,
            need=need[:40],
            country=country[:3],
            place=params.get("place", "")[:100],
            language=language[:3],
        ).order_by("pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("need", str, description="service type (code list service_type)"),
            OpenApiParameter("country", str, description="ISO 3166 alpha-3"),
            OpenApiParameter("place", str, description="part of the place name or area covered"),
            OpenApiParameter(
                "language", str, description="ISO 639-3 code of a language the service works in"
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organisation = Organisation.objects.filter(pk=data.pop("owner")).first()
        if organisation is None:
            raise exceptions.ValidationError({"owner": ["Unknown organisation."]})
        try:
            serializer.instance = services.service_save(
                acting_user=self.request.user, organisation=organisation, **data
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None

    def perform_update(self, serializer):
        try:
            serializer.instance = services.service_save(
                acting_user=self.request.user, service=serializer.instance, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None

    def get_object(self):
        obj = super().get_object()
        if self.action in ("update", "partial_update"):
            try:
                return selectors.services_changeable(self.request.user).get(pk=obj.pk)
            except ObjectDoesNotExist:
                raise exceptions.PermissionDenied("You may not change this service.") from None
        return obj


class ReferralSerializer(serializers.ModelSerializer):
    service = serializers.IntegerField(source="service_id")
    receiving_organisation = serializers.IntegerField(source="receiving_organisation_id")
    organisation = serializers.IntegerField(source="organisation_id")
    needs = serializers.ListField(child=serializers.CharField())
    is_overdue = serializers.BooleanField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "organisation",
            "receiving_organisation",
            "service",
            "needs",
            "urgency",
            "identity_shared",
            "status",
            "sent_at",
            "due_at",
            "answered_at",
            "decline_reason",
            "service_given",
            "service_date",
            "completed_at",
            "is_overdue",
        ]


class ReferralCreateSerializer(serializers.Serializer):
    profile = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    case = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    service = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=_codes("service_type")), min_length=1, max_length=30
    )
    urgency = serializers.ChoiceField(choices=_codes("screening_urgency"), required=False)
    share_identity = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, attrs):
        sources = [k for k in ("profile", "case", "person") if attrs.get(k)]
        if len(sources) != 1:
            raise serializers.ValidationError("Give exactly one of profile, case or person.")
        return attrs


class AnswerSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["accept", "decline", "service_given"])
    reason = serializers.ChoiceField(choices=_codes("referral_decline_reason"), required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    service_type = serializers.ChoiceField(choices=_codes("service_type"), required=False)
    service_date = serializers.DateField(required=False)


class ReferralViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Referrals the caller's organisations sent or received. Sending needs the person's consent to
    referral; answering is for the receiving organisation."""

    queryset = Referral.objects.none()
    serializer_class = ReferralSerializer

    def get_queryset(self):
        return selectors.referrals_visible(self.request.user).order_by("-sent_at")

    def _source(self, data):
        from lindung.cases import selectors as cases_selectors
        from lindung.screening import selectors as screening_selectors

        getters = {
            "profile": screening_selectors.profile_get,
            "case": cases_selectors.case_get,
            "person": cases_selectors.person_get,
        }
        for name, getter in getters.items():
            if data.get(name):
                try:
                    return {name: getter(self.request.user, data[name])}
                except ObjectDoesNotExist:
                    raise exceptions.ValidationError({name: ["Not found or not yours."]}) from None
        raise exceptions.ValidationError({"detail": ["Give exactly one of profile, case or person."]})

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request, *args, **kwargs):
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        service = selectors.services_visible(request.user).filter(pk=values["service"]).first()
        if service is None:
            raise exceptions.ValidationError({"service": ["No such service in the directory."]})
        try:
            referral = services.referral_send(
                acting_user=request.user,
                service=service,
                needs=values["needs"],
                urgency=values.get("urgency", ""),
                share_identity=values["share_identity"],
                note=values["note"],
                **self._source(values),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Accept, decline (with a reason) or record the service given."""
        referral = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if values["action"] == "accept":
                referral = services.referral_accept(
                    acting_user=request.user, referral=referral, note=values["note"]
                )
            elif values["action"] == "decline":
                referral = services.referral_decline(
                    acting_user=request.user,
                    referral=referral,
                    reason=values.get("reason", ""),
                    note=values["note"],
                )
            else:
                if not values.get("service_type") or not values.get("service_date"):
                    raise exceptions.ValidationError(
                        {"service_type": ["service_type and service_date are needed."]}
                    )
                referral = services.referral_record_service(
                    acting_user=request.user,
                    referral=referral,
                    service_type=values["service_type"],
                    service_date=values["service_date"],
                    note=values["note"],
                )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        return Response(ReferralSerializer(referral).data)


def register(router):
    router.register("referrals/services", ServiceViewSet, basename="referrals-service")
    router.register("referrals/referrals", ReferralViewSet, basename="referrals-referral")
