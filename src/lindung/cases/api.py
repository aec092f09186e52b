"""Cases API under /api/v1/: persons, cases (with transitions), consents. Reads go through
selectors; writes through services; identity fields are null for users without the identity
capability and every response that carries them is logged as a personal-data read."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lindung.core import policy
from lindung.core.models import Organisation
from lindung.core.paging import IdFirstPagination
from lindung.core.parsing import parse_optional_int
from lindung.core.roles import Capability
from lindung.standard import registry

from . import identifiers, return_api, selectors, services, workflows
from .choices import CaseType, ConsentPurpose, DocumentType
from .models import Case, Consent, Person

# Ids beyond a 64-bit integer would overflow the database driver: refuse them at the router.
ID_PATTERN = r"[0-9]{1,18}"
MAX_ID = 10**18


def _codes(list_id):
    return [code for code, _label in registry.choices(list_id)]


def _code_field(list_id, **kwargs):
    return serializers.ChoiceField(choices=_codes(list_id), required=False, allow_blank=True, **kwargs)


class DocumentSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=DocumentType.values)
    number = serializers.CharField(max_length=64)
    country = serializers.CharField(max_length=3, required=False, allow_blank=True)


class ContactsSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=300, required=False, allow_blank=True)
    email = serializers.CharField(max_length=300, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    identity_visible = serializers.BooleanField(read_only=True)
    given_name = serializers.CharField(read_only=True, allow_null=True)
    family_name = serializers.CharField(read_only=True, allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True, allow_null=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    documents = DocumentSerializer(many=True, read_only=True, allow_null=True)
    contacts = ContactsSerializer(read_only=True, allow_null=True)
    sex = serializers.CharField(read_only=True)
    gender = serializers.CharField(read_only=True)
    age_group = serializers.CharField(read_only=True)
    majority_status = serializers.CharField(read_only=True)
    citizenship = serializers.CharField(read_only=True)
    is_stateless = serializers.BooleanField(read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    disability_status = serializers.CharField(read_only=True)
    legal_status = serializers.CharField(read_only=True)
    vulnerabilities = serializers.ListField(
        child=serializers.CharField(), read_only=True, source="vulnerability_codes"
    )
    registered_at = serializers.DateTimeField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    IDENTITY = ("given_name", "family_name", "aliases", "date_of_birth", "documents", "contacts")

    def to_representation(self, person):
        user = self.context["request"].user
        identity = selectors.read_person(user, person, purpose="api") and person.anonymised_at is None
        person.identity_visible = identity
        person.vulnerability_codes = sorted(v.category for v in person.vulnerabilities.all())
        data = super().to_representation(person)
        for name in self.IDENTITY:
            if not identity:
                data[name] = None
        return data


class PersonWriteSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Registering organisation; defaults to your first organisation.",
    )
    given_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    documents = DocumentSerializer(many=True, required=False)
    contacts = ContactsSerializer(required=False)
    sex = _code_field("sex")
    gender = _code_field("gender")
    age_group = _code_field("age_group")
    majority_status = _code_field("majority_status")
    citizenship = _code_field("country")
    is_stateless = serializers.BooleanField(required=False)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, max_length=20
    )
    disability_status = _code_field("yes_no_unknown")
    legal_status = _code_field("legal_status")
    vulnerabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=_codes("vulnerability_category")), required=False
    )


class PersonUpdateSerializer(PersonWriteSerializer):
    organisation = None
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read; a stale version is refused."
    )


class CaseSerializer(serializers.ModelSerializer):
    person_reference = serializers.CharField(source="person.reference", read_only=True)
    state_label = serializers.CharField(read_only=True)
    next_steps = serializers.SerializerMethodField()
    step_data = serializers.DictField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "organisation",
            "person",
            "person_reference",
            "case_type",
            "state",
            "state_label",
            "opened_on",
            "closed_on",
            "owner",
            "team",
            "step_data",
            "legal_hold",
            "retain_until",
            "received_from",
            "source_reference",
            "transferred_to",
            "version",
            "next_steps",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_next_steps(self, case) -> list[str]:
        return [t.name for t in case.workflow.transitions_from(case.state)]


class CaseCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    case_type = serializers.ChoiceField(choices=CaseType.values)
    team = serializers.CharField(max_length=100, required=False, allow_blank=True)


class CaseUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    owner = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        required=False,
        help_text="User id of the new owner (supervisors).",
    )
    team = serializers.CharField(max_length=100, required=False, allow_blank=True)


ALL_TRANSITIONS = sorted({t.name for w in workflows.WORKFLOWS.values() for t in w.transitions})


class TransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=ALL_TRANSITIONS)
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    data = serializers.DictField(required=False, default=dict, help_text="Step data: field name → value.")


class ConsentSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)
    language = serializers.CharField(read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "person",
            "purpose",
            "obtained_on",
            "language",
            "valid_until",
            "withdrawn_at",
            "active",
        ]
        read_only_fields = fields


class ConsentCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    purpose = serializers.ChoiceField(choices=ConsentPurpose.values)
    language = serializers.CharField(max_length=3)
    information_given = serializers.CharField(max_length=4000)
    obtained_on = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)


def _visible_or_400(queryset, pk, field):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({field: ["No such record, or you may not see it."]})
    return obj


class PersonSearchSerializer(serializers.Serializer):
    """A search in the request body: names and document numbers never go in a URL."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    document = serializers.CharField(max_length=64, required=False, allow_blank=True)
    reference = serializers.CharField(max_length=16, required=False, allow_blank=True)
    citizenship = _code_field("country")
    sex = _code_field("sex")
    age_group = _code_field("age_group")


class PersonSearchResultSerializer(PersonSerializer):
    matched = serializers.SerializerMethodField(
        help_text="What the person was found by: name, name_part, name_variant, document, document_near."
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_matched(self, obj):
        return identifiers.shown(self.context.get("matches", {}).get(obj.pk, ()))


class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Persons. Identity fields are null unless you hold the identity capability; each response
    that shows them is logged. DELETE erases the person and their cases (subject's request)."""

    serializer_class = PersonSerializer
    queryset = Person.objects.none()
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            selectors.persons_visible(self.request.user).prefetch_related("vulnerabilities").order_by("-id")
        )

    @extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer})
    def create(self, request, *args, **kwargs):
        incoming = PersonWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        orgs = policy.organisations_with(request.user, Capability.MANAGE_CASES)
        org_id = data.pop("organisation", None) or min(orgs, default=None)
        if org_id not in orgs:
            raise serializers.ValidationError({"organisation": ["You may not register persons for it."]})
        person = services.person_register(
            acting_user=request.user, organisation=Organisation.objects.get(pk=org_id), **_person_fields(data)
        )
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonUpdateSerializer, responses=PersonSerializer)
    def partial_update(self, request, *args, **kwargs):
        person = self.get_object()
        incoming = PersonUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        if "version" not in data:
            raise serializers.ValidationError({"version": ["Send the version you read."]})
        version = data.pop("version")
        person = services.person_update(
            acting_user=request.user, person=person, expected_version=version, **_person_fields(data)
        )
        return Response(self.get_serializer(person).data)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.person_erase(
            acting_user=self.request.user, person=instance, confirm_reference=instance.reference
        )

    @extend_schema(request=PersonSearchSerializer, responses=PersonSearchResultSerializer(many=True))
    @action(detail=False, methods=["post"])
    def search(self, request):
        """A name (whole, one of its parts, or another spelling or script) or a document number
        (whatever its spaces, hyphens and case), plus the non-identifying filters. Each result says
        in ``matched`` what it was found by. The search and every identity shown are logged."""
        incoming = PersonSearchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        filters = {k: v for k, v in incoming.validated_data.items() if v}
        persons, matches = selectors.persons_search_matches(request.user, **filters)
        page = self.paginate_queryset(persons.prefetch_related("vulnerabilities"))
        results = PersonSearchResultSerializer(
            page, many=True, context={**self.get_serializer_context(), "matches": matches}
        )
        return self.get_paginated_response(results.data)

    @extend_schema(responses={200: OpenApiResponse(description="Everything held about the person (JSON).")})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        return Response(services.person_export(acting_user=request.user, person=self.get_object()))


def _person_fields(data):
    if "documents" in data:
        data["documents"] = [dict(d) for d in data["documents"]]
    if "contacts" in data:
        data["contacts"] = dict(data["contacts"])
    return data


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases. Filters: case_type, state, organisation, overdue=true, vulnerability. Cases are never
    deleted through the API: they close, and the retention job removes them."""

    serializer_class = CaseSerializer
    queryset = Case.objects.none()
    pagination_class = IdFirstPagination
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action != "list":
            return selectors.cases_visible(self.request.user)
        params = self.request.query_params
        organisation = params.get("organisation")
        return selectors.case_list(
            self.request.user,
            case_type=params.get("case_type", ""),
            state=params.get("state", ""),
            organisation=parse_optional_int(organisation, field="organisation", minimum=1),
            overdue=params.get("overdue") == "true",
            vulnerability=params.get("vulnerability", ""),
        )

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        incoming = CaseCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        person = _visible_or_400(selectors.persons_visible(request.user), data["person"], "person")
        case = services.case_open(
            acting_user=request.user, person=person, case_type=data["case_type"], team=data.get("team", "")
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        incoming = CaseUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        owner = case.owner
        if data.get("owner") is not None:
            owner = _visible_or_400(selectors.case_owners(case), data["owner"], "owner")
        elif "owner" in data:
            owner = None
        case = services.case_assign(
            acting_user=request.user,
            case=case,
            owner=owner,
            team=data.get("team", case.team),
            expected_version=data["version"],
        )
        return Response(CaseSerializer(case).data)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=TransitionSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        case = services.case_transition(
            acting_user=request.user,
            case=case,
            transition=data["transition"],
            data=data["data"],
            expected_version=data["version"],
        )
        return Response(CaseSerializer(case).data)


class ConsentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Consent records. Filter by ?person=<id>. POST .../withdraw/ withdraws at once."""

    serializer_class = ConsentSerializer
    queryset = Consent.objects.none()
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        consents = policy.accessible(self.request.user, Consent.objects.all()).order_by("-id")
        person = parse_optional_int(self.request.query_params.get("person"), field="person", minimum=1)
        return consents if person is None else consents.filter(person_id=person)

    @extend_schema(request=ConsentCreateSerializer, responses={201: ConsentSerializer})
    def create(self, request, *args, **kwargs):
        incoming = ConsentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        person = _visible_or_400(selectors.persons_visible(request.user), data.pop("person"), "person")
        consent = services.consent_record(acting_user=request.user, person=person, **data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = services.consent_withdraw(acting_user=request.user, consent=self.get_object())
        return Response(ConsentSerializer(consent).data)


def register(router):
    router.register("persons", PersonViewSet, basename="person")
    router.register("cases", CaseViewSet, basename="case")
    router.register("consents", ConsentViewSet, basename="consent")
    return_api.register(router)
