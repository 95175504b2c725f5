"""Domain events of chat."""

from lyceum.core.events import DomainEvent

# room_id, room_name, message_id, sender_id, sender_name, seq
message_created = DomainEvent("message_created")
