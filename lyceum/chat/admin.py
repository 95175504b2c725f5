from django.contrib import admin

from lyceum.core.admin import TabularInline

from .models import ChatRoom, Message, Participant


class ParticipantInline(TabularInline):
    """Members are shown and their role can change; who joins a room is the members' own choice
    (invitations), so the admin does not add anyone here."""

    model = Participant
    extra = 0
    fields = ["user", "role", "joined_at", "last_read_seq"]
    readonly_fields = ["user", "joined_at", "last_read_seq"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "room")


@admin.register(ChatRoom)
class ChatRoomAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "course", "last_seq", "last_message_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "course__title"]
    list_select_related = ["course"]
    raw_id_fields = ["creator", "course"]
    readonly_fields = ["last_seq", "direct_key"]
    inlines = [ParticipantInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["room", "seq", "sender", "created_at", "edited_at", "deleted_at"]
    list_filter = ["deleted_at"]
    search_fields = ["content", "sender__username"]
    list_select_related = ["room", "sender"]
    raw_id_fields = ["room", "sender"]
    date_hierarchy = "created_at"


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["user", "room", "role", "joined_at", "last_read_seq"]
    list_filter = ["role"]
    search_fields = ["user__username", "room__name"]
    list_select_related = ["user", "room"]
    raw_id_fields = ["user", "room"]
