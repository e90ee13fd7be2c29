"""Every use of firebase-admin's private API, in one place.

The FCM transport posts FCM v1 requests itself (aiohttp over HTTP/1.1: the
measured path, README "Configuring FCM"), but the request must be exactly the
one firebase-admin's own ``messaging.send`` would make, and firebase-admin
has no public call for that:

- ``messaging._MessagingService.encode_message``: a ``messaging.Message`` as
  FCM v1 JSON (field names, TTL as ``"86400s"``, APNs/Android/Web Push
  blocks); writing our own encoder would drift from the library's.
- ``_http_client.METRICS_HEADERS``: the ``x-goog-api-client`` header every
  firebase-admin request carries.

``tests/push/test_fcm_encoding.py`` checks these names and the JSON of a known
message, and fails naming the firebase-admin version when they change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from firebase_admin import messaging

# Dotted paths of the private names used below, for the test that guards them.
PRIVATE_NAMES = (
    "firebase_admin.messaging._MessagingService.encode_message",
    "firebase_admin._http_client.METRICS_HEADERS",
)


def encode(message: messaging.Message) -> dict[str, Any]:
    """The FCM v1 JSON of ``message`` (the value of the request's ``message`` field)."""
    from firebase_admin import messaging

    encoded: dict[str, Any] = messaging._MessagingService.encode_message(message)
    return encoded


def request_headers() -> dict[str, str]:
    """The headers firebase-admin's own FCM v1 requests carry, besides authorization."""
    import firebase_admin
    from firebase_admin import _http_client

    return {
        "X-GOOG-API-FORMAT-VERSION": "2",
        "X-FIREBASE-CLIENT": f"fire-admin-python/{firebase_admin.__version__}",
        **_http_client.METRICS_HEADERS,
    }
