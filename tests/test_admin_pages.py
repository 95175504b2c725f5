"""The Django admin works: every changelist, add and change page opens for the admin, and every
change page saves unchanged, exactly as a browser submits it (the form is read from the page's
HTML). The suite's N+1 detector raises, so an admin page that loads related rows one by one fails
here (in development it only warns)."""

from __future__ import annotations

import copy
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from rest_framework_simplejwt.tokens import RefreshToken
from zeal import zeal_ignore

from lyceum.accounts.models import Role, User, UserRole
from lyceum.chat import services as chat_services
from lyceum.chat.tests.factories import group_room
from lyceum.courses.models import Lesson
from lyceum.notifications.models import Notification
from lyceum.quizzes.models import QuestionAnswer, QuizAttempt
from lyceum.quizzes.services import attempt_start, attempt_submit

pytestmark = pytest.mark.django_db


class FormReader(HTMLParser):
    """The fields a browser would submit from the admin's main form (``id$=_form``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: list[tuple[str, str]] = []
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""
        self.selected_any = False
        self.first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name and "disabled" not in attrs:
            self.select, self.selected_any = name, False
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.append((self.select, attrs.get("value", "")))
            self.selected_any = True
        elif tag == "textarea" and name and "disabled" not in attrs:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # A browser drops the one newline that follows <textarea>.
            self.data.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def submitted_form(html: str) -> dict[str, list[str]]:
    reader = FormReader()
    reader.feed(html)
    form: dict[str, list[str]] = {}
    for name, value in reader.data:
        form.setdefault(name, []).append(value)
    return form


@pytest.fixture
def everything(admin_user, ines, alice, bob):
    """The demo data, plus a row of every model the demo lacks: a graded attempt with its answers,
    a group chat room with members, a direct conversation."""
    with zeal_ignore():
        call_command("init_data", "--allow-demo-accounts", verbosity=0)
        student = User.objects.get(username="student")
        from lyceum.quizzes.models import Quiz

        quiz = Quiz.objects.filter(is_published=True).select_related("course").first()
        attempt, _ = attempt_start(user=student, quiz=quiz)
        attempt_submit(user=student, attempt_id=attempt.pk)
        room = group_room(creator=alice, name="Study group", members=[bob])
        chat_services.message_send(room_id=room.pk, sender=alice, content="Hello")
        chat_services.direct_room(user=alice, other_id=bob.pk)
        Group.objects.create(name="Teaching assistants")
        RefreshToken.for_user(alice).blacklist()  # an outstanding token, then a blacklisted one
        Notification.objects.create(user=alice, kind=Notification.Kind.SYSTEM, title="Welcome", body="Hello")
        from lyceum.coding.models import CodeExercise, CodeSubmission

        CodeSubmission.objects.create(
            exercise=CodeExercise.objects.first(), user=student, language="python", source="print(1)"
        )
        from lyceum.payments import services as payment_services
        from lyceum.payments.models import Plan
        from lyceum.payments.tests.helpers import settle

        bought, _ = payment_services.checkout_start(
            user=student, plan=Plan.objects.first(), success_url="/", cancel_url="/"
        )
        settle(bought, subscription="sbx_sub_admin")
        from django.core.files.base import ContentFile

        from lyceum.media import services as media_services
        from lyceum.media.models import Recording, Video, VideoProgress

        lesson = Lesson.objects.first()
        video = Video.objects.create(
            course=lesson.module.course,
            lesson=lesson,
            title="Intro",
            external_url="https://example.com/intro",
        )
        VideoProgress.objects.create(user=student, video=video, segments=[[0, 5]], watched_seconds=5)
        recording = Recording(owner=student, title="My answer", content_type="video/webm", status="ready")
        recording.file.save("r.webm", ContentFile(b"\x1a\x45\xdf\xa3"), save=False)
        recording.save()
        media_services.upload_create(owner=student, purpose="recording", length=1000, filename="r.webm")
    return admin_user


def _admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize("model", [m for m, _ in _registered()], ids=lambda m: m._meta.label)
def test_every_admin_page_opens_and_saves_unchanged(client, everything, model):
    client = _admin_client(client, everything)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    model_admin = admin.site._registry[model]

    changelist = client.get(reverse(f"{prefix}_changelist"))
    assert changelist.status_code == 200
    if model_admin.has_add_permission(changelist.wsgi_request):
        assert client.get(reverse(f"{prefix}_add")).status_code == 200

    objects = list(model._default_manager.order_by("pk")[:3])
    assert objects, f"no {model._meta.label} row to open: the fixture must create one"
    for obj in objects:
        url = reverse(f"{prefix}_change", args=[obj.pk])
        page = client.get(url)
        assert page.status_code == 200, url
        posting = copy.copy(page.wsgi_request)
        posting.method = "POST"
        if not model_admin.has_change_permission(posting, obj):
            continue  # a read-only page (issued tokens): nothing to save
        form = submitted_form(page.content.decode())
        form["_save"] = [""]
        saved = client.post(url, form)
        errors = saved.context and saved.context.get("errors")
        assert saved.status_code == 302, f"{url} did not save unchanged: {errors}"


def test_the_admin_gives_a_user_a_second_role(client, everything):
    """Roles can be changed in the admin: a student becomes an instructor too."""
    client = _admin_client(client, everything)
    student = User.objects.get(username="student")
    url = reverse("admin:accounts_user_change", args=[student.pk])
    form = submitted_form(client.get(url).content.decode())
    prefix = "user_roles"
    total = int(form[f"{prefix}-TOTAL_FORMS"][0])
    form[f"{prefix}-TOTAL_FORMS"] = [str(total + 1)]
    form[f"{prefix}-{total}-role"] = [str(Role.objects.get(slug="instructor").pk)]
    form[f"{prefix}-{total}-user"] = [str(student.pk)]
    form["_save"] = [""]

    response = client.post(url, form)

    assert response.status_code == 302, response.context and response.context.get("errors")
    assert set(UserRole.objects.filter(user=student).values_list("role__slug", flat=True)) == {
        "student",
        "instructor",
    }


def test_an_attempt_and_its_answers_open_in_the_admin(client, everything):
    client = _admin_client(client, everything)
    answer = QuestionAnswer.objects.first()
    attempt = QuizAttempt.objects.first()

    assert client.get(reverse("admin:quizzes_questionanswer_change", args=[answer.pk])).status_code == 200
    assert client.get(reverse("admin:quizzes_quizattempt_change", args=[attempt.pk])).status_code == 200
