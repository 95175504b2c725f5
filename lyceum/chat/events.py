"""Domain events of chat."""

from lyceum.core.events import DomainEvent

# room_id, message_id, sender_id, seq
message_created = DomainEvent("message_created")
