"""Month-end close: periods, sign-off and certification, the period lock, reporting currency and
materiality, aging, and the evidence behind each item."""
