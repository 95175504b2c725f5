"""Watch progress: the parts really played are merged and counted; a report that could not be
true changes nothing; the configured share of the video completes it and its lesson."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lyceum.courses import events as course_events
from lyceum.courses.models import LessonProgress
from lyceum.media import services
from lyceum.media.models import VideoProgress

pytestmark = pytest.mark.django_db


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(services.timezone, "now", clock)
    return clock


@pytest.fixture
def player(login_api, enrolled, ready_video):
    client = login_api(enrolled)
    url = f"/api/videos/{ready_video.pk}/progress/"

    def report(**body):
        return client.post(url, body, format="json")

    return report


def _progress(user, video) -> VideoProgress | None:
    return VideoProgress.objects.filter(user=user, video=video).first()


@pytest.mark.parametrize(
    ("segments", "merged"),
    [
        ([[0, 5], [5, 10]], [[0, 10]]),
        ([[5, 10], [0, 6]], [[0, 10]]),
        ([[0, 2], [4, 6], [1, 5]], [[0, 6]]),
        ([[0, 2], [3, 4]], [[0, 2], [3, 4]]),
        ([[0, 2], [2.2, 4]], [[0, 4]]),  # timeupdate's grain
        ([[3, 3], [0, 1]], [[0, 1]]),  # nothing played is nothing
    ],
)
def test_intervals_merge(segments, merged):
    assert services.merge_segments(segments) == merged


def test_honest_watching_completes_the_video_and_its_lesson(
    player, clock, enrolled, ready_video, django_capture_on_commit_callbacks
):
    completed = []

    def listen(sender, **payload):
        completed.append(payload)

    course_events.lesson_completed.connect(listen)
    try:
        answers = []
        for start in range(0, 6, 2):  # 2 s of video every 2 s, in order, to the end
            clock.advance(2)
            with django_capture_on_commit_callbacks(execute=True):
                answers.append(player(segments=[[start, start + 2]], position=start + 2, sequence=start + 1))
    finally:
        course_events.lesson_completed.disconnect(listen)

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[1].json()["progress"]["completed"] is False  # 4 of 6 s
    last = answers[-1].json()
    assert last["progress"]["completed"] is True and last["lesson_completed"] is True
    assert last["progress"]["segments"] == [[0.0, 6.0]]
    assert last["progress"]["percent"] == 100.0
    assert LessonProgress.objects.get(user=enrolled, lesson=ready_video.lesson).completed_at is not None
    assert [p["lesson_id"] for p in completed] == [ready_video.lesson.pk]


def test_a_jump_to_the_end_counts_only_what_was_played(player, clock, enrolled, ready_video):
    clock.advance(1)
    player(segments=[[0, 1]], position=1, sequence=1)
    clock.advance(1)
    jumped = player(segments=[[5, 6]], position=6, sequence=2)  # seeked to the end, played 1 s

    assert jumped.status_code == 200
    progress = _progress(enrolled, ready_video)
    assert progress.segments == [[0.0, 1.0], [5.0, 6.0]]
    assert progress.watched_seconds == 2.0 and progress.last_position == 6.0
    assert progress.completed_at is None
    assert not LessonProgress.objects.filter(
        user=enrolled, lesson=ready_video.lesson, completed_at__isnull=False
    )


def test_more_playing_than_time_allows_is_refused_and_changes_nothing(
    player, clock, enrolled, ready_video, settings
):
    settings.VIDEO_REPORT_SLACK_SECONDS = 0.5
    clock.advance(1)
    player(segments=[[0, 1]], position=1, sequence=1)
    clock.advance(1)  # one second later: at 2x at most 2 s, plus the slack

    claimed = player(segments=[[1, 6]], position=6, sequence=2)

    assert claimed.status_code == 422
    assert claimed.json()["error"]["code"] == "impossible_report"
    progress = _progress(enrolled, ready_video)
    assert progress.segments == [[0.0, 1.0]] and progress.last_position == 1.0 and progress.last_sequence == 1


def test_a_replayed_report_is_refused_and_a_repeat_counts_nothing(player, clock, enrolled, ready_video):
    clock.advance(2)
    first = player(segments=[[0, 2]], position=2, sequence=7)
    clock.advance(2)
    replayed = player(segments=[[0, 2]], position=2, sequence=7)
    clock.advance(2)
    rewatched = player(segments=[[0, 2]], position=2, sequence=8)

    assert first.status_code == 200
    assert replayed.status_code == 409 and replayed.json()["error"]["code"] == "stale_report"
    assert rewatched.status_code == 200
    assert _progress(enrolled, ready_video).watched_seconds == 2.0


def test_a_report_from_the_future_is_refused(player, clock, enrolled, ready_video):
    clock.advance(2)
    answer = player(segments=[[0, 2]], position=2, sent_at=(clock.now + timedelta(hours=1)).isoformat())

    assert answer.status_code == 422
    assert _progress(enrolled, ready_video) is None or _progress(enrolled, ready_video).watched_seconds == 0


@pytest.mark.parametrize(
    "body",
    [
        {"segments": [[0, 2]], "position": 60},  # the play head beyond the video
        {"segments": [[4, 9]], "position": 5},  # played beyond the end
    ],
)
def test_positions_beyond_the_duration_are_refused(player, clock, enrolled, ready_video, body):
    clock.advance(10)
    answer = player(**body)

    assert answer.status_code == 422
    assert _progress(enrolled, ready_video) is None or _progress(enrolled, ready_video).segments == []


@pytest.mark.parametrize(
    "body",
    [
        {"segments": [[5, 1]]},
        {"segments": [[-1, 2]]},
        {"segments": [[1, 2, 3]]},
        {"segments": [["a", "b"]]},
        {"segments": "0-5"},
        {"segments": [[0, 1]] * 51},
        {"position": -3},
        {"sequence": -1},
    ],
)
def test_malformed_reports_are_400(player, enrolled, ready_video, body):
    answer = player(**body)

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "validation_error"
    assert not VideoProgress.objects.filter(user=enrolled, watched_seconds__gt=0).exists()


def test_the_share_that_completes_is_a_setting(player, clock, enrolled, ready_video, settings):
    settings.VIDEO_COMPLETION_SHARE = 0.5
    clock.advance(3)

    answer = player(segments=[[0, 3]], position=3)

    assert answer.json()["progress"]["completed"] is True


def test_the_roadmap_clients_watch_time_is_the_play_head(player, clock, enrolled, ready_video):
    answer = player(watch_time=4.5)

    assert answer.status_code == 200
    assert answer.json()["progress"]["last_position"] == 4.5
    assert answer.json()["progress"]["watched_seconds"] == 0


def test_progress_is_resumed_from_the_details(player, clock, login_api, enrolled, ready_video):
    clock.advance(2)
    player(segments=[[1, 3]], position=3)

    details = login_api(enrolled).get(f"/api/videos/{ready_video.pk}/").json()

    assert details["progress"]["last_position"] == 3.0
    assert details["progress"]["segments"] == [[1.0, 3.0]]


def test_only_those_who_may_watch_report(login_api, bob, ready_video, api):
    url = f"/api/videos/{ready_video.pk}/progress/"

    assert login_api(bob).post(url, {"segments": [[0, 1]]}, format="json").status_code == 403
    assert api.post(url, {"segments": [[0, 1]]}, format="json").status_code == 401
    assert not VideoProgress.objects.exists()


def test_a_video_not_ready_takes_no_reports(player, ready_video):
    ready_video.status = "processing"
    ready_video.save()

    answer = player(segments=[[0, 1]])

    assert answer.status_code == 409 and answer.json()["error"]["code"] == "video_not_ready"


def test_reports_are_rate_limited_per_person(player, clock, rate_limits):
    rate_limits(video_progress="3/minute")

    answers = [player(position=1).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_progress_before_any_report_is_nothing_watched(login_api, enrolled, ready_video):
    answer = login_api(enrolled).get(f"/api/videos/{ready_video.pk}/progress/")

    assert answer.status_code == 200
    assert answer.json() == {
        "segments": [],
        "watched_seconds": 0.0,
        "percent": 0.0,
        "last_position": 0.0,
        "completed": False,
        "completed_at": None,
    }
    assert not VideoProgress.objects.exists()
