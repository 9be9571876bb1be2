"""The outbox: approved corrections waiting to be written to their target systems."""
