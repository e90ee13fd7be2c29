"""Every problem code as a symbol, so a mistyped code fails type checking.

One member per code with texts in the problems catalogs (backend/problems/texts.py), named
mechanically after it ("leave.past_day" is ``Code.LEAVE_PAST_DAY``) and grouped by
domain in the same order. A member's value is the code clients see in a problem
document's ``code`` and ``type``; tests/unit/test_architecture.py checks that every member
has its texts in nb, nn and en, and that the catalog holds no code without a member.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """A problem code (RFC 9457 ``code``) the service answers with."""

    # general
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    INTERNAL = "internal"
    UNAVAILABLE = "unavailable"

    # request
    REQUEST_UNSUPPORTED_MEDIA_TYPE = "request.unsupported_media_type"
    REQUEST_MALFORMED = "request.malformed"
    REQUEST_TOO_LARGE = "request.too_large"
    REQUEST_INVALID = "request.invalid"

    # auth
    AUTH_MISSING_TOKEN = "auth.missing_token"
    AUTH_INVALID_TOKEN = "auth.invalid_token"
    AUTH_INVALID_GRANT = "auth.invalid_grant"
    AUTH_PROVIDER_UNAVAILABLE = "auth.provider_unavailable"
    AUTH_UNKNOWN_USER = "auth.unknown_user"

    # absence
    ABSENCE_PAST_DAY = "absence.past_day"
    ABSENCE_TOO_FAR_AHEAD = "absence.too_far_ahead"
    ABSENCE_SPAN_TOO_LONG = "absence.span_too_long"
    ABSENCE_NO_SCHOOL_DAY = "absence.no_school_day"
    ABSENCE_LAST_BEFORE_FIRST = "absence.last_before_first"
    ABSENCE_TIMES_TOGETHER = "absence.times_together"
    ABSENCE_TIMES_SINGLE_DAY = "absence.times_single_day"
    ABSENCE_TIMES_ORDER = "absence.times_order"
    ABSENCE_TIMES_REQUIRED = "absence.times_required"
    ABSENCE_OVERLAP = "absence.overlap"
    ABSENCE_WITHDRAW_TOO_LATE = "absence.withdraw_too_late"
    ABSENCE_NOT_SUBMITTER = "absence.not_submitter"
    ACCESS_FORMER_PUPIL = "access.former_pupil"
    ABSENCE_READ_ONLY = "absence.read_only"

    # assessment
    ASSESSMENT_NOT_GROUP_TEACHER = "assessment.not_group_teacher"
    ASSESSMENT_PUPIL_NOT_IN_GROUP = "assessment.pupil_not_in_group"
    ASSESSMENT_GRADE_NOT_ALLOWED = "assessment.grade_not_allowed"
    ASSESSMENT_COMMENT_REQUIRED = "assessment.comment_required"
    ASSESSMENT_GRADE_REQUIRED = "assessment.grade_required"
    ASSESSMENT_PUBLISH_AT_OFFSET = "assessment.publish_at_offset"
    ASSESSMENT_PUBLISH_TOO_FAR = "assessment.publish_too_far"

    # attendance
    ATTENDANCE_NOT_SCHOOL_DAY = "attendance.not_school_day"
    ATTENDANCE_FUTURE_DAY = "attendance.future_day"
    ATTENDANCE_NOT_IN_CLASS = "attendance.not_in_class"
    ATTENDANCE_DUPLICATE_PUPIL = "attendance.duplicate_pupil"

    # devices
    DEVICES_TOKEN_BUSY = "devices.token_busy"

    # idempotency
    IDEMPOTENCY_KEY_REUSED = "idempotency.key_reused"
    IDEMPOTENCY_KEY_EMPTY = "idempotency.key_empty"
    IDEMPOTENCY_KEY_TOO_LONG = "idempotency.key_too_long"

    # jobs
    JOBS_UNKNOWN = "jobs.unknown"

    # leave
    LEAVE_WEB_ONLY = "leave.web_only"
    LEAVE_READ_ONLY = "leave.read_only"
    LEAVE_NOT_APPLICANT = "leave.not_applicant"
    LEAVE_REASON_BLANK = "leave.reason_blank"
    LEAVE_PAST_DAY = "leave.past_day"
    LEAVE_LAST_BEFORE_FIRST = "leave.last_before_first"
    LEAVE_TOO_FAR_AHEAD = "leave.too_far_ahead"
    LEAVE_SPAN_TOO_LONG = "leave.span_too_long"
    LEAVE_NO_SCHOOL_DAY = "leave.no_school_day"
    LEAVE_OVERLAP = "leave.overlap"
    LEAVE_NOT_DECIDER = "leave.not_decider"
    LEAVE_NEEDS_LEADER = "leave.needs_leader"
    LEAVE_ALREADY_DECIDED = "leave.already_decided"

    # messaging
    MESSAGING_PUPIL_UNDER_18 = "messaging.pupil_under_18"
    MESSAGING_RECIPIENT_NOT_ALLOWED = "messaging.recipient_not_allowed"
    MESSAGING_NO_RECIPIENTS = "messaging.no_recipients"
    MESSAGING_STAFF_ONLY = "messaging.staff_only"
    MESSAGING_OFFICE_HOURS_ORDER = "messaging.office_hours_order"

    # missing
    MISSING_NOT_A_GUARDIAN = "missing.not_a_guardian"
    MISSING_ALREADY_RESOLVED = "missing.already_resolved"
    MISSING_OUTCOME_NOT_ALLOWED = "missing.outcome_not_allowed"
    MISSING_READ_ONLY = "missing.read_only"

    # notifications
    NOTIFICATIONS_QUIET_HOURS_EMPTY = "notifications.quiet_hours_empty"

    # school_year
    SCHOOL_YEAR_INVALID = "school_year.invalid"

    # schools
    SCHOOLS_CLOSED_DAY_FORM = "schools.closed_day_form"
    SCHOOLS_CLOSED_DAY_RANGE = "schools.closed_day_range"
    SCHOOLS_CLOSED_DAY_EXISTS = "schools.closed_day_exists"

    # settings
    SETTINGS_UNKNOWN_TIMEZONE = "settings.unknown_timezone"
    SETTINGS_TIMES_OUT_OF_ORDER = "settings.times_out_of_order"
    SETTINGS_LADDER_OUT_OF_ORDER = "settings.ladder_out_of_order"

    # web
    WEB_CSRF = "web.csrf"
    WEB_LOGIN_FAILED = "web.login_failed"

    # guardians
    GUARDIANS_LEADERS_ONLY = "guardians.leaders_only"
    GUARDIANS_NOT_YOURS = "guardians.not_yours"

    # dev
    DEV_STAFF_ONLY = "dev.staff_only"
    DEV_CLOCK_RANGE = "dev.clock_range"

    # sms
    SMS_BAD_SIGNATURE = "sms.bad_signature"

    # web push (devices with platform "webpush")
    DEVICES_TOKEN_REQUIRED = "devices.token_required"
    DEVICES_SUBSCRIPTION_REQUIRED = "devices.subscription_required"
    DEVICES_ENDPOINT_INVALID = "devices.endpoint_invalid"
    DEVICES_KEYS_INVALID = "devices.keys_invalid"
    WEBPUSH_UNAVAILABLE = "webpush.unavailable"

    # the school's calendar in the portal
    SCHOOLS_CALENDAR_UNREADABLE = "schools.calendar_unreadable"

    # absence warnings and documented absence (upper secondary)
    ABSENCE_WARNING_NOT_SENDER = "absence_warning.not_sender"
    ABSENCE_WARNING_ALREADY_SENT = "absence_warning.already_sent"
    ABSENCE_DOCUMENTATION_STAFF_ONLY = "absence_documentation.staff_only"
    ABSENCE_DOCUMENTATION_NOT_RECORDER = "absence_documentation.not_recorder"
    ABSENCE_DOCUMENTATION_NOT_UPPER_SECONDARY = "absence_documentation.not_upper_secondary"
    ABSENCE_DOCUMENTATION_SPAN_TOO_LONG = "absence_documentation.span_too_long"
    ABSENCE_DOCUMENTATION_RELIGIOUS_DAYS = "absence_documentation.religious_days"
    SETTINGS_ABSENCE_LEVELS = "settings.absence_levels"

    # follow_up
    FOLLOW_UP_NO_ACTION = "follow_up.no_action"
    FOLLOW_UP_CLOSED = "follow_up.closed"
    FOLLOW_UP_ACTION_DAY = "follow_up.action_day"

    # settings (follow-up rules)
    SETTINGS_FOLLOW_UP_RULES = "settings.follow_up_rules"

    # owner statistics
    STATISTICS_MONTH_OUTSIDE_YEAR = "statistics.month_outside_year"
    # legal holds and the person's own export
    LEGAL_HOLD_LEADERS_ONLY = "legal_hold.leaders_only"
    EXPORT_TOO_SOON = "export.too_soon"
