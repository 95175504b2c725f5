"""Creates the built-in roles and the demo users. Safe to run again: nothing is duplicated."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from lyceum.accounts import services
from lyceum.accounts.models import Role, User

DEMO_USERS = [
    # username, email, password, first name, last name, roles, superuser
    ("student", "student@lyceum.localhost", "learn-lyceum-2026", "Sam", "Student", [Role.STUDENT], False),
    (
        "instructor",
        "instructor@lyceum.localhost",
        "teach-lyceum-2026",
        "Ines",
        "Instructor",
        [Role.STUDENT, Role.INSTRUCTOR],
        False,
    ),
    (
        "admin",
        "admin@lyceum.localhost",
        "admin-lyceum-2026",
        "Ada",
        "Admin",
        [Role.STUDENT, Role.ADMIN],
        True,
    ),
]


class Command(BaseCommand):
    help = "Create roles and demo users (student, instructor, admin). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Create the roles only.")
        parser.add_argument(
            "--allow-demo-accounts",
            action="store_true",
            help="With DEBUG=false (DEMO_ACCOUNTS_ALLOWED=false), create the demo accounts (with "
            "the passwords the README prints) all the same. Never on a server others can reach.",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        services.roles_ensure()
        if options["no_demo"]:
            self.stdout.write("Roles are in place.")
            return
        if not (settings.DEMO_ACCOUNTS_ALLOWED or options["allow_demo_accounts"]):
            # The demo passwords are public (README): on a production server they are a way in.
            raise CommandError(
                "DEBUG is false: refusing to create or reset the demo accounts, whose passwords are "
                "public. Run with --no-demo for the roles only, or --allow-demo-accounts if you "
                "really want them on this server."
            )
        self.stdout.write("Demo accounts (sign in at /login/ with the username or email):")
        existing = {
            user.username.lower(): user
            for user in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])
        }
        for username, email, password, first, last, roles, is_superuser in DEMO_USERS:
            user = existing.get(username)
            if user is None:
                user = services.user_create(
                    email=email,
                    username=username,
                    password=password,
                    first_name=first,
                    last_name=last,
                    email_verified=True,
                )
            else:
                # Keep the demo password known, whatever was done with the account meanwhile.
                user.set_password(password)
                user.is_active = True
                user.suspended_at, user.suspension_reason = None, ""
                user.email_verified_at = user.email_verified_at or timezone.now()
                user.save()
            if is_superuser and not (user.is_staff and user.is_superuser):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            services.role_assign(user=user, role_slugs=roles)
            self.stdout.write(f"  {username:<11} {email:<27} password: {password}")
            existing[username] = user
        # Each capability adds its demo data here.
        from lyceum.access.demo import create_demo_roles

        roles = create_demo_roles()
        self.stdout.write(f"Demo roles: {', '.join(role.name for role in roles)} (besides the built-in ones)")
        from lyceum.courses.demo import create_demo_courses

        courses = create_demo_courses(instructor=existing["instructor"], student=existing["student"])
        self.stdout.write(f"Demo courses: {', '.join(course.title for course in courses)}")
        from lyceum.quizzes.demo import create_demo_quizzes

        quizzes = create_demo_quizzes(instructor=existing["instructor"])
        self.stdout.write(f"Demo quizzes: {len(quizzes)}, one in each demo course")
        from lyceum.coding.demo import create_demo_exercise

        exercise = create_demo_exercise(course=courses[0])
        self.stdout.write(f"Demo coding exercise: {exercise.title} ({courses[0].title})")
        from lyceum.quizzes.demo import add_demo_code_question

        code_quiz = add_demo_code_question(exercise=exercise, instructor=existing["instructor"])
        self.stdout.write(f"Demo code quiz: {code_quiz.title} ({courses[0].title})")
        from lyceum.media.demo import create_demo_video

        video = create_demo_video(course=courses[0], instructor=existing["instructor"])
        self.stdout.write(
            f"Demo video: {video.title} ({courses[0].title}; processed into HLS as the data is saved)"
            if video is not None
            else "Demo video: none (DEMO_VIDEO is off, or ffmpeg is not installed: apt-get install ffmpeg)"
        )
        from lyceum.payments.demo import create_demo_plans

        plans = create_demo_plans()
        self.stdout.write(
            f"Demo plans: {', '.join(plan.name for plan in plans)} (paid with the sandbox provider)"
        )
        from lyceum.gamification.demo import create_demo_gamification

        made = create_demo_gamification(course=courses[0])
        self.stdout.write(
            f"Demo leaderboard: {made['learners']} learners; {made['challenges']} challenge(s) running"
        )
        from lyceum.chat.demo import create_demo_chat

        def chat() -> None:  # after the enrollment events have put the student in the course room
            rooms = create_demo_chat(
                instructor=existing["instructor"], student=existing["student"], course=courses[0]
            )
            self.stdout.write(f"Demo chat rooms: {', '.join(str(room) for room in rooms)}")

        transaction.on_commit(chat)
