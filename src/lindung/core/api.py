"""Core API: who am I, organisations, my tokens, the audit log."""

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from . import assurance, selectors, services
from .models import ApiToken, AuditEntry, Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "kind", "country"]


class MembershipSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    preferred_language = serializers.CharField()
    memberships = MembershipSerializer(many=True)


class TokenSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    days = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=366)
    secret = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "days",
            "assurance",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "secret",
        ]
        # The assurance is the creating request's (core.assurance), never the client's word.
        read_only_fields = ["assurance", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_secret(self, obj) -> str | None:
        # Present only in the response that created the token.
        return self.context.get("secret")


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor_id",
            "actor_username",
            "organisation_id",
            "action",
            "object_type",
            "object_id",
            "purpose",
            "request_id",
            "detail",
            "hash",
        ]


class MeView(APIView):
    """Who the caller is and which roles they hold where."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "username": user.username,
                    "preferred_language": user.preferred_language,
                    "memberships": user.memberships.select_related("organisation"),
                }
            ).data
        )


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.none()

    def get_queryset(self):
        return selectors.organisations_visible(self.request.user)


class TokenViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Your own API tokens. The secret is returned once, when the token is created."""

    serializer_class = TokenSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        return selectors.tokens_of(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token, secret = services.api_token_create(
                acting_user=request.user,
                assurance_level=assurance.request_assurance(request),
                **serializer.validated_data,
            )
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(
            TokenSerializer(token, context={"secret": secret}).data, status=status.HTTP_201_CREATED
        )

    def perform_destroy(self, instance):
        services.api_token_revoke(acting_user=self.request.user, token=instance)


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditEntrySerializer
    queryset = AuditEntry.objects.none()

    def get_queryset(self):
        return selectors.audit_entries(self.request.user)


def register(router):
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("tokens", TokenViewSet, basename="token")
    router.register("audit", AuditEntryViewSet, basename="audit")


urlpatterns = [path("me/", MeView.as_view(), name="me")]
