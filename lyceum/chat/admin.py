from django.contrib import admin

from .models import ChatRoom, Message, Participant


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "joined_at", "last_read_seq"]


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
