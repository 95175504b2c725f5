from django.contrib import admin

from lyceum.core.admin import StackedInline, TabularInline

from .models import Choice, Question, QuestionAnswer, Quiz, QuizAttempt


class ChoiceInline(TabularInline):
    model = Choice
    extra = 0
    fields = ["text", "fraction", "feedback", "match_text", "order"]


class QuestionInline(StackedInline):
    model = Question
    extra = 0
    fields = ["type", "title", "text", "text_format", "points", "order"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(retired_at__isnull=True)


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "course",
        "is_published",
        "time_limit_minutes",
        "max_attempts",
        "grading_method",
        "opens_at",
        "closes_at",
    ]
    list_filter = ["is_published", "grading_method", "navigation"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    autocomplete_fields = ["course", "module"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "quiz", "type", "points", "order", "retired_at"]
    list_filter = ["type", "text_format"]
    search_fields = ["text", "quiz__title"]
    list_select_related = ["quiz"]
    autocomplete_fields = ["quiz"]
    inlines = [ChoiceInline]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "quiz", "number", "status", "started_at", "submitted_at", "percent", "has_passed"]
    list_filter = ["status", "has_passed"]
    search_fields = ["user__username", "quiz__title"]
    list_select_related = ["user", "quiz"]
    raw_id_fields = ["user", "quiz"]
    readonly_fields = ["question_order", "choice_order"]


@admin.register(QuestionAnswer)
class QuestionAnswerAdmin(admin.ModelAdmin):
    list_display = ["attempt", "question", "points_awarded", "saved_at"]
    search_fields = ["attempt__user__username", "question__text"]
    list_select_related = ["attempt", "attempt__user", "attempt__quiz", "question"]
    raw_id_fields = ["attempt", "question", "graded_by"]
