from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from lyceum.core.admin import StackedInline, TabularInline

from .models import Role, User, UserProfile, UserRole


class UserProfileInline(StackedInline):
    model = UserProfile
    can_delete = False
    fields = ["bio", "avatar", "phone", "date_of_birth", "timezone", "preferences"]


class UserRoleInline(TabularInline):
    model = UserRole
    fk_name = "user"
    extra = 0
    fields = ["role", "assigned_at", "assigned_by"]
    readonly_fields = ["assigned_at", "assigned_by"]
    autocomplete_fields = ["role"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("role", "assigned_by", "user")


class LyceumUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]


class LyceumUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = LyceumUserChangeForm
    add_form = LyceumUserCreationForm
    inlines = [UserProfileInline, UserRoleInline]
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "role_list",
        "is_active",
        "email_verified_at",
        "created_at",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "user_roles__role"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["username"]
    readonly_fields = ["created_at", "updated_at", "last_login", "google_subject"]
    fieldsets = [
        (None, {"fields": ["username", "email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Status", {"fields": ["is_active", "email_verified_at", "google_subject"]}),
        ("Admin site", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "password1", "password2"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("user_roles__role")

    @admin.display(description="Roles")
    def role_list(self, user: User) -> str:
        return ", ".join(sorted(user_role.role.name for user_role in user.user_roles.all()))


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "slug"]


@admin.register(UserRole)
class UserRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "assigned_at", "assigned_by"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "role", "assigned_by"]
    autocomplete_fields = ["user", "assigned_by"]
    date_hierarchy = "assigned_at"


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "timezone", "updated_at"]
    search_fields = ["user__username", "user__email", "phone"]
    list_filter = ["timezone"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
