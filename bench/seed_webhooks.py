"""Seeds the webhook benchmark: a paid course and N buyers, each with a pending sandbox checkout;
writes [reference, amount, currency] per checkout as JSON to the file named. With --count, prints
what the payments did instead: succeeded transactions, invoices (and whether their numbers have no
gap), webhook events recorded, enrollments.

    python bench/seed_webhooks.py OUT.json 1000
    python bench/seed_webhooks.py --count
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lyceum.settings")

import django

django.setup()

from lyceum.accounts.models import User
from lyceum.courses.models import Course, CourseEnrollment
from lyceum.payments import services
from lyceum.payments.models import Invoice, Transaction, WebhookEvent


def seed(out: str, count: int) -> None:
    teacher = User.objects.create_user(username="bench-teacher", email="t@bench.localhost", password=None)
    course = Course.objects.create(
        instructor=teacher,
        title="Bench course",
        slug="bench-course",
        price=Decimal("49.00"),
        is_published=True,
    )
    buyers = User.objects.bulk_create(
        [User(username=f"buyer{n}", email=f"buyer{n}@bench.localhost") for n in range(count)]
    )
    rows = []
    for buyer in buyers:
        made, _ = services.checkout_start(user=buyer, course=course, success_url="/", cancel_url="/")
        rows.append([made.provider_ref, f"{made.amount:f}", made.currency])
    Path(out).write_text(json.dumps(rows))
    print(count)


def counts() -> None:
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    print(
        json.dumps(
            {
                "succeeded": Transaction.objects.filter(status="succeeded").count(),
                "invoices": len(numbers),
                "gapless": numbers == list(range(1, len(numbers) + 1)),
                "events": WebhookEvent.objects.count(),
                "enrollments": CourseEnrollment.objects.count(),
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "--count":
        counts()
    else:
        seed(sys.argv[1], int(sys.argv[2]))
