"""The school's rules for worrying absence as a settings group (api.md: Absence follow-up).

Each rule has its range in the schema (schemas/follow_ups.py); here is what ties
two of them together, so a school cannot save a rule that can never be met.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from backend.problems.codes import Code
from backend.problems.errors import Invalid
from schemas.follow_ups import FollowUpRules
from schemas.problem import FieldError


def school_rules(raw: Any) -> FollowUpRules:
    """The school's stored rules (jsonb), defaults for anything missing."""
    value = json.loads(raw) if isinstance(raw, str) else raw
    return msgspec.convert(value or {}, FollowUpRules)


def check_rules(rules: FollowUpRules) -> None:
    """422 ``settings.follow_up_rules`` for rules whose window cannot hold them."""
    errors = []
    # The same weekday n times needs n weeks.
    if rules.same_weekday_window_days < 7 * (rules.same_weekday - 1) + 1:
        errors.append(
            FieldError(
                field="follow_up.same_weekday_window_days",
                message=f"at least {7 * (rules.same_weekday - 1) + 1} days for {rules.same_weekday} times",
            )
        )
    # n separate absences need at least 2n - 1 school days (a day at school between each).
    if rules.window_days < 2 * rules.spells - 1:
        errors.append(
            FieldError(field="follow_up.window_days", message=f"at least {2 * rules.spells - 1} days")
        )
    if errors:
        raise Invalid(Code.SETTINGS_FOLLOW_UP_RULES, errors=errors)
