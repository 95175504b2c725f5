from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "read"]

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=500,
        help_text="Leave out to mark every notification read.",
    )


class NotificationListView(generics.ListAPIView):
    serializer_class = NotificationSerializer

    def get_queryset(self):
        return selectors.notifications_for(
            user=self.request.user, unread_only=self.request.query_params.get("unread") == "true"
        )

    @extend_schema(summary="Your notifications, newest first (?unread=true)", tags=["notifications"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class UnreadCountView(APIView):
    @extend_schema(
        responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}),
        summary="How many notifications are unread",
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count(user=request.user)})


class MarkReadView(APIView):
    @extend_schema(
        request=MarkReadSerializer,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
        summary="Mark notifications read (all when no ids are given)",
        tags=["notifications"],
    )
    def post(self, request: Request) -> Response:
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.mark_read(user=request.user, notification_ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked})
