"""Every page carries a Content-Security-Policy that lets scripts run only from this site's own
files, and no page holds an inline script or event-handler attribute that the policy would block."""

import re

import pytest

from lyceum.courses.models import Lesson
from lyceum.courses.tests.factories import course_with_outline

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _check(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not HANDLER_ATTRIBUTE.search(html), HANDLER_ATTRIBUTE.search(html).group(0)


def test_pages_allow_only_the_sites_own_scripts(client, ines):
    course = course_with_outline(modules=1, lessons=1, instructor=ines)
    lesson = Lesson.objects.get(module__course=course)
    for url in ["/", "/courses/", "/login/", "/register/", "/api/docs/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        _check(response)
    client.force_login(ines)
    for url in [
        "/profile/",
        "/chat/",
        "/teach/",
        f"/teach/courses/{course.pk}/",
        f"/teach/lessons/{lesson.pk}/",
        f"/courses/{course.slug}/lessons/{lesson.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        _check(response)


def test_googles_sign_in_is_allowed_by_the_policy_only_when_configured():
    """GOOGLE_CLIENT_ID opens script, style, frame and connect to accounts.google.com/gsi/ only."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'lyceum.settings'); "
        "from django.conf import settings; "
        "print(json.dumps([settings.CONTENT_SECURITY_POLICY['DIRECTIVES'], settings.SECURE_REFERRER_POLICY]))"
    )

    def policy(**env):
        base = {k: v for k, v in os.environ.items() if k != "GOOGLE_CLIENT_ID"}
        out = subprocess.run(
            [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True
        )
        return json.loads(out.stdout)

    without, referrer_without = policy()
    with_google, referrer_with = policy(GOOGLE_CLIENT_ID="1234.apps.googleusercontent.com")

    assert all("accounts.google.com" not in " ".join(values) for values in without.values())
    for directive in ("script-src", "style-src", "frame-src", "connect-src"):
        assert "https://accounts.google.com/gsi/" in with_google[directive]
    assert with_google["default-src"] == ["'self'"]
    assert (referrer_without, referrer_with) == ("same-origin", "strict-origin-when-cross-origin")
