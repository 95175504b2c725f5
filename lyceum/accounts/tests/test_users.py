import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lyceum.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/users/"


def test_list_users_shows_public_fields_only(login_api, alice, bob):
    response = login_api(alice).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    usernames = [user["username"] for user in body["results"]]
    assert usernames == ["alice", "bob"]
    assert "email" not in body["results"][1]


def test_search_matches_username_and_names(login_api, alice, bob):
    UserFactory(username="zed", first_name="Bobby", last_name="Tables")

    response = login_api(alice).get(URL, {"search": "bob"})

    assert {user["username"] for user in response.json()["results"]} == {"bob", "zed"}


def test_students_cannot_search_by_email_but_admins_can(login_api, alice, bob, admin_user):
    as_student = login_api(alice).get(URL, {"search": "bob@example"}).json()
    as_admin = login_api(admin_user).get(URL, {"search": "bob@example"}).json()

    assert as_student["count"] == 0
    assert [user["email"] for user in as_admin["results"]] == ["bob@example.com"]


def test_filter_by_role(login_api, alice, admin_user):
    response = login_api(alice).get(URL, {"role": "admin"})

    assert [user["username"] for user in response.json()["results"]] == ["root"]


def test_inactive_users_are_hidden_from_non_admins(login_api, alice, bob, admin_user):
    bob.is_active = False
    bob.save()

    assert "bob" not in [u["username"] for u in login_api(alice).get(URL).json()["results"]]
    assert login_api(alice).get(f"{URL}{bob.pk}/").status_code == 404
    assert login_api(admin_user).get(f"{URL}{bob.pk}/").status_code == 200


def test_list_is_paginated(login_api, alice):
    UserFactory.create_batch(30)

    page = login_api(alice).get(URL, {"page_size": 10, "page": 2}).json()

    assert page["count"] == 31
    assert len(page["results"]) == 10
    assert page["next"] and page["previous"]


def test_bad_page_is_404(login_api, alice):
    response = login_api(alice).get(URL, {"page": 99})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("size", [3, 30])
def test_list_runs_a_constant_number_of_queries(login_api, alice, size):
    UserFactory.create_batch(size, roles=["student", "instructor"])
    client = login_api(alice)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"page_size": 100})

    assert response.json()["count"] == size + 1
    # auth user + viewer's roles + count + page + roles of the page
    assert len(queries) == 5, [q["sql"][:120] for q in queries.captured_queries]


def test_user_detail_hides_the_email_of_others(login_api, alice, bob):
    other = login_api(alice).get(f"{URL}{bob.pk}/")
    own = login_api(alice).get(f"{URL}{alice.pk}/")

    assert other.status_code == 200
    assert other.json()["username"] == "bob"
    assert "email" not in other.json()
    assert own.json()["email"] == "alice@example.com"


def test_unknown_and_malformed_user_ids_are_404(login_api, alice):
    client = login_api(alice)

    assert client.get(f"{URL}{uuid.uuid4()}/").status_code == 404
    malformed = client.get(f"{URL}not-a-uuid/")
    assert malformed.status_code == 404
    assert malformed.json()["error"]["code"] == "not_found"


def test_users_need_authentication(api, alice):
    assert api.get(URL).status_code == 401
    assert api.get(f"{URL}{alice.pk}/").status_code == 401
