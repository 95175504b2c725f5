"""The levels and starter badges, seeded by migration 0002 and by the demo data after a flush.
Frozen: a later change of the starter set is a new migration."""

LEVELS = [
    (1, 0, "Novice"),
    (2, 100, "Apprentice"),
    (3, 250, "Scholar"),
    (4, 500, "Adept"),
    (5, 1000, "Expert"),
    (6, 2000, "Master"),
    (7, 4000, "Sage"),
]
ACHIEVEMENTS = [
    ("first-lesson", "First steps", "Complete your first lesson.", "footprints", {"type": "lessons_completed", "count": 1}, 5),
    ("ten-lessons", "Keen learner", "Complete ten lessons.", "book", {"type": "lessons_completed", "count": 10}, 20),
    ("course-finisher", "Finisher", "Complete a whole course.", "flag", {"type": "courses_completed", "count": 1}, 50),
    ("perfect-quiz", "Flawless", "Pass a quiz with 100 %.", "star", {"type": "quiz_passed", "min_percent": 100}, 20),
    ("week-streak", "On a roll", "Learn seven days in a row.", "flame", {"type": "streak", "days": 7}, 30),
    ("points-500", "Rising star", "Earn 500 points.", "rocket", {"type": "points", "total": 500}, 0),
    ("top-ten", "Top ten", "Reach the top 10 of a course's leaderboard.", "trophy", {"type": "course_rank", "top": 10}, 10),
    (
        "all-rounder",
        "All-rounder",
        "Finish a course and pass a quiz with 100 %.",
        "medal",
        {"type": "all", "rules": [{"type": "courses_completed", "count": 1}, {"type": "quiz_passed", "min_percent": 100}]},
        25,
    ),
]
