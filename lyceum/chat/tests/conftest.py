import pytest


@pytest.fixture(autouse=True)
def _seeding_is_not_flooding(rate_limits):
    """Tests seed rooms faster than a person may write; the tests of the limit set their own."""
    rate_limits(chat_send="10000/hour")
