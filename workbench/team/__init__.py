"""Team use: users and roles, presence, change notifications (SQLite or PostgreSQL)."""
