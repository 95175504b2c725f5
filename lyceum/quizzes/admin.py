from django.contrib import admin

from .models import Choice, Question, QuestionAnswer, Quiz, QuizAttempt


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["text", "is_correct", "order"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["type", "text", "points", "order"]
    show_change_link = True


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
    list_display = ["__str__", "quiz", "type", "points", "order"]
    list_filter = ["type"]
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
