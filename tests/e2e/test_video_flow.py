"""The demo student watches the lesson video (HLS through hls.js), seeks, and finds the watched
parts and the place saved after a reload; then records with Chromium's fake camera and finds the
recording in "My recordings". In Chromium, against a live server."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from lyceum.accounts.models import User
from lyceum.courses.models import Lesson
from lyceum.media.models import Recording, VideoProgress
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser_args() -> list[str]:
    # A camera and microphone that show a test pattern and beep, granted without asking.
    return ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def _video(page, script: str, selector: str = "video"):
    return page.locator(selector).first.evaluate(script)


def _until(page, script: str, selector: str = "video", timeout: float = 20) -> None:
    """Waits until ``script`` (a function of the element) is true: page.wait_for_function would
    evaluate a string, which the page's Content-Security-Policy forbids."""
    deadline = time.monotonic() + timeout
    while not _video(page, script, selector):
        assert time.monotonic() < deadline, f"{script} on {selector} never became true"
        page.wait_for_timeout(100)


def test_student_watches_seeks_and_resumes_after_a_reload(with_demo_video, demo, page, screenshot):
    lesson = Lesson.objects.select_related("module__course").get(title="Variables and types")
    log_in(page, demo, "student", "learn-lyceum-2026")
    page.goto(f"{demo}/courses/{lesson.module.course.slug}/lessons/{lesson.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Variables and types")
    _until(page, "v => v.readyState >= 1")  # hls.js attached

    _video(page, "v => { v.muted = true; return v.play(); }")
    _until(page, "v => v.currentTime > 3")
    _video(page, "v => { v.currentTime = 12; }")
    _until(page, "v => v.currentTime > 14.5")
    with page.expect_response(lambda r: r.url.endswith("/progress/") and r.request.method == "POST") as sent:
        _video(page, "v => v.pause()")
    assert sent.value.status == 200, sent.value.text()
    screenshot("60-video-watched-and-seeked")

    student = User.objects.get(username="student")
    progress = VideoProgress.objects.get(user=student, video__lesson=lesson)
    starts = [round(start) for start, _ in progress.segments]
    assert starts[0] <= 1 and 12 in starts, progress.segments  # from the start, and from 12 s
    assert 5 < progress.watched_seconds < 12  # what was played, not where the play head went
    assert progress.completed_at is None
    saved = progress.last_position
    assert saved > 14

    page.reload()
    expect(page.locator("[data-watched]")).to_contain_text("Resumed at 0:")
    at = _video(page, "v => v.currentTime")
    assert abs(at - saved) < 1.0
    assert page.locator("[data-watched-bar] span").count() == 2
    screenshot("61-video-resumed")


def test_student_records_with_the_camera_and_finds_it_in_my_recordings(demo, page, screenshot):
    log_in(page, demo, "student", "learn-lyceum-2026")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recordings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My recordings")
    page.get_by_role("link", name="New recording").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New recording")
    page.wait_for_load_state("load")  # the recorder's script is in: a click before would do nothing

    page.get_by_role("button", name="Start recording").click()
    expect(page.get_by_role("status").filter(has_text="Recording…")).to_be_visible(timeout=20_000)
    _until(page, "v => v.currentTime > 2.5", "[data-preview]")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Upload")).to_be_enabled()
    page.get_by_label("Title").fill("My first answer")
    screenshot("62-recording-made")
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My recordings")
    expect(page.get_by_role("heading", name="My first answer")).to_be_visible()
    recording = Recording.objects.get(owner__username="student")
    assert recording.status == Recording.Status.READY, recording.failure_reason
    assert recording.content_type == "video/webm" and recording.duration and recording.duration > 1.5
    assert recording.visibility == Recording.Visibility.PRIVATE
    _until(page, "v => v.readyState >= 1", ".recording video")
    screenshot("63-my-recordings")


def test_instructor_uploads_a_lesson_video_in_chunks(demo, page, screenshot, tmp_path):
    from lyceum.media import ffmpeg
    from lyceum.media.models import Upload, Video

    clip = tmp_path / "lecture.mp4"
    ffmpeg.generate_test_video(clip, seconds=4, size="320x180")
    lesson = Lesson.objects.select_related("module__course").get(title="Lists and loops")
    log_in(page, demo, "instructor", "teach-lyceum-2026")
    page.goto(f"{demo}/teach/lessons/{lesson.pk}/")
    page.wait_for_load_state("load")  # the uploader's script is in

    page.get_by_label("A video file").set_input_files(str(clip))
    with page.expect_response(lambda r: "/api/uploads/" in r.url and r.request.method == "PATCH") as chunk:
        page.get_by_role("button", name="Upload video").click()
    assert chunk.value.status == 204
    expect(page.locator("#video-status")).to_have_text("Ready", timeout=60_000)
    screenshot("64-teach-lesson-video")

    video = Video.objects.get(lesson=lesson)
    assert video.status == Video.Status.READY and video.source_size == clip.stat().st_size
    with video.source.open("rb") as stored:
        assert stored.read() == clip.read_bytes()
    assert not Upload.objects.exists()
