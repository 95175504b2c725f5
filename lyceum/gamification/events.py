"""Domain events of gamification. Payloads carry ids and plain values."""

from lyceum.core.events import DomainEvent

# user_id, achievement_id, title, points
achievement_earned = DomainEvent("achievement_earned")
# user_id, level (number), title
level_up = DomainEvent("level_up")
