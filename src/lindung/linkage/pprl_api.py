"""Privacy-preserving linkage API under /api/v1/linkage/: export a party's encodings, match two
parties' encodings, list the runs (counts only). Refusals come back as 400 with their code
(``pprl_wrong_key``, ``pprl_tampered``, ``linkage_not_allowed``...)."""

import json

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from lindung.core.models import Organisation

from . import pprl_selectors, pprl_services
from .models import LinkageAgreement, PprlRun


class PprlRunSerializer(serializers.ModelSerializer):
    agreement = serializers.CharField(source="agreement.reference")
    run_by = serializers.CharField(source="run_by.username", default=None)
    unique_persons = serializers.IntegerField(allow_null=True)

    class Meta:
        model = PprlRun
        fields = [
            "id", "agreement", "kind", "party_ids", "records", "matched", "unique_persons",
            "threshold", "run_by", "run_at",
        ]  # fmt: skip
        read_only_fields = fields


class PprlRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Exports and matches under the linkage agreements you may see, newest first: counts only."""

    serializer_class = PprlRunSerializer
    queryset = PprlRun.objects.none()

    def get_queryset(self):
        return pprl_selectors.runs_visible(self.request.user)


class EncodeSerializer(serializers.Serializer):
    agreement = serializers.CharField(max_length=64, help_text="The linkage agreement's reference.")
    organisation = serializers.IntegerField(
        min_value=1, required=False, help_text="The party you export for, when you act for several."
    )


class MatchSerializer(serializers.Serializer):
    agreement = serializers.CharField(max_length=64)
    files = serializers.ListField(
        child=serializers.JSONField(),
        min_length=2,
        max_length=2,
        help_text="The two parties' encodings files.",
    )
    threshold = serializers.FloatField(default=pprl_services.DEFAULT_THRESHOLD, min_value=0.5, max_value=1)


class MatchResultSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    parties = serializers.ListField(child=serializers.CharField())
    pairs = serializers.ListField(
        child=serializers.JSONField(), help_text="[reference, reference, similarity]"
    )
    matches = serializers.JSONField(help_text="The signed matches file to hand to each party.")


def _agreement(user, reference):
    agreement = pprl_selectors.agreements_visible(user).filter(reference=reference).first()
    if agreement is None:
        raise serializers.ValidationError(
            {
                "agreement": [
                    serializers.ErrorDetail("No such agreement, or you may not use it.", code="not_found")
                ]
            }
        )
    return agreement


class EncodeViewSet(viewsets.GenericViewSet):
    """``POST /api/v1/linkage/pprl-encode/``: your organisation's encodings file under an agreement
    (one Bloom filter and one pseudonymous reference per person, nothing else)."""

    serializer_class = EncodeSerializer
    queryset = LinkageAgreement.objects.none()

    @extend_schema(request=EncodeSerializer, responses={200: serializers.JSONField()})
    def create(self, request):
        incoming = EncodeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        agreement = _agreement(request.user, incoming.validated_data["agreement"])
        org_id = incoming.validated_data.get("organisation")
        organisation = Organisation.objects.filter(pk=org_id).first() if org_id else None
        if org_id and organisation is None:
            raise serializers.ValidationError({"organisation": ["No such organisation."]})
        data, _run = pprl_services.pprl_encode(
            acting_user=request.user, agreement=agreement, organisation=organisation
        )
        return Response(json.loads(data))


class MatchViewSet(viewsets.GenericViewSet):
    """``POST /api/v1/linkage/pprl-match/``: the pairs of pseudonymous references of two parties'
    encodings whose Dice similarity reaches the threshold, one-to-one, and the signed matches file."""

    serializer_class = MatchSerializer
    queryset = LinkageAgreement.objects.none()

    @extend_schema(request=MatchSerializer, responses={200: MatchResultSerializer})
    def create(self, request):
        incoming = MatchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        agreement = _agreement(request.user, data["agreement"])
        files = [json.dumps(f).encode() for f in data["files"]]
        result = pprl_services.pprl_match(
            acting_user=request.user, agreement=agreement, files=files, threshold=data["threshold"]
        )
        return Response(
            {
                "run": result.run.pk,
                "parties": list(result.parties),
                "pairs": [list(p) for p in result.pairs],
                "matches": json.loads(result.data),
            }
        )


def register(router):
    router.register("linkage/pprl-runs", PprlRunViewSet, basename="linkage-pprl-run")
    router.register("linkage/pprl-encode", EncodeViewSet, basename="linkage-pprl-encode")
    router.register("linkage/pprl-match", MatchViewSet, basename="linkage-pprl-match")
