"""Admins (and staff) configure levels, achievements and challenges here, without code."""

from django.contrib import admin

from .models import Achievement, Challenge, Level, PointsEntry, UserAchievement


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "points_required"]


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "icon", "points", "is_active"]
    list_filter = ["is_active", "icon"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "goal", "target", "starts_at", "ends_at", "reward_points", "course"]
    list_filter = ["goal"]
    raw_id_fields = ["course"]


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    """The ledger is read here, never edited: a correction is a new entry."""

    list_display = ["created_at", "user", "amount", "reason", "source"]
    list_filter = ["reason"]
    search_fields = ["user__username", "source"]
    list_select_related = ["user"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserAchievement)
class UserAchievementAdmin(admin.ModelAdmin):
    list_display = ["earned_at", "user", "achievement"]
    list_select_related = ["user", "achievement"]
    raw_id_fields = ["user"]
