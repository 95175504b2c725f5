"""Celery tasks of video and recordings: thin wrappers over services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def process_video(video_id: str) -> str | None:
    video = services.video_process(video_id=video_id)
    return video.status if video is not None else None


@shared_task(acks_late=True)
def process_recording(recording_id: str) -> str | None:
    recording = services.recording_process(recording_id=recording_id)
    return recording.status if recording is not None else None


@shared_task
def sweep() -> dict[str, int]:
    return services.videos_sweep()
