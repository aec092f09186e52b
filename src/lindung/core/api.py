"""Core API: who am I, organisations, my tokens, the audit log, background jobs."""

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from . import assurance, jobs, selectors, services
from .models import ApiToken, AuditEntry, Job, Organisation


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


class JobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.CharField()
    phase = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    attempts = serializers.IntegerField()
    error_code = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    result = serializers.DictField(help_text="What the job reports when done (counts, codes, a summary).")
    download = serializers.CharField(
        allow_blank=True, help_text="The file the job made (its creator only; a session download)."
    )


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Background jobs you started, and your organisations' if you administer them: poll one for
    its progress and, once done, its result (the answer of an upload sent to a worker)."""

    serializer_class = JobSerializer
    queryset = Job.objects.none()

    def get_queryset(self):
        return selectors.jobs_visible(self.request.user)

    def get_serializer(self, instance=None, *args, **kwargs):
        if instance is not None:
            instance = (
                [_job_data(j, self.request.user) for j in instance]
                if kwargs.get("many")
                else (_job_data(instance, self.request.user))
            )
        return super().get_serializer(instance, *args, **kwargs)


def _job_data(job: Job, user) -> dict:
    from django.urls import reverse

    mine = job.created_by_id == user.pk and job.status == Job.Status.DONE and bool(job.output_name)
    return {
        **jobs.progress(job),
        "id": job.pk,
        "kind": job.kind,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "result": job.result if job.status == Job.Status.DONE else {},
        "download": reverse("core:job_download", args=[job.pk]) if mine else "",
    }


def register(router):
    router.register("jobs", JobViewSet, basename="job")
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("tokens", TokenViewSet, basename="token")
    router.register("audit", AuditEntryViewSet, basename="audit")


urlpatterns = [path("me/", MeView.as_view(), name="me")]
