"""access_of: everything a user may do, read with one statement compiled once per database."""

from __future__ import annotations

import pytest

from lyceum.access import checks, services
from lyceum.access.models import CourseStaff
from lyceum.courses.tests.factories import CourseFactory


@pytest.mark.django_db
def test_access_of_reads_roles_permissions_and_staff_places_with_one_statement(
    admin_user, ines, bob, django_assert_num_queries
):
    course, other = CourseFactory(instructor=ines), CourseFactory(instructor=ines)
    CourseStaff.objects.create(course=course, user=bob, role="ta")
    CourseStaff.objects.create(course=other, user=bob, role="co_instructor")
    services.user_roles_set(actor=admin_user, user_id=bob.pk, role_slugs=["student", "instructor"])
    expected = {tuple(row) for row in checks._union(bob.pk)}  # the ORM's own query

    for user in (bob, ines, bob):  # the statement compiled by the first is reused with each id
        checks.forget(user)
        with django_assert_num_queries(1):
            access = checks.access_of(user)
        compiled = {tuple(row) for row in checks._ACCESS.rows(user.pk)}
        assert compiled == {tuple(row) for row in checks._union(user.pk)}

    assert {tuple(row) for row in checks._ACCESS.rows(bob.pk)} == expected
    assert access.roles == {"student", "instructor"}
    assert "courses.create" in access.permissions
    assert dict(access.staff) == {course.pk: "ta", other.pk: "co_instructor"}
    assert checks.access_of(ines).staff == {}


@pytest.mark.django_db
def test_a_user_with_nothing_granted_may_do_nothing(django_user_model):
    nobody = django_user_model.objects.create_user(
        username="nobody", email="n@example.com", password="x" * 12
    )
    nobody.user_roles.all().delete()
    checks.forget(nobody)
    assert checks.access_of(nobody) == checks.Access()
