"""Linkage API under /api/v1/linkage/: the duplicate check before a registration (the fields go
in the request body, never in a URL) and the decisions on pairs of persons."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from lindung.cases import selectors as case_selectors
from lindung.cases.choices import DocumentType
from lindung.core.parsing import id_or_none, parse_optional_int
from lindung.standard import registry

from . import inputs, pprl_api, queue, scoring, selectors, services
from .identity import Identity
from .models import DedupeCandidate, DedupeRun, PersonLink

MAX_ID = 10**18


def _code_field(list_id):
    codes = [code for code, _label in registry.choices(list_id)]
    return serializers.ChoiceField(choices=codes, required=False, allow_blank=True)


class DocumentSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=DocumentType.values)
    number = serializers.CharField(max_length=64)
    country = _code_field("country")


class CheckSerializer(serializers.Serializer):
    """The identity fields of a registration about to be made."""

    given_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    documents = DocumentSerializer(many=True, required=False, max_length=10)
    sex = _code_field("sex")
    citizenship = _code_field("country")


class StepSerializer(serializers.Serializer):
    field = serializers.CharField()
    level = serializers.CharField()
    label = serializers.CharField()
    bayes_factor = serializers.FloatField()
    log2_bayes_factor = serializers.FloatField()


class CandidateSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    reference = serializers.CharField(source="person.reference")
    organisation = serializers.IntegerField(source="person.organisation_id")
    given_name = serializers.CharField(source="person.given_name", allow_null=True)
    family_name = serializers.CharField(source="person.family_name", allow_null=True)
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    probability = serializers.FloatField(source="score.probability")
    match_weight = serializers.FloatField(source="score.match_weight")
    steps = serializers.SerializerMethodField()

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, candidate) -> list[dict]:
        return [s.as_dict() for s in candidate.score.steps]


class CandidatesSerializer(serializers.Serializer):
    candidates = CandidateSerializer(many=True)


class CandidateViewSet(viewsets.GenericViewSet):
    """``POST /api/v1/linkage/candidates/``: scored candidates among the persons you may see, each
    with its comparison field by field (Fellegi–Sunter weights, as in Splink's waterfall). The
    search and each candidate shown are logged. Nothing is saved."""

    serializer_class = CheckSerializer

    @extend_schema(request=CheckSerializer, responses={200: CandidatesSerializer})
    def create(self, request):
        incoming = CheckSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        identity = inputs.query_identity(dict(incoming.validated_data))
        found = selectors.candidates(request.user, identity)
        for candidate in found:
            selectors.read_candidate(request.user, candidate)
        return Response({"candidates": CandidateSerializer(found, many=True).data})


class DecisionSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    other = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    decision = serializers.ChoiceField(choices=["link", "unlink", "not_same"])


class PersonLinkSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", default=None, read_only=True)

    class Meta:
        model = PersonLink
        fields = ["id", "person", "other", "state", "decided_by", "decided_at", "reasons"]
        read_only_fields = fields


DECIDE = {
    "link": services.person_link,
    "unlink": services.person_unlink,
    "not_same": services.person_mark_not_same,
}


@extend_schema(
    parameters=[OpenApiParameter("person", int, description="Only the decisions on this person's pairs.")]
)
class DecisionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Decisions on pairs of persons, newest first: ``link`` (same person), ``unlink`` (undo a
    link), ``not_same`` (never proposed again). Each is a service with its audit entry; a pair of
    two organisations is refused with the code ``agreement_required``."""

    serializer_class = PersonLinkSerializer
    queryset = PersonLink.objects.none()

    def get_queryset(self):
        person_id = parse_optional_int(
            self.request.query_params.get("person"), field="person", minimum=1, maximum=MAX_ID
        )
        if person_id is None:
            return selectors.decisions_visible(self.request.user)
        person = case_selectors.persons_visible(self.request.user).filter(pk=person_id).first()
        if person is None:
            return PersonLink.objects.none()
        return selectors.links_of(self.request.user, person)

    @extend_schema(request=DecisionSerializer, responses={201: PersonLinkSerializer})
    def create(self, request, *args, **kwargs):
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        visible = case_selectors.persons_visible(request.user)
        person = visible.filter(pk=data["person"]).first()
        other = visible.filter(pk=data["other"]).first()
        missing = {
            f: ["No such person, or you may not see them."]
            for f, p in (("person", person), ("other", other))
            if p is None
        }
        if missing:
            raise serializers.ValidationError(missing)
        kwargs = {"acting_user": request.user, "person": person, "other": other}
        if data["decision"] != "unlink":
            kwargs["reasons"] = scoring.score(Identity.of_person(person), Identity.of_person(other)).reasons()
        link = DECIDE[data["decision"]](**kwargs)
        return Response(PersonLinkSerializer(link).data, status=status.HTTP_201_CREATED)


class DedupeCandidateSerializer(serializers.ModelSerializer):
    person_reference = serializers.CharField(source="person.reference", read_only=True)
    other_reference = serializers.CharField(source="other.reference", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, read_only=True)
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = DedupeCandidate
        fields = [
            "id",
            "run",
            "organisation",
            "person",
            "person_reference",
            "other",
            "other_reference",
            "probability",
            "match_weight",
            "explanation",
            "state",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields

    @extend_schema_field(StepSerializer(many=True))
    def get_explanation(self, item) -> list[dict]:
        return [s.as_dict() for s in item.score.steps]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "state",
                str,
                enum=DedupeCandidate.State.values,
                description="open (default), accepted or rejected",
            )
        ]
    )
)
class DedupeCandidateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Pairs proposed by batch deduplication, best first, among the persons whose identities you may
    see: ids, references, Splink's probability and its explanation (fields, levels and weights;
    read the persons through the persons API). ``accept`` links the pair, ``reject`` remembers it
    as two persons; refusals as 400 with their code (``already_reviewed``, ``already_linked``...)."""

    serializer_class = DedupeCandidateSerializer
    queryset = DedupeCandidate.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        state = self.request.query_params.get("state") or DedupeCandidate.State.OPEN
        if state not in DedupeCandidate.State.values:
            raise serializers.ValidationError(
                {"state": [serializers.ErrorDetail("Unknown state.", code="invalid_choice")]}
            )
        return selectors.dedupe_queue(self.request.user, state=state)

    def _decide(self, service):
        pk = id_or_none(self.kwargs["pk"])
        item = selectors.dedupe_queue(self.request.user).filter(pk=pk).first() if pk else None
        if item is None:
            raise NotFound("No such open pair.", code="not_found")
        item = service(acting_user=self.request.user, candidate=item)
        return Response(DedupeCandidateSerializer(item).data)

    @extend_schema(request=None, responses={200: DedupeCandidateSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(services.dedupe_candidate_accept)

    @extend_schema(request=None, responses={200: DedupeCandidateSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(services.dedupe_candidate_reject)


class DedupeRunSerializer(serializers.ModelSerializer):
    started_by = serializers.CharField(source="started_by.username", default=None, read_only=True)

    class Meta:
        model = DedupeRun
        fields = ["id", "organisation", "started_by", "started_at", "persons", "pairs", "proposed", "seconds"]
        read_only_fields = fields


class DedupeStartSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class JobStartedSerializer(serializers.Serializer):
    job = serializers.CharField()
    status = serializers.CharField()
    error_code = serializers.CharField(allow_blank=True)


class DedupeRunViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Batch deduplication runs, newest first. ``POST`` ``{"organisation": id}`` starts one on the
    worker (needs supervising cases and seeing identities in that organisation) and answers 202
    with the job; a run of an organisation with fewer than two persons ends with ``no_persons``."""

    serializer_class = DedupeRunSerializer
    queryset = DedupeRun.objects.none()

    def get_queryset(self):
        return selectors.dedupe_runs(self.request.user)

    @extend_schema(request=DedupeStartSerializer, responses={202: JobStartedSerializer})
    def create(self, request):
        incoming = DedupeStartSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        organisation = (
            selectors.dedupe_organisations(request.user)
            .filter(pk=incoming.validated_data["organisation"])
            .first()
        )
        if organisation is None:
            raise PermissionDenied
        job = queue.start_run(request.user, organisation)
        job.refresh_from_db()
        return Response(
            {"job": str(job.pk), "status": job.status, "error_code": job.error_code},
            status=status.HTTP_202_ACCEPTED,
        )


def register(router):
    router.register("linkage/candidates", CandidateViewSet, basename="linkage-candidate")
    router.register("linkage/decisions", DecisionViewSet, basename="linkage-decision")
    pprl_api.register(router)
    router.register("linkage/dedupe-candidates", DedupeCandidateViewSet, basename="linkage-dedupe-candidate")
    router.register("linkage/dedupe-runs", DedupeRunViewSet, basename="linkage-dedupe-run")
