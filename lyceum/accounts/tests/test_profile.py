import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lyceum.accounts.models import UserProfile

URL = "/api/auth/profile/"
AVATAR = "/api/auth/profile/avatar/"

pytestmark = pytest.mark.django_db


def image_file(fmt="PNG", size=(800, 600), name="me.png", exif=False):
    buffer = io.BytesIO()
    picture = Image.new("RGB", size, (30, 90, 200))
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCamera"
        extra["exif"] = data
    picture.save(buffer, format=fmt, **extra)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_get_profile_shows_account_and_profile(login_api, alice):
    response = login_api(alice).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "alice"
    assert body["email"] == "alice@example.com"
    assert body["roles"] == ["student"]
    assert body["timezone"] == "UTC"
    assert body["avatar_url"] is None


def test_put_replaces_the_profile(login_api, alice):
    client = login_api(alice)
    body = client.get(URL).json()
    body.update(
        {
            "first_name": "Alicia",
            "bio": "I like <b>maths</b>.",
            "phone": "+44 20 7946 0958",
            "date_of_birth": "2001-02-03",
            "timezone": "Europe/Paris",
            "preferences": {"theme": "dark", "email_notifications": False},
        }
    )

    response = client.put(URL, body, format="json")

    assert response.status_code == 200, response.content
    profile = UserProfile.objects.get(user=alice)
    assert profile.bio == "I like <b>maths</b>."
    assert profile.timezone == "Europe/Paris"
    assert str(profile.date_of_birth) == "2001-02-03"
    assert profile.preferences == {"theme": "dark", "email_notifications": False}
    alice.refresh_from_db()
    assert alice.first_name == "Alicia"


def test_put_without_required_fields_is_400(login_api, alice):
    response = login_api(alice).put(URL, {"bio": "x"}, format="json")

    assert response.status_code == 400
    assert {"username", "email"} <= set(response.json()["error"]["fields"])


def test_patch_changes_only_what_is_sent(login_api, alice):
    response = login_api(alice).patch(URL, {"bio": "Hello"}, format="json")

    assert response.status_code == 200
    assert response.json()["bio"] == "Hello"
    assert response.json()["username"] == "alice"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"phone": "call me maybe"}, "phone"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "yesterday"}, "date_of_birth"),
        ({"bio": "x" * 2001}, "bio"),
        ({"preferences": {"theme": "neon"}}, "preferences"),
        ({"preferences": {"unknown": 1}}, "preferences"),
        ({"preferences": "dark"}, "preferences"),
        ({"username": "bob"}, "username"),
        ({"email": "BOB@example.com"}, "email"),
        ({"is_staff": True}, "is_staff"),
    ],
)
def test_bad_profile_input_is_400_and_changes_nothing(login_api, alice, bob, change, field):
    response = login_api(alice).patch(URL, {"bio": "should not stick", **change}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    alice.refresh_from_db()
    assert alice.profile.bio == ""
    assert not alice.is_staff


def test_changing_the_email_asks_for_verification_again(login_api, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login_api(alice).patch(URL, {"email": "new@example.org"}, format="json")

    assert response.status_code == 200
    assert response.json()["email_verified"] is False
    assert mail.outbox[-1].to == ["new@example.org"]


def test_profile_needs_authentication(api):
    assert api.get(URL).status_code == 401
    assert api.put(URL, {}, format="json").status_code == 401


def test_upload_avatar_stores_a_scaled_webp_without_metadata(login_api, alice):
    response = login_api(alice).post(AVATAR, {"avatar": image_file(exif=True)}, format="multipart")

    assert response.status_code == 200, response.content
    assert response.json()["avatar_url"].endswith(".webp")
    profile = UserProfile.objects.get(user=alice)
    with profile.avatar.open("rb") as stored:
        picture = Image.open(stored)
        assert picture.format == "WEBP"
        assert max(picture.size) == 512
        assert not picture.getexif()


def test_replacing_the_avatar_deletes_the_old_file(login_api, alice, django_capture_on_commit_callbacks):
    client = login_api(alice)
    client.post(AVATAR, {"avatar": image_file()}, format="multipart")
    old = UserProfile.objects.get(user=alice).avatar
    old_name, storage = old.name, old.storage

    with django_capture_on_commit_callbacks(execute=True):
        client.post(AVATAR, {"avatar": image_file(fmt="JPEG", name="b.jpg")}, format="multipart")

    assert not storage.exists(old_name)
    assert storage.exists(UserProfile.objects.get(user=alice).avatar.name)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("evil.png", b"<?php system($_GET['c']); ?>", content_type="image/png"),
        SimpleUploadedFile("doc.pdf", b"%PDF-1.4 not an image", content_type="application/pdf"),
        SimpleUploadedFile("empty.png", b"", content_type="image/png"),
    ],
)
def test_avatar_that_is_not_an_image_is_refused(login_api, alice, upload):
    response = login_api(alice).post(AVATAR, {"avatar": upload}, format="multipart")

    assert response.status_code == 400
    assert "avatar" in response.json()["error"]["fields"]
    assert not UserProfile.objects.get(user=alice).avatar


def test_avatar_in_an_unsupported_format_is_refused(login_api, alice):
    response = login_api(alice).post(
        AVATAR, {"avatar": image_file(fmt="BMP", name="a.bmp")}, format="multipart"
    )

    assert response.status_code == 400


def test_avatar_too_large_is_refused(login_api, alice, settings):
    settings.AVATAR_MAX_BYTES = 2048
    big = image_file(fmt="PNG", size=(400, 400))
    big = SimpleUploadedFile("big.png", big.read() + b"\0" * 4096, content_type="image/png")

    response = login_api(alice).post(AVATAR, {"avatar": big}, format="multipart")

    assert response.status_code == 400
    assert "larger than" in response.json()["error"]["fields"]["avatar"][0]


def test_avatar_with_too_many_pixels_is_refused(login_api, alice):
    response = login_api(alice).post(AVATAR, {"avatar": image_file(size=(5000, 4000))}, format="multipart")

    assert response.status_code == 400


def test_remove_avatar(login_api, alice):
    client = login_api(alice)
    client.post(AVATAR, {"avatar": image_file()}, format="multipart")

    response = client.delete(AVATAR)

    assert response.status_code == 200
    assert response.json()["avatar_url"] is None


def test_avatar_upload_without_a_file_is_400(login_api, alice):
    response = login_api(alice).post(AVATAR, {}, format="multipart")

    assert response.status_code == 400
    assert "avatar" in response.json()["error"]["fields"]
