"""Notifications API: your inbox (read, mark read), your preferences, your watch rules."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from lindung.core import selectors as core_selectors
from lindung.core.markings import TLP
from lindung.core.roles import Capability
from lindung.standard import registry

from . import selectors, services
from .models import Channel, Event, Notification, WatchRule

MAX_ID = 2**31 - 1


def _codes(list_id):
    return [code for code, _label in registry.choices(list_id)]


def _drf_error(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"detail": exc.messages})


class NotificationSerializer(serializers.ModelSerializer):
    event_label = serializers.CharField(source="get_event_display")
    message = serializers.CharField()
    is_read = serializers.BooleanField()
    watch_rule = serializers.IntegerField(source="watch_rule_id", allow_null=True)

    class Meta:
        model = Notification
        fields = [
            "id", "event", "event_label", "message", "reference", "link", "watch_rule",
            "created_at", "read_at", "is_read",
        ]  # fmt: skip


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


# One field per event, so that the schema names every event and channel.
PreferencesSerializer = type(
    "PreferencesSerializer",
    (serializers.Serializer,),
    {event: serializers.ChoiceField(choices=Channel.values, required=False) for event in Event.values},
)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your notifications, newest first. They name objects by reference and link to them; the
    object's own page or endpoint decides what you may see of it."""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        unread = self.request.query_params.get("unread") in ("1", "true")
        return selectors.notifications_of(self.request.user, unread_only=unread).select_related("watch_rule")

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="only the unread ones")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(
            acting_user=request.user, notification=self.get_object()
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_all_read(acting_user=request.user)})


class PreferencesView(APIView):
    """How you are told of each event: inbox, email (inbox and an e-mail at once), digest (inbox
    and the daily digest) or off. PUT changes the events it names."""

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request):
        return Response(selectors.channels_of(request.user))

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def put(self, request):
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.preferences_save(acting_user=request.user, channels=dict(data.validated_data))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        return Response(selectors.channels_of(request.user))


class WatchRuleSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(
        source="organisation_id",
        min_value=1,
        max_value=MAX_ID,
        help_text="where you read incidents (set at creation only)",
    )
    route = serializers.ChoiceField(choices=["", *_codes("migration_route")], required=False)
    incident_type = serializers.ChoiceField(choices=["", *_codes("incident_type")], required=False)
    tlp = serializers.ListField(
        child=serializers.ChoiceField(choices=TLP.values), required=False, max_length=len(TLP.values)
    )
    min_latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    max_latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    min_longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    max_longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    min_dead_and_missing = serializers.IntegerField(
        min_value=0, max_value=100000, required=False, allow_null=True
    )

    class Meta:
        model = WatchRule
        fields = ["id", "organisation", *services.WATCH_RULE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class WatchRuleViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Your watch rules on incidents at sea (analysts). An incident recorded, imported or received
    that matches an active rule, and that you may see, raises a notification."""

    queryset = WatchRule.objects.none()
    serializer_class = WatchRuleSerializer
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.watch_rules_of(self.request.user).order_by("pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organisation_id = data.pop("organisation_id")
        organisation = (
            core_selectors.organisations_with_capability(self.request.user, Capability.VIEW_INCIDENTS)
            .filter(pk=organisation_id)
            .first()
        )
        if organisation is None:
            raise exceptions.ValidationError(
                {"organisation": ["You do not read incidents in this organisation."]}
            )
        try:
            serializer.instance = services.watch_rule_save(
                acting_user=self.request.user, organisation=organisation, **data
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if (
            data.pop("organisation_id", serializer.instance.organisation_id)
            != serializer.instance.organisation_id
        ):
            raise exceptions.ValidationError({"organisation": ["A rule stays in its organisation."]})
        try:
            serializer.instance = services.watch_rule_save(
                acting_user=self.request.user, rule=serializer.instance, **data
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None

    def perform_destroy(self, instance):
        services.watch_rule_delete(acting_user=self.request.user, rule=instance)


def register(router):
    router.register("notifications", NotificationViewSet, basename="notifications-notification")
    router.register("watch-rules", WatchRuleViewSet, basename="notifications-watch-rule")


urlpatterns = [
    path("notifications/preferences/", PreferencesView.as_view(), name="notifications-preferences")
]
