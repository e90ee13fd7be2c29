"""The VAPID key and subscription checks, without a database."""

from __future__ import annotations

import dataclasses
import subprocess

import pytest

from backend.app.factory import web_push_config
from backend.app.settings import Settings, SettingsError
from notifications.settings import PushSettings
from notifications.webpush import (
    b64url,
    endpoint_allowed,
    generate_vapid_key,
    keys_valid,
    load_vapid_key,
    parse_vapid_key,
)


def test_dev_generates_one_key_and_keeps_it(tmp_path):
    first = load_vapid_key(None, production=False, data_dir=tmp_path)
    again = load_vapid_key(None, production=False, data_dir=tmp_path)
    assert first is not None and again is not None
    assert first.public_key == again.public_key
    assert (tmp_path / "vapid-key.pem").stat().st_mode & 0o077 == 0


def test_production_never_makes_one_up(tmp_path):
    assert load_vapid_key(None, production=True, data_dir=tmp_path) is None
    assert not (tmp_path / "vapid-key.pem").exists()


def test_the_key_is_read_as_pem_path_raw_or_der(tmp_path):
    key = generate_vapid_key()
    path = tmp_path / "vapid.pem"
    path.write_bytes(key.pem())
    raw = b64url(key.private.private_numbers().private_value.to_bytes(32, "big"))
    from cryptography.hazmat.primitives import serialization

    der = b64url(
        key.private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    for given in (key.pem().decode(), str(path), raw, der):
        assert parse_vapid_key(given).public_key == key.public_key


def test_the_readme_openssl_recipe_makes_a_usable_key(tmp_path):
    path = tmp_path / "vapid.pem"
    # The README's pipeline, one command at a time.
    curve = subprocess.run(
        ["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout"], check=True, capture_output=True
    ).stdout
    subprocess.run(["openssl", "pkcs8", "-topk8", "-nocrypt", "-out", str(path)], input=curve, check=True)
    assert len(parse_vapid_key(str(path)).public_key) == 87


BROKEN_PEM = "-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----"


@pytest.mark.parametrize("bad", ["not a key", "AAAA", BROKEN_PEM])
def test_an_unusable_key_stops_the_service_with_a_clear_message(tmp_path, bad):
    settings = Settings(env="test", data_dir=tmp_path, push=PushSettings(vapid_private_key=bad))
    with pytest.raises(SettingsError, match="SKOLEBRO_VAPID_PRIVATE_KEY"):
        web_push_config(settings)


def test_plain_http_only_to_127_0_0_1_and_never_in_production(tmp_path):
    dev = web_push_config(Settings(env="test", data_dir=tmp_path))
    production = web_push_config(
        dataclasses.replace(Settings(env="test", data_dir=tmp_path), env="production")
    )
    assert dev.allow_loopback_http and not production.allow_loopback_http
    assert production.key is None
    assert endpoint_allowed("http://127.0.0.1:8080/push/1", allow_loopback_http=True)
    assert not endpoint_allowed("http://127.0.0.1:8080/push/1", allow_loopback_http=False)
    assert not endpoint_allowed("http://localhost:8080/push/1", allow_loopback_http=True)
    assert endpoint_allowed("https://fcm.googleapis.com/fcm/send/abc", allow_loopback_http=False)
    assert not endpoint_allowed("https://fcm.googleapis.com:notaport/x", allow_loopback_http=False)


def test_subscription_keys():
    from tests.fakes.web_push_service import FakeWebPushService

    sub = FakeWebPushService().subscribe().as_json()["keys"]
    assert keys_valid(sub["p256dh"], sub["auth"])
    assert not keys_valid(sub["auth"], sub["p256dh"])
    assert not keys_valid(sub["p256dh"], sub["auth"] + "AA")


def test_the_vapid_subject_is_checked(tmp_path):
    with pytest.raises(SettingsError, match="SKOLEBRO_VAPID_SUBJECT"):
        Settings(env="test", data_dir=tmp_path, push=PushSettings(vapid_subject="drift")).check()
    Settings(env="test", data_dir=tmp_path, push=PushSettings(vapid_subject="https://skolebro.no")).check()
    production = Settings.from_env(
        {
            "SKOLEBRO_ENV": "production",
            "SKOLEBRO_VAPID_PRIVATE_KEY": generate_vapid_key().pem().decode(),
        },
        check=False,
    )
    assert any("SKOLEBRO_VAPID_SUBJECT" in m for m in production._missing_in_production())
