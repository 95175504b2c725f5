"""ffprobe and ffmpeg (Debian's ``ffmpeg`` package): what a video is, a thumbnail, HLS renditions,
and a remux that gives browser recordings a duration and an index to seek by.

Every run has a timeout (``VIDEO_PROCESS_TIMEOUT``); every failure is a ``MediaError`` whose
message says why in words an instructor can act on.
"""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# (height, video kbit/s): the ladder renditions are chosen from, highest first.
LADDER = [(1080, 5000), (720, 2800), (480, 1400), (360, 800), (240, 400)]
MAX_RENDITIONS = 3
AUDIO_KBPS = 96
MIN_HEIGHT = 144


class MediaError(Exception):
    """The file could not be probed or processed; ``str(error)`` is the reason."""


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int
    height: int
    has_audio: bool
    video_codec: str


def _run(argv: list[str], *, what: str) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(  # noqa: S603 - our own argv; the file name is a path we made
            argv,
            capture_output=True,
            timeout=settings.VIDEO_PROCESS_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError as error:
        raise MediaError(f"{argv[0]} is not installed on the server.") from error
    except subprocess.TimeoutExpired as error:
        raise MediaError(f"{what} took longer than {settings.VIDEO_PROCESS_TIMEOUT} seconds.") from error
    if done.returncode != 0:
        lines = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        detail = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise MediaError(f"{what} failed: {detail[:300]}")
    return done


def probe(path: Path, *, audio_only_ok: bool = False) -> Probe:
    """The duration and the first video stream of ``path``; MediaError if it has none (unless
    ``audio_only_ok``: a recording of the microphone alone)."""
    done = _run(
        [
            settings.FFPROBE_BINARY, "-v", "error", "-print_format", "json",
            "-show_format", "-show_streams", str(path),
        ],
        what="Reading the file",
    )  # fmt: skip
    try:
        info = json.loads(done.stdout)
    except ValueError as error:
        raise MediaError("Reading the file failed: ffprobe's answer was not JSON.") from error
    streams = info.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    if video is None and not (audio_only_ok and has_audio):
        raise MediaError("The file has no video stream.")
    video = video or {}
    duration = _seconds(info.get("format", {}).get("duration")) or _seconds(video.get("duration"))
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if video and (not width or not height):
        raise MediaError("The video stream has no picture size.")
    return Probe(
        duration=duration or 0.0,
        width=width,
        height=height,
        has_audio=has_audio,
        video_codec=str(video.get("codec_name") or ""),
    )


def _seconds(value) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def thumbnail(source: Path, target: Path, *, at: float, width: int = 640) -> None:
    _run(
        [
            settings.FFMPEG_BINARY, "-nostdin", "-v", "error", "-y", "-ss", f"{at:.3f}", "-i", str(source),
            "-frames:v", "1", "-vf", f"scale='min({width},iw)':-2", "-q:v", "4", str(target),
        ],
        what="Making the thumbnail",
    )  # fmt: skip


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def ladder_for(height: int) -> list[tuple[int, int]]:
    """At least two renditions, none taller than the source, at most MAX_RENDITIONS."""
    steps = [(h, kbps) for h, kbps in LADDER if h <= height][:MAX_RENDITIONS]
    if len(steps) >= 2:
        return steps
    top = _even(min(height, LADDER[0][0]))
    low = _even(max(MIN_HEIGHT, top / 2)) if top > MIN_HEIGHT else _even(top / 2)
    top_kbps = steps[0][1] if steps else max(200, int(800 * top / 360))
    return [(top, top_kbps), (low, max(100, top_kbps // 2))]


def hls(source: Path, target: Path, *, probe: Probe, segment_seconds: int) -> list[dict]:
    """HLS renditions of ``source`` in ``target``/<name>/index.m3u8 and ``target``/master.m3u8;
    returns what each rendition is (name, height, width, bandwidth, playlist path in target)."""
    renditions = []
    for height, kbps in ladder_for(probe.height):
        name = f"{height}p"
        folder = target / name
        folder.mkdir(parents=True, exist_ok=True)
        width = _even(probe.width * height / probe.height)
        audio = (
            ["-map", "0:a:0?", "-c:a", "aac", "-b:a", f"{AUDIO_KBPS}k", "-ac", "2"] if probe.has_audio else []
        )
        _run(
            [
                settings.FFMPEG_BINARY, "-nostdin", "-v", "error", "-y", "-i", str(source),
                "-map", "0:v:0", *audio,
                "-vf", f"scale={width}:{height}", "-c:v", "libx264", "-preset", "veryfast",
                "-profile:v", "main", "-pix_fmt", "yuv420p",
                "-b:v", f"{kbps}k", "-maxrate", f"{int(kbps * 1.07)}k", "-bufsize", f"{int(kbps * 1.5)}k",
                "-force_key_frames", f"expr:gte(t,n_forced*{segment_seconds})", "-sc_threshold", "0",
                "-f", "hls", "-hls_time", str(segment_seconds), "-hls_playlist_type", "vod",
                "-hls_segment_filename", str(folder / "seg_%04d.ts"), str(folder / "index.m3u8"),
            ],
            what=f"Encoding the {name} rendition",
        )  # fmt: skip
        bandwidth = int((kbps + (AUDIO_KBPS if probe.has_audio else 0)) * 1000 * 1.1)
        codecs = "avc1.4d401f,mp4a.40.2" if probe.has_audio else "avc1.4d401f"
        renditions.append(
            {
                "name": name,
                "height": height,
                "width": width,
                "bandwidth": bandwidth,
                "codecs": codecs,
                "playlist": f"{name}/index.m3u8",
            }
        )
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for rendition in renditions:
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={rendition['bandwidth']},"
            f'RESOLUTION={rendition["width"]}x{rendition["height"]},CODECS="{rendition["codecs"]}"'
        )
        lines.append(rendition["playlist"])
    (target / "master.m3u8").write_text("\n".join(lines) + "\n")
    return renditions


def remux(source: Path, target: Path) -> None:
    """Copies the streams into a fresh container: browser recordings (MediaRecorder's WebM) come
    without a duration or cues, so players cannot seek them until this is done."""
    _run(
        [
            settings.FFMPEG_BINARY,
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-i",
            str(source),
            "-c",
            "copy",
            str(target),
        ],
        what="Finishing the recording",
    )


def generate_test_video(target: Path, *, seconds: int = 30, size: str = "640x360") -> None:
    """A video from ffmpeg's own test sources (a test pattern with a clock and a tone): the demo
    lesson's video, and the tests'."""
    _run(
        [
            settings.FFMPEG_BINARY, "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-shortest", "-movflags", "+faststart", str(target),
        ],
        what="Generating the test video",
    )  # fmt: skip
