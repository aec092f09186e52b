"""Return safeguards in the API: /api/v1/risk-assessments/ lists, reads and records risk-on-return
assessments of return cases; POST .../{id}/sign-off/ and .../{id}/decision/ are the supervisor's.
Notes and reasons are personal data: null for users who may not see the person's identity, and
every response that carries them is logged as a read. Refusals carry the codes of
``cases.return_risk`` (``risk_sign_off_by_assessor``, ``risk_decision_reasons_missing``...)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lindung.core import policy
from lindung.core.parsing import parse_optional_int

from . import return_risk, selectors
from .choices import RiskDecision, RiskFinding
from .models import ReturnRiskAssessment

ID_PATTERN = r"[0-9]{1,18}"
MAX_ID = 10**18
FACTORS = [name for name, _label in ReturnRiskAssessment.FACTORS]
NOTES = [f"{name}_notes" for name in FACTORS]


class RiskAssessmentSerializer(serializers.ModelSerializer):
    notes_visible = serializers.BooleanField(read_only=True)
    signed_off = serializers.BooleanField(source="is_signed_off", read_only=True)
    clears_departure = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReturnRiskAssessment
        fields = [
            "id",
            "case",
            "assessed_on",
            *[n for name in FACTORS for n in (name, f"{name}_notes")],
            "result",
            "assessed_by",
            "assessed_at",
            "signed_off",
            "signed_off_by",
            "signed_off_at",
            "decision",
            "decision_reasons",
            "decided_by",
            "decided_at",
            "clears_departure",
            "notes_visible",
        ]
        read_only_fields = fields
        extra_kwargs = {name: {"allow_null": True} for name in [*NOTES, "decision_reasons"]}

    def to_representation(self, assessment):
        user = self.context["request"].user
        assessment.notes_visible = selectors.read_risk_notes(user, assessment, purpose="api")
        data = super().to_representation(assessment)
        if not assessment.notes_visible:
            for name in [*NOTES, "decision_reasons"]:
                data[name] = None
        return data


class RiskAssessmentCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    assessed_on = serializers.DateField(required=False)
    persecution = serializers.ChoiceField(choices=RiskFinding.values, required=False)
    persecution_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    torture = serializers.ChoiceField(choices=RiskFinding.values, required=False)
    torture_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    trafficking = serializers.ChoiceField(choices=RiskFinding.values, required=False)
    trafficking_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    child_best_interests = serializers.ChoiceField(choices=RiskFinding.values, required=False)
    child_best_interests_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class RiskDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=RiskDecision.values)
    reasons = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RiskAssessmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Risk-on-return assessments of return cases, newest first. Filter by ?case=<id>. A case moves
    into its departure step only when its latest assessment is signed off and found no risk, or a
    supervisor decided to proceed (see the transition refusal codes ``risk_*``)."""

    serializer_class = RiskAssessmentSerializer
    queryset = ReturnRiskAssessment.objects.none()
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        assessments = policy.accessible(self.request.user, ReturnRiskAssessment.objects.all()).order_by(
            "-assessed_at", "-pk"
        )
        case = parse_optional_int(self.request.query_params.get("case"), field="case", minimum=1)
        return assessments if case is None else assessments.filter(case_id=case)

    @extend_schema(request=RiskAssessmentCreateSerializer, responses={201: RiskAssessmentSerializer})
    def create(self, request, *args, **kwargs):
        incoming = RiskAssessmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        case = selectors.cases_visible(request.user).filter(pk=data.pop("case")).first()
        if case is None:
            raise serializers.ValidationError({"case": ["No such record, or you may not see it."]})
        assessment = return_risk.risk_assessment_record(
            acting_user=request.user, case=case, assessed_on=data.pop("assessed_on", None), factors=data
        )
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RiskAssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        assessment = return_risk.risk_assessment_sign_off(
            acting_user=request.user, assessment=self.get_object()
        )
        return Response(self.get_serializer(assessment).data)

    @extend_schema(request=RiskDecisionSerializer, responses=RiskAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        assessment = self.get_object()
        incoming = RiskDecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        assessment = return_risk.risk_decision_record(
            acting_user=request.user, assessment=assessment, **incoming.validated_data
        )
        return Response(self.get_serializer(assessment).data)


def register(router):
    router.register("risk-assessments", RiskAssessmentViewSet, basename="risk-assessment")
