"""Payment webhooks through the real server (uvicorn serving lyceum.asgi, the embedded default):
1,000 distinct sandbox ``payment.succeeded`` events, each delivered 3 times, in shuffled order,
by a few concurrent senders, as a provider retrying would. Each request is verified (signature,
timestamp), recorded once per event id, applied (the transaction paid, the course granted, the
invoice numbered) and committed before the answer. Beside it, in the same run and server, the
same 3,000 requests to a static DRF view that verifies and writes nothing: the floor. Then the
effects are counted: exactly 1,000 payments, invoices numbered 1 to 1,000, 1,000 events.

    .venv/bin/python bench/bench_webhooks.py [--events 1000] [--copies 3] [--senders 4]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BIN, ROOT, Server, http_request, lyceum_instance, uvicorn_argv

SECRET = "whsec_bench_" + uuid.uuid4().hex


def sign(body: bytes) -> str:
    """The sandbox's signature, as Stripe signs: t=<time>,v1=HMAC-SHA256(secret, "t.body")."""
    stamp = int(time.time())
    return (
        f"t={stamp},v1=" + hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    )


async def deliver(
    base_url: str, path: str, bodies: list[bytes], senders: int, *, quiet: bool = False
) -> dict:
    """Sends every body (signed as it is sent) with ``senders`` requests in flight."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    errors = 0

    async def sender() -> None:
        nonlocal errors
        while not queue.empty():
            body = queue.get_nowait()
            started = time.perf_counter()
            try:
                status, _, raw = await http_request(
                    base_url, "POST", path, data=body, headers={"Lyceum-Signature": sign(body)}
                )
            except OSError:
                errors += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors += 1
                if not quiet:
                    print(f"  {status}: {raw[:200]!r}", file=sys.stderr)
                continue
            outcome = json.loads(raw)["outcome"]
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "errors": errors,
        "outcomes": outcomes,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--senders", type=int, default=4)
    args = parser.parse_args(argv)

    with (
        lyceum_instance(DJANGO_SETTINGS_MODULE="bench.settings", PAYMENTS_SANDBOX_SECRET=SECRET) as env,
        tempfile.NamedTemporaryFile(suffix=".json") as seeded,
    ):
        print(f"seeding {args.events:,} pending checkouts ...", file=sys.stderr)
        subprocess.run(
            [str(BIN / "python"), "bench/seed_webhooks.py", seeded.name, str(args.events)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        checkouts = json.loads(Path(seeded.name).read_text())
        events = [
            json.dumps(
                {
                    "id": f"evt_{uuid.uuid4().hex}",
                    "type": "payment.succeeded",
                    "created": int(time.time()),
                    "data": {
                        "reference": reference,
                        "payment_id": f"sbx_pi_{uuid.uuid4().hex}",
                        "amount": amount,
                        "currency": currency,
                    },
                }
            ).encode()
            for reference, amount, currency in checkouts
        ]
        deliveries = events * args.copies
        random.Random(7).shuffle(deliveries)
        with Server(uvicorn_argv(), env) as server:
            # Warm both paths up (imports, first queries) with requests that change nothing.
            asyncio.run(deliver(server.base_url, "/bench/ack/", deliveries[:50], args.senders))
            asyncio.run(
                deliver(server.base_url, "/api/webhook/payment/", [b'{"id": "warm"}'] * 5, 1, quiet=True)
            )
            floor = asyncio.run(deliver(server.base_url, "/bench/ack/", deliveries, args.senders))
            real = asyncio.run(deliver(server.base_url, "/api/webhook/payment/", deliveries, args.senders))
        effects = json.loads(
            subprocess.run(
                [str(BIN / "python"), "bench/seed_webhooks.py", "--count"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )

    print(
        f"\nPayment webhooks: {args.events:,} events x {args.copies} deliveries, shuffled, "
        f"{args.senders} senders, one uvicorn process, SQLite"
    )
    print(f"{'':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, result in (("floor: static DRF view (POST)", floor), ("POST /api/webhook/payment/", real)):
        print(
            f"{name:<34}{result['rps']:>9.0f}{result['p50']:>9.1f}{result['p99']:>9.1f}{result['errors']:>8}"
        )
    print(f"ratio (req/s against the floor): {real['rps'] / floor['rps']:.2f}; target p99 < 50 ms")
    print(f"outcomes: {real['outcomes']}")
    print(
        f"effects: {effects['succeeded']:,} payments, {effects['invoices']:,} invoices "
        f"({'numbered without a gap' if effects['gapless'] else 'WITH GAPS'}), {effects['events']:,} events, "
        f"{effects['enrollments']:,} enrollments (expected {args.events:,} each)"
    )
    exact = all(effects[key] == args.events for key in ("succeeded", "invoices", "events", "enrollments"))
    if not exact or not effects["gapless"] or real["errors"]:
        raise SystemExit("the webhooks did not end in exactly one effect per event")
    return {"floor": floor, "webhook": real, "effects": effects}


if __name__ == "__main__":
    main()
