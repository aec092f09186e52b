"""Screening API: instrument versions (with their definition and XLSForm), interviews and profiles.

Interviews may be submitted whole (``POST /api/v1/screening/interviews/``): the answers are checked
against the instrument like a phone submission and the profile is computed at once.
"""

import uuid

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from . import selectors, services
from .models import InstrumentVersion, Interview

MAX_ID = 2**31 - 1


class InstrumentVersionSerializer(serializers.ModelSerializer):
    form_id = serializers.CharField(source="instrument.form_id")
    title = serializers.CharField()
    owner = serializers.IntegerField(source="instrument.organisation_id", allow_null=True)
    definition = serializers.JSONField()

    class Meta:
        model = InstrumentVersion
        fields = ["id", "form_id", "version", "title", "status", "owner", "published_at", "definition"]


class ProfileSerializer(serializers.Serializer):
    categories = serializers.ListField(child=serializers.CharField())
    risk_factors = serializers.ListField(child=serializers.CharField())
    protective_factors = serializers.ListField(child=serializers.CharField())
    urgency = serializers.CharField()
    suggested_services = serializers.ListField(child=serializers.CharField())
    rules_version = serializers.CharField()
    computed_at = serializers.DateTimeField()


class ExplanationSerializer(serializers.Serializer):
    """Every conclusion with the answers ({question, answer}) that led to it."""

    categories = serializers.ListField(child=serializers.DictField())
    factors = serializers.ListField(child=serializers.DictField())
    urgency = serializers.CharField()
    urgency_reasons = serializers.ListField(child=serializers.DictField())
    services = serializers.ListField(child=serializers.DictField())
    rules_version = serializers.CharField()


class InterviewSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version_id")
    person = serializers.IntegerField(source="person_id", allow_null=True)
    profile = serializers.SerializerMethodField()

    class Meta:
        model = Interview
        fields = [
            "id",
            "reference",
            "organisation",
            "version",
            "person",
            "status",
            "channel",
            "country",
            "started_at",
            "completed_at",
            "profile",
        ]

    @extend_schema_field(ProfileSerializer(allow_null=True))
    def get_profile(self, obj):
        profile = getattr(obj, "profile", None)
        return ProfileSerializer(profile).data if profile else None


class InterviewDetailSerializer(InterviewSerializer):
    answers = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()

    class Meta(InterviewSerializer.Meta):
        fields = [*InterviewSerializer.Meta.fields, "answers", "explanation"]

    def get_answers(self, obj) -> dict:
        return obj.answers or {}

    @extend_schema_field(ExplanationSerializer(allow_null=True))
    def get_explanation(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.explanation if profile else None


class InterviewCreateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="id of a published instrument version"
    )
    answers = serializers.DictField(
        help_text="question name -> answer (choice name, list of choice names, whole number or text)"
    )
    instance_id = serializers.CharField(
        required=False,
        max_length=100,
        help_text="unique id of this submission; sending it again is accepted once",
    )


class InstrumentVersionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InstrumentVersionSerializer
    queryset = InstrumentVersion.objects.none()

    def get_queryset(self):
        return selectors.versions_visible(self.request.user).order_by("instrument__form_id", "-created_at")


class InterviewViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Interview.objects.none()

    def get_serializer_class(self):
        if self.action == "create":
            return InterviewCreateSerializer
        return InterviewDetailSerializer if self.action == "retrieve" else InterviewSerializer

    def get_queryset(self):
        return selectors.interviews_visible(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        interview = self.get_object()
        # The answers and the explanation quote the person: log the read.
        selectors.answers_explained(request.user, interview, purpose="api")
        return Response(InterviewDetailSerializer(interview).data)

    @extend_schema(
        request=InterviewCreateSerializer,
        responses={201: InterviewDetailSerializer, 200: InterviewDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = InterviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            version = selectors.published_versions(request.user).get(pk=data.validated_data["version"])
        except ObjectDoesNotExist:
            raise exceptions.ValidationError(
                {"version": ["No published instrument version with this id."]}
            ) from None
        try:
            interview, created = services.interview_receive(
                acting_user=request.user,
                form_id=version.instrument.form_id,
                version=version.version,
                answers=data.validated_data["answers"],
                instance_id=data.validated_data.get("instance_id") or f"api:{uuid.uuid4()}",
                channel="api",
            )
        except services.SubmissionError as exc:
            raise exceptions.ValidationError({"answers": [str(exc)]}) from None
        return Response(
            InterviewDetailSerializer(interview).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def register(router):
    router.register("screening/instruments", InstrumentVersionViewSet, basename="screening-instrument")
    router.register("screening/interviews", InterviewViewSet, basename="screening-interview")
