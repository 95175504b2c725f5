from django.contrib import admin
from django.db import models

from lyceum.core.admin import TabularInline

from .models import Category, Course, CourseEnrollment, Lesson, LessonProgress, LessonResource, Module


class ModuleInline(TabularInline):
    model = Module
    extra = 0
    fields = ["title", "order"]


class LessonInline(TabularInline):
    model = Lesson
    extra = 0
    fields = ["title", "order", "estimated_minutes", "is_preview"]


class LessonResourceInline(TabularInline):
    model = LessonResource
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "instructor",
        "category",
        "level",
        "price",
        "currency",
        "is_published",
        "enrollment_count",
        "created_at",
    ]
    list_filter = ["is_published", "level", "category", "currency"]
    search_fields = ["title", "slug", "instructor__username", "instructor__email"]
    list_select_related = ["instructor", "category"]
    autocomplete_fields = ["instructor", "category"]
    readonly_fields = ["enrollment_count", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ModuleInline]
    date_hierarchy = "created_at"


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "order"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    autocomplete_fields = ["course"]
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "order", "estimated_minutes", "is_preview"]
    list_filter = ["is_preview"]
    search_fields = ["title", "module__title", "module__course__title"]
    list_select_related = ["module", "module__course"]
    autocomplete_fields = ["module"]
    readonly_fields = ["content_html"]
    inlines = [LessonResourceInline]
    # A video address typed without a scheme is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(CourseEnrollment)
class CourseEnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "enrolled_at", "completed_at"]
    list_filter = ["completed_at"]
    search_fields = ["user__username", "user__email", "course__title"]
    list_select_related = ["user", "course"]
    autocomplete_fields = ["user", "course"]
    date_hierarchy = "enrolled_at"


@admin.register(LessonProgress)
class LessonProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "completed_at", "time_spent_seconds"]
    search_fields = ["user__username", "lesson__title"]
    list_select_related = ["user", "lesson"]
    autocomplete_fields = ["user", "lesson"]
