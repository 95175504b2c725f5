from django.urls import path

from . import views

urlpatterns = [
    path("admin/users/", views.AdminUserListView.as_view(), name="admin_users"),
    path("admin/users/<uuid:id>/", views.AdminUserDetailView.as_view(), name="admin_user"),
    path("admin/users/<uuid:id>/role/", views.AdminUserRoleView.as_view(), name="admin_user_role"),
    path("admin/users/<uuid:id>/suspend/", views.AdminUserSuspendView.as_view(), name="admin_user_suspend"),
    path(
        "admin/users/<uuid:id>/reactivate/",
        views.AdminUserReactivateView.as_view(),
        name="admin_user_reactivate",
    ),
    path("admin/roles/", views.RoleListView.as_view(), name="admin_roles"),
    path("admin/roles/<int:id>/", views.RoleDetailView.as_view(), name="admin_role"),
    path("admin/permissions/", views.PermissionListView.as_view(), name="admin_permissions"),
    path("admin/audit-log/", views.AuditLogView.as_view(), name="admin_audit_log"),
    path("admin/stats/", views.StatsView.as_view(), name="admin_stats"),
    path("instructor/dashboard/", views.DashboardView.as_view(), name="instructor_dashboard"),
    path("instructor/courses/<uuid:id>/staff/", views.CourseStaffView.as_view(), name="course_staff"),
    path(
        "instructor/courses/<uuid:id>/staff/<uuid:user_id>/",
        views.CourseStaffMemberView.as_view(),
        name="course_staff_member",
    ),
    path(
        "instructor/courses/<uuid:id>/students/", views.CourseStudentsView.as_view(), name="course_students"
    ),
]
