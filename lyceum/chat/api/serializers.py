from __future__ import annotations

from rest_framework import serializers

from ..models import MAX_CLIENT_ID_LENGTH, MAX_MESSAGE_LENGTH, ChatRoom, Message


class MessageSerializer(serializers.ModelSerializer):
    sender = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()
    deleted = serializers.BooleanField(source="is_deleted", read_only=True)

    class Meta:
        model = Message
        fields = ["id", "room", "seq", "sender", "client_id", "content", "created_at", "edited_at", "deleted"]

    def get_sender(self, message: Message) -> dict | None:
        if message.sender is None:
            return None
        return {
            "id": str(message.sender.pk),
            "username": message.sender.username,
            "display_name": message.sender.display_name,
        }

    def get_content(self, message: Message) -> str:
        return "" if message.is_deleted else message.content


class RoomSerializer(serializers.ModelSerializer):
    unread = serializers.IntegerField(read_only=True, default=0)
    last_read_seq = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = ChatRoom
        fields = [
            "id",
            "name",
            "kind",
            "course",
            "last_seq",
            "last_read_seq",
            "unread",
            "last_message_at",
            "created_at",
        ]


class RoomCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("group", "Group"), ("direct", "Direct")], default="group")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    members = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=500)
    user = serializers.UUIDField(required=False, help_text="Direct rooms: the other user.")

    def validate(self, attrs):
        if attrs["kind"] == "direct" and not attrs.get("user"):
            raise serializers.ValidationError({"user": ["Choose who to talk to."]})
        if attrs["kind"] == "group" and not attrs.get("name", "").strip():
            raise serializers.ValidationError({"name": ["Give the room a name."]})
        return attrs


class SendSerializer(serializers.Serializer):
    room = serializers.UUIDField()
    content = serializers.CharField(max_length=MAX_MESSAGE_LENGTH)
    client_id = serializers.CharField(max_length=MAX_CLIENT_ID_LENGTH, required=False, allow_blank=True)


class EditSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=MAX_MESSAGE_LENGTH)


class ParticipantSerializer(serializers.Serializer):
    user = serializers.UUIDField()


class ReadSerializer(serializers.Serializer):
    seq = serializers.IntegerField(min_value=0, required=False)


class AddResultSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="`added` (you share a course: in the room now) or `invited` (joins on accepting)."
    )


class InvitationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    room = serializers.UUIDField(source="room_id")
    room_name = serializers.CharField(source="room.name")
    invited_by = serializers.UUIDField(source="invited_by_id")
    invited_by_name = serializers.CharField(source="invited_by.display_name")
    created_at = serializers.DateTimeField()


class BlockSerializer(serializers.Serializer):
    user = serializers.UUIDField(source="blocked_id")
    username = serializers.CharField(source="blocked.username")
    created_at = serializers.DateTimeField()
