"""The rate limiter counts atomically: a burst released at once gets exactly the policy's number
through (in this process's memory on the embedded default, in Redis when REDIS_URL is set)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from lyceum.core import ratelimit
from lyceum.core.exceptions import TooManyRequests


def _burst(count: int, call) -> list[bool]:
    start = threading.Barrier(count)

    def one(_):
        start.wait()
        try:
            call()
        except TooManyRequests:
            return False
        return True

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.parametrize("round_", range(5))
def test_a_concurrent_burst_gets_exactly_the_limit_through(rate_limits, round_):
    rate_limits(register="7/hour")

    passed = _burst(40, lambda: ratelimit.hit("register", f"ip:burst-{round_}"))

    assert passed.count(True) == 7
    assert ratelimit.is_exhausted("register", f"ip:burst-{round_}")


def test_refused_hits_are_not_counted_and_refunds_give_room_back(rate_limits):
    rate_limits(register="2/hour")
    first = ratelimit.hit("register", "ip:x")
    ratelimit.hit("register", "ip:x")
    for _ in range(5):
        with pytest.raises(TooManyRequests) as refused:
            ratelimit.hit("register", "ip:x")
    assert 3500 < refused.value.retry_after <= 3600

    first.refund()

    ratelimit.hit("register", "ip:x")  # exactly one place was given back
    with pytest.raises(TooManyRequests):
        ratelimit.hit("register", "ip:x")
