"""How long each category of data is kept (docs/privacy.md has each default's source).

The school owner (the municipality running Skolebro) sets these per deployment;
every period is in days and counts from the moment the row stopped being in use
(a thread's last message, a device last seen, a session's expiry).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from backend.lib.config import SettingsError, from_var


def _days(raw: str) -> int:
    return int(raw)


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    # Threads and their messages, counted from the thread's last message.
    messages_days: int = field(default=365, metadata=from_var("SKOLEBRO_RETAIN_MESSAGES_DAYS", _days))
    # In-app inbox items (notifications), from when they were created.
    inbox_days: int = field(default=180, metadata=from_var("SKOLEBRO_RETAIN_INBOX_DAYS", _days))
    # Push deliveries (which phone got which push, and FCM's answer).
    deliveries_days: int = field(default=30, metadata=from_var("SKOLEBRO_RETAIN_DELIVERIES_DAYS", _days))
    # SMS, e-mail and call rows of missing-pupil cases (they hold phone numbers and addresses).
    contacts_days: int = field(default=365, metadata=from_var("SKOLEBRO_RETAIN_CONTACTS_DAYS", _days))
    # Audit entries of call-list reads (staff who saw guardians' mobile numbers).
    call_list_reads_days: int = field(
        default=365, metadata=from_var("SKOLEBRO_RETAIN_CALL_LIST_READS_DAYS", _days)
    )
    # Phones and browsers not seen for this long.
    devices_unseen_days: int = field(
        default=270, metadata=from_var("SKOLEBRO_RETAIN_DEVICES_UNSEEN_DAYS", _days)
    )
    # Every other audit entry (staff reads, the school's decisions, legal holds, exports).
    audit_days: int = field(default=1095, metadata=from_var("SKOLEBRO_RETAIN_AUDIT_DAYS", _days))
    # Closed absence follow-ups with their logged actions, from the closing.
    follow_ups_days: int = field(default=1095, metadata=from_var("SKOLEBRO_RETAIN_FOLLOW_UPS_DAYS", _days))
    # Web sessions, sign-in flows and refresh tokens, after they expired.
    sessions_days: int = field(default=30, metadata=from_var("SKOLEBRO_RETAIN_SESSIONS_DAYS", _days))
    # Idempotency keys (a retry's stored answer).
    idempotency_days: int = field(default=7, metadata=from_var("SKOLEBRO_RETAIN_IDEMPOTENCY_DAYS", _days))
    # Job claims (which replica did which unit of scheduled work).
    job_claims_days: int = field(default=60, metadata=from_var("SKOLEBRO_RETAIN_JOB_CLAIMS_DAYS", _days))
    # Rows per batch: each batch is its own short transaction.
    batch_size: int = field(default=5000, metadata=from_var("SKOLEBRO_RETENTION_BATCH", _days))

    # A pause between batches, so that on a busy machine requests get the CPU between them.
    pause_ms: int = field(default=25, metadata=from_var("SKOLEBRO_RETENTION_PAUSE_MS", _days))

    def check(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "pause_ms":
                if not 0 <= value <= 5000:
                    raise SettingsError("SKOLEBRO_RETENTION_PAUSE_MS must be 0-5000.")
            elif f.name == "batch_size":
                if not 100 <= value <= 50_000:
                    raise SettingsError("SKOLEBRO_RETENTION_BATCH must be 100-50000.")
            elif not 1 <= value <= 36_500:
                raise SettingsError(f"{f.metadata['env']} must be 1-36500 days.")
