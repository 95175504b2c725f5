import pytest

from lyceum.accounts.tests.factories import UserFactory


@pytest.fixture
def ines(db):
    """An instructor who owns the courses under test."""
    return UserFactory(
        username="ines", email="ines@example.com", first_name="Ines", roles=["student", "instructor"]
    )


@pytest.fixture
def oscar(db):
    """Another instructor: must not change ines's courses."""
    return UserFactory(username="oscar", email="oscar@example.com", roles=["student", "instructor"])
