"""Video Range requests: the lesson video's file fetched as a player fetches it when it seeks (a
256 KiB range from the middle, 206 Partial Content) through Lyceum's signed stream address
(uvicorn serving lyceum.asgi, one process, as `make run` does: the token checked, the video
looked up, the file streamed by Django), next to the same file served by nginx as a bare static
file server (one worker), in the same run, and through the production layout (`manage.py serve`
with MEDIA_ACCEL_REDIRECT_PREFIX: gunicorn checks the address, nginx sends the bytes with
X-Accel-Redirect). The ratio is ranges per second against the bare nginx's.

    .venv/bin/python bench/bench_range.py [--seconds 5] [--clip-seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_servers import serve
from bench.harness import Case, Server, lyceum_instance, run_http, run_seed, uvicorn_argv

RANGE_BYTES = 256 * 1024
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    types {{ video/mp4 mp4; }}
    server {{
        listen 127.0.0.1:@PORT@;
        location / {{ root {root}; }}
    }}
}}
"""


def nginx_server(root: Path, folder: Path, ready_path: str, env: dict) -> Server:
    template, conf = folder / "nginx.conf.in", folder / "nginx.conf"
    template.write_text(NGINX_CONF.format(folder=folder, root=root))
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    # Server puts the port in place of {port} in the argv; nginx reads it from its file.
    command = f"sed 's/@PORT@/{{port}}/' {template} > {conf} && exec {binary} -c {conf}"
    return Server(["sh", "-c", command], env, ready_path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--clip-seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    seconds, clip_seconds, rounds = args.seconds, args.clip_seconds, args.rounds
    redis = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"  # the serve layout's layer
    with (
        lyceum_instance(REDIS_URL=redis) as env,
        tempfile.TemporaryDirectory(prefix="lyceum-range-") as folder,
    ):
        seeded = json.loads(run_seed("seed_video.py", {**env, "BENCH_CLIP_SECONDS": str(clip_seconds)}))
        size = seeded["size"]
        start = size // 2
        headers = {"Range": f"bytes={start}-{start + RANGE_BYTES - 1}"}
        # nginx's worker runs as an unprivileged user: give it a readable copy of the same bytes.
        Path(folder).chmod(0o755)
        static = Path(folder) / "static"
        static.mkdir(mode=0o755)
        shutil.copyfile(seeded["file"], static / "clip.mp4")
        (static / "clip.mp4").chmod(0o644)
        static_path = "/clip.mp4"
        lyceum = Server(uvicorn_argv(), env)
        nginx = nginx_server(static, Path(folder), static_path, env)
        # The production layout: Lyceum checks the address, nginx sends the bytes (X-Accel-Redirect).
        layout = Server(serve(), {**env, "MEDIA_ACCEL_REDIRECT_PREFIX": "/protected-media/"})
        print(
            f"clip: {size / 1e6:.1f} MB, {clip_seconds} s at 720p; "
            f"each request: {RANGE_BYTES // 1024} KiB from the middle"
        )
        results = run_http(
            [
                Case("nginx static file (bare)", nginx, static_path, headers),
                Case("Lyceum signed stream (Django)", lyceum, seeded["stream"], headers),
                Case("serve layout: Lyceum checks, nginx sends", layout, seeded["stream"], headers),
            ],
            baseline="nginx static file (bare)",
            seconds=seconds,
            connections=16,
            rounds=rounds,
            title="Video Range requests (206): Lyceum's authorised stream next to a bare static server",
        )
    return results


if __name__ == "__main__":
    main()
