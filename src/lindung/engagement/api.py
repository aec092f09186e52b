"""Engagement API under /api/v1/: engagements, sessions, cleared feedback and participants.

Reads go through selectors (coordinators of the owning organisation only). Feedback is only what
may be used: cleared, with consents holding. Participants' contact details appear only on a single
participant, for holders of VIEW_PARTICIPANT_CONTACT, and that read is logged.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lindung.core.parsing import parse_optional_int

from . import selectors, services
from .models import Contribution, Engagement, Outcome, Participant, Session

MAX_ID = 2**63 - 1
ERRORS = {400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}


class EngagementSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(
        source="organisation_id",
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Needed only when you coordinate engagement in several organisations.",
    )
    guideline = serializers.IntegerField(
        source="guideline_id", required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )

    class Meta:
        model = Engagement
        fields = ["id", "organisation", "title", "purpose", "feeds", "guideline", "status", "created_at"]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        user = self.context["request"].user
        orgs = selectors.managed_organisations(user)
        org_id = attrs.pop("organisation_id", None)
        organisation = orgs.filter(pk=org_id).first() if org_id else orgs.first()
        if organisation is None:
            raise serializers.ValidationError({"organisation": "You do not coordinate engagement there."})
        guideline_id = attrs.pop("guideline_id", None)
        if guideline_id is not None:
            attrs["guideline"] = selectors.guidelines(user, organisation.pk).filter(pk=guideline_id).first()
            if attrs["guideline"] is None:
                raise serializers.ValidationError(
                    {"guideline": "No such guideline document in that organisation."}
                )
        attrs["organisation"] = organisation
        return attrs


class SessionSerializer(serializers.ModelSerializer):
    engagement = serializers.IntegerField(source="engagement_id", min_value=1, max_value=MAX_ID)
    checklist_missing = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "engagement",
            "title",
            "format",
            "languages",
            "interpreters",
            "accessibility_needs",
            "setting",
            "location",
            "starts_at",
            "ends_at",
            "recorded",
            "status",
            "checklist_missing",
            "started_at",
        ]
        read_only_fields = ["status", "started_at"]

    def get_checklist_missing(self, obj) -> list[str]:
        return obj.checklist_missing()

    def validate(self, attrs):
        engagement_id = attrs.pop("engagement_id")
        attrs["engagement"] = (
            selectors.engagements(self.context["request"].user).filter(pk=engagement_id).first()
        )
        if attrs["engagement"] is None:
            raise serializers.ValidationError({"engagement": "No such engagement."})
        return attrs


class OutcomeSerializer(serializers.ModelSerializer):
    guideline = serializers.CharField(
        source="guideline_version.document.title", default=None, allow_null=True
    )
    guideline_version = serializers.CharField(
        source="guideline_version.version", default=None, allow_null=True
    )

    class Meta:
        model = Outcome
        fields = ["kind", "description", "decided_on", "guideline", "guideline_version"]


class FeedbackSerializer(serializers.ModelSerializer):
    engagement = serializers.IntegerField(source="session.engagement_id")
    text = serializers.CharField(source="public_text")
    attribution = serializers.SerializerMethodField()
    outcomes = OutcomeSerializer(many=True)

    class Meta:
        model = Contribution
        fields = ["id", "engagement", "session", "kind", "theme", "text", "attribution", "outcomes"]

    def get_attribution(self, obj) -> str | None:
        return selectors.attribution(obj) or None


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    contact = serializers.CharField(allow_blank=True)
    access_needs = serializers.CharField(allow_blank=True)


class ParticipantSerializer(serializers.ModelSerializer):
    consents = serializers.SerializerMethodField()
    contact_details = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = [
            "id",
            "code",
            "preferred_language",
            "contact_method",
            "output_preference",
            "consents",
            "contact_details",
        ]

    def get_consents(self, obj) -> list[str]:
        return sorted(c.scope for c in obj.consents.all() if c.withdrawn_on is None)

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact_details(self, obj):
        return self.context.get("identity")


@extend_schema_view(
    create=extend_schema(responses={201: EngagementSerializer, **ERRORS}),
)
class EngagementViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EngagementSerializer
    queryset = Engagement.objects.none()

    def get_queryset(self):
        return selectors.engagements(self.request.user).order_by("pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.engagement_save(
            acting_user=self.request.user, organisation=data.pop("organisation"), **data
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("engagement", int, description="Only this engagement")],
        responses={200: SessionSerializer(many=True), 400: OpenApiTypes.OBJECT},
    ),
    create=extend_schema(responses={201: SessionSerializer, **ERRORS}),
)
class SessionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SessionSerializer
    queryset = Session.objects.none()

    def get_queryset(self):
        qs = selectors.sessions(self.request.user).order_by("pk")
        engagement = _int_param(self.request, "engagement")
        return qs.filter(engagement_id=engagement) if engagement else qs

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.session_save(
            acting_user=self.request.user, engagement=data.pop("engagement"), **data
        )

    @extend_schema(request=None, responses={200: SessionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start the session; refused (400, audited) while the pre-session checklist is incomplete."""
        session = services.session_start(acting_user=request.user, session=self.get_object())
        return Response(
            SessionSerializer(session, context={"request": request}).data, status=status.HTTP_200_OK
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("engagement", int, description="Only this engagement"),
            OpenApiParameter("theme", str, description="Only this theme (code list engagement_theme)"),
        ],
        responses={200: FeedbackSerializer(many=True), 400: OpenApiTypes.OBJECT},
    ),
)
class FeedbackViewSet(viewsets.ReadOnlyModelViewSet):
    """Feedback items and quotes cleared for use whose participants' consents still hold."""

    serializer_class = FeedbackSerializer
    queryset = Contribution.objects.none()

    def get_queryset(self):
        qs = selectors.usable_contributions(self.request.user)
        engagement = _int_param(self.request, "engagement")
        if engagement:
            qs = qs.filter(session__engagement_id=engagement)
        theme = self.request.query_params.get("theme")
        return qs.filter(theme=theme) if theme else qs


class ParticipantViewSet(viewsets.ReadOnlyModelViewSet):
    """Participants by code. ``contact_details`` is null except on a single participant, for users
    allowed to see contact details; that read is logged."""

    serializer_class = ParticipantSerializer
    queryset = Participant.objects.none()

    def get_queryset(self):
        return selectors.participants(self.request.user).prefetch_related("consents").order_by("pk")

    def retrieve(self, request, *args, **kwargs):
        participant = self.get_object()
        identity = selectors.participant_identity(request.user, participant, purpose="api")
        context = {**self.get_serializer_context(), "identity": identity}
        return Response(ParticipantSerializer(participant, context=context).data)


def _int_param(request, name):
    return parse_optional_int(request.query_params.get(name), field=name, minimum=1, maximum=MAX_ID)


def register(router):
    router.register("engagements", EngagementViewSet, basename="engagement")
    router.register("engagement-sessions", SessionViewSet, basename="engagement-session")
    router.register("engagement-feedback", FeedbackViewSet, basename="engagement-feedback")
    router.register("engagement-participants", ParticipantViewSet, basename="engagement-participant")
