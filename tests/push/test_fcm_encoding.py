"""The FCM transport's reliance on firebase-admin's private API (notifications/fcm_encoding.py).

When firebase-admin renames or changes what these tests touch, they fail
naming the installed version and the private name, before any push goes out
wrong: fix notifications/fcm_encoding.py (or pin firebase-admin) then.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import firebase_admin
from firebase_admin import messaging

from notifications import fcm_encoding

VERSION = f"firebase-admin {firebase_admin.__version__}"


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            found = getattr(found, attr)
        return found
    raise ImportError(dotted)


def test_the_private_names_the_fcm_transport_uses_still_exist():
    for name in fcm_encoding.PRIVATE_NAMES:
        try:
            _resolve(name)
        except (ImportError, AttributeError) as exc:
            raise AssertionError(
                f"{VERSION} no longer has {name} ({exc}), which notifications/fcm_encoding.py "
                "uses to build FCM requests: adapt that module to this version"
            ) from None


def test_a_known_message_encodes_to_the_fcm_v1_json():
    message = messaging.Message(
        token="device-token",
        notification=messaging.Notification(title="Ola is missing", body="Answer in the app"),
        data={"kind": "missing_pupil", "case_id": "7"},
        android=messaging.AndroidConfig(
            priority="high",
            ttl=timedelta(hours=1),
            collapse_key="case-7",
            notification=messaging.AndroidNotification(channel_id="urgent", tag="case-7"),
        ),
        apns=messaging.APNSConfig(
            headers={"apns-priority": "10", "apns-push-type": "alert"},
            payload=messaging.APNSPayload(
                aps=messaging.Aps(sound="default", custom_data={"interruption-level": "time-sensitive"})
            ),
        ),
        webpush=messaging.WebpushConfig(headers={"Urgency": "high", "TTL": "3600"}),
    )
    expected = {
        "token": "device-token",
        "notification": {"title": "Ola is missing", "body": "Answer in the app"},
        "data": {"kind": "missing_pupil", "case_id": "7"},
        "android": {
            "priority": "high",
            "ttl": "3600s",
            "collapse_key": "case-7",
            "notification": {"channel_id": "urgent", "tag": "case-7"},
        },
        "apns": {
            "headers": {"apns-priority": "10", "apns-push-type": "alert"},
            "payload": {"aps": {"sound": "default", "interruption-level": "time-sensitive"}},
        },
        "webpush": {"headers": {"Urgency": "high", "TTL": "3600"}},
    }
    got = fcm_encoding.encode(message)
    assert got == expected, (
        f"{VERSION} encodes messaging.Message differently through "
        f"messaging._MessagingService.encode_message (notifications/fcm_encoding.py): {got!r}"
    )


def test_requests_carry_firebase_admins_own_headers():
    headers = fcm_encoding.request_headers()
    assert headers["X-GOOG-API-FORMAT-VERSION"] == "2", headers
    assert headers["X-FIREBASE-CLIENT"] == f"fire-admin-python/{firebase_admin.__version__}", headers
    assert f"fire-admin/{firebase_admin.__version__}" in headers.get("x-goog-api-client", ""), (
        f"{VERSION}: _http_client.METRICS_HEADERS no longer carries x-goog-api-client "
        f"(notifications/fcm_encoding.py): {headers!r}"
    )
