"""Every permission Lyceum checks, and what the built-in roles hold by default.

A permission exists only if some code checks it: this module is the list, the database mirrors
it (``Permission`` rows, made by ``permissions_ensure``) so that roles can point at them.
"""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "courses.create": "Create courses and build the ones they teach.",
    "courses.manage_all": "Edit, publish and delete every course, and see every student's work in it.",
    "users.view": "See the admin console: every user with their email address, and platform stats.",
    "users.suspend": "Suspend and reactivate users.",
    "roles.assign": "Give users roles and take them away.",
    "roles.manage": "Create, edit and delete roles and choose their permissions.",
    "audit.view": "Read the audit log of admin actions.",
    "chat.moderate": "Delete messages and remove members in any group or course chat room.",
}

# Rights over other people's things: a change a user makes by using one of these is an admin
# action, and lands in the audit log.
ADMIN_PERMISSIONS = frozenset(
    {
        "users.view",
        "users.suspend",
        "roles.assign",
        "roles.manage",
        "audit.view",
        "courses.manage_all",
        "chat.moderate",
    }
)

# The built-in roles (accounts.Role.BUILT_IN) and the permissions they start with. Admins may
# change them, except the admin role's own, which always holds everything (no lock-out).
DEFAULT_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "student": frozenset(),
    "instructor": frozenset({"courses.create"}),
    "admin": frozenset(PERMISSIONS),
}
LOCKED_ROLE = "admin"

# Course-level staff roles, per course (``CourseStaff``): what each may do in that course.
CO_INSTRUCTOR = "co_instructor"
TEACHING_ASSISTANT = "ta"
STAFF_ROLES = {
    CO_INSTRUCTOR: "Co-instructor: edits the course and grades its students.",
    TEACHING_ASSISTANT: "Teaching assistant: sees the students' attempts and progress and grades them.",
}
