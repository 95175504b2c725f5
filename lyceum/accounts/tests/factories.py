from __future__ import annotations

import functools

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from zeal import zeal_ignore

from lyceum.accounts.models import Role, User, UserProfile, UserRole
from lyceum.accounts.services import roles_ensure

PASSWORD = "correct-horse-battery"


@functools.cache
def _password_hash() -> str:
    # Hashing once per run: Argon2 is slow on purpose, and tests make many users.
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.LazyFunction(lambda: _password_hash())

    # Test set-up makes many users one by one: that is not the N+1 pattern the guard looks for.
    @factory.post_generation
    def profile(user, create, extracted, **kwargs):
        if create:
            with zeal_ignore():
                UserProfile.objects.get_or_create(user=user, defaults=kwargs)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        if create:
            with zeal_ignore():
                for slug in extracted or [Role.STUDENT]:
                    # Transactional tests flush the roles the migration made: make them again.
                    role = Role.objects.filter(slug=slug).first() or roles_ensure()[slug]
                    UserRole.objects.get_or_create(user=user, role=role)
