"""PostgreSQL advisory lock ids, in one place: they share one id space per database, so two uses of one id
would wait on each other (an upgrade would hold every run's save)."""

CHAIN_LOCK = 727274  # the audit trail's chaining, taken at commit (trail)
UPGRADE_LOCK = 727275  # a schema upgrade, held for the whole migration (pg)
CARRY_LOCK = 727276  # a run's save from reading the previous run's state to its commit, against carried changes (repo)
USERS_LOCK = 727277  # adding, changing or removing a user, from its checks to its commit (team.users)
