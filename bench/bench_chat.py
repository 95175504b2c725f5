"""A lecture hall: one chat room with 200 connected sockets and a sender posting at a steady rate,
through the real ASGI server (one uvicorn process serving lyceum.asgi), on the in-memory channel
layer and on Redis. Beside each, in the same run and with the same client, the floor: a minimal
broadcast server written with the `websockets` library (bench/ws_broadcast.py) that stores and
checks nothing.

Each message carries the time it was sent; every listener notes when it arrived. Prints delivery
latency p50/p99, deliveries per second (one message reaching one socket is one delivery), how
many were lost, and the ratios against the floor. Sender and listeners share one client process
(and one clock), separate from the server's.

    .venv/bin/python bench/bench_chat.py [--listeners 200] [--rates 10,40] [--seconds 10]
                                         [--layers memory,redis] [--deflate false]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BIN, ROOT, Server, lyceum_instance, run_seed, uvicorn_argv

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


async def lecture(
    url_for: Callable[[int], str], origin: str, listeners: int, rate: int, seconds: int
) -> dict[str, float]:
    """Connects ``listeners`` sockets and a sender (``url_for(0)``), sends ``rate`` messages a
    second for ``seconds``, and waits (up to 30 s) for every delivery."""
    messages = rate * seconds
    expected = messages * listeners
    latencies: list[float] = []
    last_delivery = 0.0
    everything = asyncio.Event()

    last_frame = time.perf_counter()

    async def listen(socket) -> None:
        nonlocal last_delivery, last_frame
        async for frame in socket:
            last_frame = time.perf_counter()
            data = json.loads(frame)
            if data["type"] == "message.create":
                now = time.perf_counter()
                latencies.append((now - float(data["message"]["content"].split()[1])) * 1000)
                last_delivery = now
                if len(latencies) == expected:
                    everything.set()

    sockets = []
    for start in range(1, listeners + 1, 25):  # 25 handshakes at a time
        batch = range(start, min(start + 25, listeners + 1))
        sockets += await asyncio.gather(
            *(websockets.connect(url_for(n), origin=origin, max_queue=None) for n in batch)
        )
    readers = [asyncio.create_task(listen(socket)) for socket in sockets]
    sender = await websockets.connect(url_for(0), origin=origin, max_queue=None)
    errors: list[dict] = []

    async def drain() -> None:  # acknowledgements; the sender's own copies
        async for frame in sender:
            data = json.loads(frame)
            if data["type"] == "error":
                errors.append(data)

    draining = asyncio.create_task(drain())
    # Let the join announcements settle (each join is told to every member: N² frames, which
    # the Redis layer takes a few seconds to deliver): measure the steady state, from the first
    # half-second in which no listener heard anything.
    settle_until = time.perf_counter() + 60
    await asyncio.sleep(1)
    while time.perf_counter() - last_frame < 0.5 and time.perf_counter() < settle_until:
        await asyncio.sleep(0.1)
    began = time.perf_counter()
    for n in range(messages):
        await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
        frame = {"type": "message.create", "content": f"{n} {time.perf_counter()}", "client_id": f"m{n}"}
        await sender.send(json.dumps(frame))
    with contextlib.suppress(TimeoutError):  # what has not arrived by then counts as lost
        await asyncio.wait_for(everything.wait(), timeout=30)
    for socket in [sender, *sockets]:
        await socket.close()
    for task in [*readers, draining]:
        task.cancel()
    if errors:
        print(f"  sender errors: {errors[:3]}", file=sys.stderr)
    ordered = sorted(latencies) or [float("nan")]
    return {
        "messages": messages,
        "deliveries": len(latencies),
        "lost": expected - len(latencies),
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "per_second": len(latencies) / (last_delivery - began) if latencies else 0.0,
    }


def measure_lyceum(layer: str, rate: int, args) -> dict[str, float]:
    extra = {"JWT_ACCESS_MINUTES": "120", "BENCH_LISTENERS": str(args.listeners)}
    # The benchmark's sender posts faster than a person may (the default limit is 20 in 10 s).
    allowance = f"{rate * args.seconds * 2}/{args.seconds * 2} seconds"
    extra.update(RATE_CHAT_SEND=allowance, RATE_CHAT_FRAME=allowance)
    if layer == "redis":
        extra.update(REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=f"lyceum-bench-{os.getpid()}-{rate}")
    with lyceum_instance(**extra) as env:
        if layer == "memory":
            env.pop("REDIS_URL", None)
        seed = json.loads(run_seed("seed_chat.py", env))
        argv = uvicorn_argv(
            "lyceum.asgi:application", "--ws", args.ws, "--ws-per-message-deflate", args.deflate
        )
        with Server(argv, env) as server:
            base = server.base_url.replace("http", "ws", 1)

            def url_for(n: int) -> str:
                return f"{base}/ws/chat/rooms/{seed['room']}/?token={seed['tokens'][n]}"

            return asyncio.run(lecture(url_for, server.base_url, args.listeners, rate, args.seconds))


def measure_floor(rate: int, args) -> dict[str, float]:
    argv = [str(BIN / "python"), str(ROOT / "bench" / "ws_broadcast.py"), "{port}", args.deflate]
    with Server(argv, dict(os.environ)) as server:
        base = server.base_url.replace("http", "ws", 1)
        return asyncio.run(lecture(lambda n: f"{base}/", server.base_url, args.listeners, rate, args.seconds))


def measure_asgi_floor(rate: int, args) -> dict[str, float]:
    argv = uvicorn_argv("bench.asgi_broadcast:app", "--ws", args.ws, "--ws-per-message-deflate", args.deflate)
    with Server(argv, dict(os.environ)) as server:
        base = server.base_url.replace("http", "ws", 1)
        return asyncio.run(lecture(lambda n: f"{base}/", server.base_url, args.listeners, rate, args.seconds))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listeners", type=int, default=200)
    parser.add_argument("--rates", default="10,40", help="messages per second, one run each")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--layers", default="memory,redis")
    parser.add_argument(
        "--asgi-floor",
        action="store_true",
        help="also measure a bare ASGI broadcast under uvicorn (bench/asgi_broadcast.py)",
    )
    parser.add_argument("--ws", default="websockets", help="uvicorn's WebSocket implementation")
    parser.add_argument(
        "--deflate",
        default="false",
        choices=["true", "false"],
        help="per-message compression on both servers (Lyceum serves without it: see README)",
    )
    args = parser.parse_args(argv)
    rows: list[tuple[str, int, dict[str, float], dict[str, float]]] = []
    for rate in map(int, args.rates.split(",")):
        for layer in args.layers.split(","):
            print(f"measuring Lyceum on the {layer} layer at {rate} messages/s ...", file=sys.stderr)
            lyceum = measure_lyceum(layer, rate, args)
            print("measuring the websockets floor ...", file=sys.stderr)
            floor = measure_floor(rate, args)
            if args.asgi_floor:
                print("measuring the bare ASGI broadcast under uvicorn ...", file=sys.stderr)
                floor["asgi"] = measure_asgi_floor(rate, args)
            rows.append((layer, rate, lyceum, floor))
    print(
        f"\nLecture hall: {args.listeners} sockets in one room, one sender at a steady rate for "
        f"{args.seconds} s, one server process, compression {'on' if args.deflate == 'true' else 'off'}"
    )
    print("(deliveries/s: one message reaching one socket; ratios against the floor measured just after)")
    header = (
        f"{'case':<26}{'msg/s':>6}{'deliveries/s':>13}{'p50 ms':>9}{'p99 ms':>9}{'lost':>6}"
        f"{'rate ratio':>11}{'p50 ratio':>10}{'p99 ratio':>10}"
    )
    print(header)
    print("-" * len(header))
    for layer, rate, lyceum, floor in rows:
        cases = [(f"Lyceum, {layer} layer", lyceum), ("  floor (websockets)", floor)]
        if "asgi" in floor:
            cases.append(("  bare ASGI on uvicorn", floor["asgi"]))
        for name, row in cases:
            print(
                f"{name:<26}{rate:>6}{row['per_second']:>13,.0f}{row['p50']:>9.1f}{row['p99']:>9.1f}"
                f"{row['lost']:>6}{row['per_second'] / floor['per_second']:>11.2f}"
                f"{floor['p50'] / row['p50']:>10.2f}{floor['p99'] / row['p99']:>10.2f}"
            )
    print("(p50/p99 ratio = floor latency / this latency: 1.00 is as fast as the floor)")
    return {
        (layer, rate, args.listeners): {"lyceum": lyceum, "floor": floor}
        for layer, rate, lyceum, floor in rows
    }


if __name__ == "__main__":
    main()
