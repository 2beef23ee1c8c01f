"""The webhook outbox: class events recorded with the change that caused them, delivered later."""
