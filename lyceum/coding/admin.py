from django.contrib import admin

from lyceum.core.admin import TabularInline

from .models import CodeExercise, CodeSubmission, CodeTest


class CodeTestInline(TabularInline):
    model = CodeTest
    extra = 0


@admin.register(CodeExercise)
class CodeExerciseAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "comparison", "points", "is_published"]
    list_filter = ["is_published", "comparison"]
    search_fields = ["title"]
    list_select_related = ["course"]
    raw_id_fields = ["course", "lesson", "created_by"]
    inlines = [CodeTestInline]


@admin.register(CodeSubmission)
class CodeSubmissionAdmin(admin.ModelAdmin):
    """Submissions are graded by the runner: read them here, never edit them."""

    list_display = ["exercise", "user", "language", "state", "verdict", "score", "created_at"]
    list_filter = ["state", "verdict", "language"]
    list_select_related = ["exercise", "user"]
    raw_id_fields = ["exercise", "user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
