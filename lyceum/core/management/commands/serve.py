"""``python manage.py serve``: Lyceum's production layout on one machine, in one command.

nginx takes the port and splits by path, as Zulip splits Django from Tornado: HTTP goes to
gunicorn (Django's WSGI handler, ``--http-workers`` processes of one request at a time) and
``/ws/`` to uvicorn (Channels, ``--ws-workers`` processes), both on Unix sockets in
``var/serve/<port>/``. WebSockets cross processes through the Redis channel layer, so ``REDIS_URL`` is
required. The command writes nginx's configuration, starts the three servers, and stops them all
when it is stopped or when any of them exits. See docs/deployment.md.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

NGINX_CONF = """\
# Written by `manage.py serve`; edits are overwritten at the next start.
{user}worker_processes {nginx_workers};
pid {run}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log {access_log};
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    client_max_body_size {max_body};
    server_tokens off;
    upstream lyceum_http {{ server unix:{run}/http.sock; keepalive 64; }}
    upstream lyceum_ws {{ server unix:{run}/ws.sock; }}
    # The scheme the client used: a proxy in front of this one may have said it already.
    map $http_x_forwarded_proto $forwarded_proto {{ default $http_x_forwarded_proto; "" $scheme; }}
    server {{
        listen {listen};
        location /ws/ {{
            proxy_pass http://lyceum_ws;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $forwarded_proto;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            proxy_buffering off;
        }}
        location / {{
            proxy_pass http://lyceum_http;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $forwarded_proto;
            proxy_read_timeout 120s;
{accel}        }}
    }}
}}
"""

ACCEL = """\
        location {prefix} {{
            internal;
            alias {media}/;
        }}
"""


def default_workers(cores: int) -> tuple[int, int]:
    """(HTTP processes, WebSocket processes) for ``cores`` cores. HTTP: gunicorn's sync worker,
    ``2 * cores + 1`` processes as gunicorn recommends: one request at a time each, so while one
    waits on the database another runs (threads in one process served 0.6 of a process of its
    own: they fight over the GIL, bench/bench_servers.py). WebSocket: one uvicorn process per two
    cores (a socket process spends its time waiting)."""
    return 2 * max(1, cores) + 1, max(1, cores // 2)


class Command(BaseCommand):
    help = "Serve Lyceum with nginx in front of gunicorn (HTTP) and uvicorn (/ws/), sized from the cores."

    def add_arguments(self, parser) -> None:
        http, ws = default_workers(os.cpu_count() or 1)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--http-workers", type=int, default=http, help=f"default {http}: two per core and one more"
        )
        parser.add_argument("--ws-workers", type=int, default=ws, help=f"default {ws}: one per two cores")
        parser.add_argument(
            "--http-threads",
            type=int,
            default=1,
            help="threads per HTTP process: 1 (the default) runs gunicorn's sync worker, more "
            "its gthread worker",
        )
        parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
        parser.add_argument("--access-log", action="store_true", help="nginx writes an access log")

    def handle(self, *args, **options) -> None:
        if not getattr(settings, "REDIS_URL", ""):
            raise CommandError(
                "serve runs several processes: set REDIS_URL so WebSockets and rate limits are "
                "shared between them (for one process with no setup, use `make run`)."
            )
        nginx = options["nginx"]
        if not Path(nginx).exists():
            raise CommandError(f"nginx is missing ({nginx}): apt-get install nginx (see docs/deployment.md)")
        run = Path(settings.VAR_DIR) / "serve" / str(options["port"])  # one layout per port
        run.mkdir(parents=True, exist_ok=True)
        for stale in ("http.sock", "ws.sock"):
            (run / stale).unlink(missing_ok=True)
        accel = ""
        if prefix := getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", ""):
            accel = ACCEL.format(prefix=prefix, media=Path(settings.MEDIA_ROOT).resolve())
        max_body = max(settings.LESSON_VIDEO_MAX_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE) + 1024 * 1024
        (run / "nginx.conf").write_text(
            NGINX_CONF.format(
                # Started as root, nginx's workers would drop to www-data, which may not reach the
                # sockets in var/: they run as the user who started the command.
                user=f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"
                if os.geteuid() == 0
                else "",
                nginx_workers=max(1, min(options["http_workers"], os.cpu_count() or 1)),
                run=run,
                access_log=f"{run}/access.log" if options["access_log"] else "off",
                max_body=max_body,
                listen=f"{options['host']}:{options['port']}",
                accel=accel,
            )
        )
        bin_dir = Path(sys.executable).parent
        env = dict(os.environ)
        # nginx is one more proxy in front: client addresses come from X-Forwarded-For.
        env["NUM_PROXIES"] = str(int(env.get("NUM_PROXIES") or 0) + 1)
        children = {
            "gunicorn (HTTP)": [
                str(bin_dir / "gunicorn"),
                "lyceum.wsgi:application",
                "--bind",
                f"unix:{run}/http.sock",
                "--workers",
                str(options["http_workers"]),
                "--worker-class",
                "gthread" if options["http_threads"] > 1 else "sync",
                "--threads",
                str(options["http_threads"]),
                "--keep-alive",
                "75",
                "--forwarded-allow-ips",
                "*",
                "--log-level",
                "warning",
            ],
            "uvicorn (/ws/)": [
                str(bin_dir / "uvicorn"),
                "lyceum.asgi:application",
                "--uds",
                f"{run}/ws.sock",
                "--workers",
                str(options["ws_workers"]),
                "--ws",
                "websockets-sansio",
                "--ws-per-message-deflate",
                "false",
                "--lifespan",
                "off",
                # uvicorn kills a worker that misses its health check (5 s by default), and with it
                # every socket it holds: on a busy two-core machine a slow answer is not a hang.
                "--timeout-worker-healthcheck",
                "30",
                "--proxy-headers",
                "--forwarded-allow-ips",
                "*",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
        }
        processes: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            for name, argv in children.items():
                processes[name] = subprocess.Popen(argv, env=env)  # noqa: S603 - our own argv
            deadline = time.monotonic() + 60
            while not all((run / sock).exists() for sock in ("http.sock", "ws.sock")):
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes.values()):
                    raise CommandError("gunicorn or uvicorn did not start (see the messages above)")
                time.sleep(0.1)
            processes["nginx"] = subprocess.Popen(  # noqa: S603 - our own argv
                [nginx, "-p", str(run), "-c", str(run / "nginx.conf"), "-e", "stderr", "-g", "daemon off;"],
                env=env,
            )
            self.stdout.write(
                f"Lyceum is serving http://{options['host']}:{options['port']}: nginx, "
                f"{options['http_workers']} gunicorn process(es) of {options['http_threads']} thread(s), "
                f"{options['ws_workers']} uvicorn process(es) for /ws/ (stop with Ctrl-C)"
            )
            self.stdout.flush()
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        raise CommandError(f"{name} exited with code {process.returncode}")
                time.sleep(0.2)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(
                        signal.SIGTERM if process is not processes.get("nginx") else signal.SIGQUIT
                    )
            for process in processes.values():
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
