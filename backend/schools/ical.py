"""All-day events of an iCalendar file (RFC 5545), as municipalities publish school
calendars (skolerute): each becomes the weekdays it covers, with its summary as label.

Only what a school calendar needs is read: ``VEVENT`` with ``DTSTART;VALUE=DATE``
and an exclusive ``DTEND`` (or ``DURATION:PnD``; neither means one day). Timed
events and repeating ones are skipped and counted, not guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta


class CalendarError(Exception):
    """The file is not an iCalendar calendar; the message names the fix."""


@dataclass
class CalendarDays:
    days: list[tuple[date, str]] = field(default_factory=list)
    events: int = 0
    skipped_timed: int = 0
    skipped_repeating: int = 0


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value).strip()


def _day(value: str) -> date | None:
    return date(int(value[:4]), int(value[4:6]), int(value[6:8])) if re.fullmatch(r"\d{8}", value) else None


def read_calendar(text: str, default_label: str = "Fridag") -> CalendarDays:
    lines = _unfold(text)
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        raise CalendarError(
            "the file is not an iCalendar file (it must start with BEGIN:VCALENDAR); export .ics"
        )
    out = CalendarDays()
    event: dict[str, tuple[str, str]] | None = None
    for line in lines:
        name_params, _, value = line.partition(":")
        name, _, params = name_params.partition(";")
        name = name.upper()
        if name == "BEGIN" and value.upper() == "VEVENT":
            event = {}
        elif name == "END" and value.upper() == "VEVENT" and event is not None:
            _add(out, event, default_label)
            event = None
        elif event is not None:
            event[name] = (params.upper(), value.strip())
    return out


def _add(out: CalendarDays, event: dict[str, tuple[str, str]], default_label: str) -> None:
    out.events += 1
    if "RRULE" in event:
        out.skipped_repeating += 1
        return
    _params, start_text = event.get("DTSTART", ("", ""))
    first = _day(start_text)
    if first is None:  # a date-time: a meeting, not a closed day
        out.skipped_timed += 1
        return
    last = first
    if "DTEND" in event and (end := _day(event["DTEND"][1])) is not None:
        last = max(first, end - timedelta(days=1))  # DTEND of an all-day event is exclusive
    elif "DURATION" in event and (m := re.fullmatch(r"P(\d+)D", event["DURATION"][1])):
        last = first + timedelta(days=max(int(m.group(1)), 1) - 1)
    label = _unescape(event.get("SUMMARY", ("", ""))[1])[:200] or default_label
    day = first
    while day <= last:
        if day.weekday() < 5:
            out.days.append((day, label))
        day += timedelta(days=1)
