"""Push devices, push preferences and the in-app inbox (api.md: Me)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec

from schemas.common import Locale, TimeOfDay
from schemas.pages import Page


class NotificationKind(StrEnum):
    """Every ``kind`` of inbox item and push (api.md: Me); clients switch on it."""

    missing_pupil = "missing_pupil"
    missing_pupil_escalation = "missing_pupil_escalation"
    missing_pupil_resolved = "missing_pupil_resolved"
    missing_pupil_summary = "missing_pupil_summary"
    call_guardians = "call_guardians"
    absence_check_reminder = "absence_check_reminder"
    late_absence_report = "late_absence_report"
    still_sick = "still_sick"
    absence_warning = "absence_warning"
    message = "message"
    assessment_published = "assessment_published"
    leave_decision = "leave_decision"
    leave_request = "leave_request"
    test_alert = "test_alert"
    follow_up_opened = "follow_up_opened"


class Platform(StrEnum):
    ios = "ios"
    android = "android"
    web = "web"
    webpush = "webpush"  # a browser's Web Push subscription (no FCM token)


PushToken = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=4096,
        pattern=r"^\S+$",
        description="the FCM registration token of the app installation",
    ),
]
AppVersion = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


Base64Url = Annotated[str, msgspec.Meta(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9_-]+=*$")]


class WebPushKeys(msgspec.Struct, forbid_unknown_fields=True):
    p256dh: Annotated[Base64Url, msgspec.Meta(description="the browser's P-256 public key (base64url)")]
    auth: Annotated[Base64Url, msgspec.Meta(description="the 16-byte authentication secret (base64url)")]


class WebPushSubscription(msgspec.Struct, forbid_unknown_fields=True):
    """A browser's ``PushSubscription.toJSON()``."""

    endpoint: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=2048,
            description="the push service's https URL for this browser",
        ),
    ]
    keys: WebPushKeys
    expiration_time: float | None = msgspec.field(default=None, name="expirationTime")


class DeviceRegister(msgspec.Struct, forbid_unknown_fields=True):
    """An app's FCM ``token``, or (``platform: "webpush"``) a browser's ``subscription``."""

    platform: Platform
    token: PushToken | None = None
    subscription: WebPushSubscription | None = None
    locale: Locale | None = None
    app_version: AppVersion | None = None


class WebPushPublicKey(msgspec.Struct):
    public_key: Annotated[
        str, msgspec.Meta(description="the VAPID public key, base64url: applicationServerKey")
    ]


class Device(msgspec.Struct):
    id: uuid.UUID
    token: str
    platform: Platform
    locale: str | None
    app_version: str | None
    created_at: datetime
    last_seen_at: datetime


class PushSwitches(msgspec.Struct, forbid_unknown_fields=True):
    """Which kinds are pushed; the inbox gets everything regardless."""

    messages: bool
    grades: bool
    absence: bool
    reminders: bool


class QuietHoursWire(msgspec.Struct, forbid_unknown_fields=True):
    """Norwegian wall-clock time; may wrap midnight (22:00–07:00)."""

    start: TimeOfDay
    end: TimeOfDay


class NotificationPreferences(msgspec.Struct, forbid_unknown_fields=True):
    push: PushSwitches
    quiet_hours: QuietHoursWire | None
    locale: Locale


class Notification(msgspec.Struct):
    id: uuid.UUID
    kind: NotificationKind
    title: str
    body: str
    data: dict[str, Any]
    urgent: bool
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Page[Notification]):
    items: list[Notification]
