"""Corrections: the lifecycle (lifecycle.py), the service API the CLI and the app call
(service.py), the outbox push (outbox/push.py) and the verification after it (verify.py)."""
