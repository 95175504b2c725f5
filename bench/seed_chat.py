"""Seeds the chat benchmark: one group room with a sender and BENCH_LISTENERS members. Prints JSON:
the room id and each member's access token (the sender's first)."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lyceum.settings")

import django

django.setup()

from lyceum.accounts.models import User
from lyceum.accounts.services import tokens_issue
from lyceum.chat.models import ChatRoom, Participant

LISTENERS = int(os.environ.get("BENCH_LISTENERS", "200"))


def main() -> None:
    users = User.objects.bulk_create(
        [
            User(username=f"member{n}", email=f"member{n}@example.com", password="!")
            for n in range(LISTENERS + 1)
        ]
    )
    room = ChatRoom.objects.create(name="Lecture hall", kind=ChatRoom.Kind.GROUP, creator=users[0])
    Participant.objects.bulk_create([Participant(room=room, user=user) for user in users])
    print(json.dumps({"room": str(room.pk), "tokens": [tokens_issue(user=user)["access"] for user in users]}))


if __name__ == "__main__":
    main()
