"""Scheduled work: computed from the database at a given instant, claimed once.

Every job is ``async def job(pool, now) -> effects``. It asks the database
what is due at ``now`` per school (settings, time zone, calendar), claims
each unit of work with a ``job_claims`` row (``ON CONFLICT DO NOTHING``) and
acts only on the units it won — in the same transaction as the pushes — so
replicas, re-runs and restarts never notify twice.
"""
