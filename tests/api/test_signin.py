"""Sign-in: dev login, ID-token exchange against real local JWKS servers, refresh-token
families, logout, and every way an access token can be wrong."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import AsyncTestClient

from backend.app.factory import build_runtime, create_app
from backend.app.settings import Settings, SettingsError
from backend.lib.clock import Clock
from backend.signin.identity import DEV_PEPPER
from backend.signin.settings import IdentitySettings, parse_providers
from tests.support.demo import DEFAULT_NOW, person
from tests.support.problems import assert_problem
from tests.support.tokens import bearer, claims_for, token_alg_none, token_hs256, token_with_other_key

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
HANSEN = person("guardian.hansen")


async def exchange(client: Any, id_token: str, app_client: str = "app") -> Any:
    return await client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": EXCHANGE,
            "subject_token": id_token,
            "client": app_client,
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        },
    )


async def refresh(client: Any, token: str) -> Any:
    return await client.post(
        "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
    )


async def me_status(client: Any, access_token: str) -> int:
    return (await client.get("/api/v1/me", headers=bearer(access_token))).status_code


# --- dev login ---------------------------------------------------------------


async def test_dev_login_gives_a_working_pair(client):
    r = await client.post("/api/v1/auth/dev-login", json={"username": "guardian.hansen", "client": "web"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] <= 900
    me = await client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.json()["id"] == str(HANSEN)
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["client"] == "web"


async def test_dev_login_unknown_user_is_401(client):
    r = await client.post("/api/v1/auth/dev-login", json={"username": "nobody.here"})
    assert_problem(r, 401, "auth.unknown_user")


# --- token exchange ---------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "subject", "username"),
    [
        ("idporten", "01017012345", "guardian.hansen"),
        ("idporten", "03037012345", "guardian.readonly"),
        ("feide", "teacher.3a@vassenden.no", "teacher.3a"),
        ("feide", "pupil.kari@vassenden.no", "pupil.kari"),
    ],
)
async def test_exchange_signs_in_the_mapped_person(client, clock, request, provider, subject, username):
    idp = request.getfixturevalue(provider)
    r = await exchange(client, idp.id_token(subject, now=clock.now().timestamp()), "web")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["refresh_token"] and body["token_type"] == "Bearer"
    me = await client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.json()["id"] == str(person(username))


async def test_exchange_of_idporten_subject_through_feide_is_not_the_same_person(client, clock, feide):
    # Subjects are looked up per provider: an ID-porten number means nothing from Feide.
    r = await exchange(client, feide.id_token("01017012345", now=clock.now().timestamp()))
    assert_problem(r, 401, "auth.unknown_user")


async def test_exchange_subject_not_in_roster_is_refused(client, clock, idporten):
    r = await exchange(client, idporten.id_token("31129912345", now=clock.now().timestamp()))
    assert_problem(r, 401, "auth.unknown_user")


def _bad_tokens(idp: Any, now: float) -> dict[str, str]:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "wrong issuer": idp.id_token("01017012345", now=now, iss="https://evil.example/"),
        "wrong audience": idp.id_token("01017012345", now=now, aud="someone-else"),
        "expired": idp.id_token("01017012345", now=now - 600),
        "issued in the future": idp.id_token("01017012345", now=now + 3600),
        "unknown kid": idp.id_token("01017012345", now=now, kid="no-such-key"),
        "forged signature": idp.id_token("01017012345", now=now, key=stranger),
        "alg none": jwt.encode(
            {
                "iss": idp.issuer,
                "aud": idp.audience,
                "pid": "01017012345",
                "iat": int(now),
                "exp": int(now) + 60,
            },
            None,
            algorithm="none",
        ),
        "not a jwt": "definitely.not.a-token",
    }


@pytest.mark.parametrize(
    "case",
    [
        "wrong issuer",
        "wrong audience",
        "expired",
        "issued in the future",
        "unknown kid",
        "forged signature",
        "alg none",
        "not a jwt",
    ],
)
async def test_exchange_refuses_bad_id_tokens(client, clock, idporten, db, case):
    token = _bad_tokens(idporten, clock.now().timestamp())[case]
    r = await exchange(client, token)
    assert_problem(r, 400, "auth.invalid_grant")
    assert await db.fetchval("SELECT count(*) FROM refresh_tokens") == 0


async def test_exchange_needs_client(client, clock, idporten):
    r = await client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": EXCHANGE,
            "subject_token": idporten.id_token("01017012345", now=clock.now().timestamp()),
        },
    )
    assert_problem(r, 400, "auth.invalid_grant")


async def test_unknown_grant_type_is_refused(client):
    r = await client.post("/api/v1/auth/token", data={"grant_type": "password"})
    assert_problem(r, 400, "auth.invalid_grant")


# --- refresh-token families ----------------------------------------------


async def _pair(client: Any, clock: Any, idporten: Any) -> dict[str, Any]:
    r = await exchange(client, idporten.id_token("01017012345", now=clock.now().timestamp()))
    assert r.status_code == 200, r.text
    return r.json()


async def test_refresh_rotates_and_spends_the_old_token(client, clock, idporten):
    first = await _pair(client, clock, idporten)
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert await me_status(client, second["access_token"]) == 200
    third = (await refresh(client, second["refresh_token"])).json()
    assert third["refresh_token"] not in (first["refresh_token"], second["refresh_token"])


async def test_reuse_of_spent_refresh_token_revokes_the_family(client, clock, idporten, db):
    first = await _pair(client, clock, idporten)
    second = (await refresh(client, first["refresh_token"])).json()
    # The first token shows up again after the retry window: it leaked. Both it and
    # its successor die.
    clock.set(clock.now() + timedelta(seconds=31))
    assert_problem(await refresh(client, first["refresh_token"]), 400, "auth.invalid_grant")
    assert_problem(await refresh(client, second["refresh_token"]), 400, "auth.invalid_grant")
    assert await db.fetchval("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL") == 0


async def test_reuse_does_not_touch_other_sessions(client, clock, idporten):
    phone = await _pair(client, clock, idporten)
    laptop = await _pair(client, clock, idporten)
    await refresh(client, phone["refresh_token"])
    clock.set(clock.now() + timedelta(seconds=31))
    await refresh(client, phone["refresh_token"])  # reuse: the phone's family ends
    assert (await refresh(client, laptop["refresh_token"])).status_code == 200


async def test_refresh_family_has_an_absolute_lifetime(client, clock, idporten):
    pair = await _pair(client, clock, idporten)
    clock.set(DEFAULT_NOW + timedelta(days=29))
    r = await refresh(client, pair["refresh_token"])
    assert r.status_code == 200  # rotating does not extend the family
    clock.set(DEFAULT_NOW + timedelta(days=31))
    assert_problem(await refresh(client, r.json()["refresh_token"]), 400, "auth.invalid_grant")


async def test_unknown_refresh_token_is_refused(client):
    assert_problem(await refresh(client, "made-up"), 400, "auth.invalid_grant")


async def test_logout_revokes_the_family(client, clock, idporten):
    first = await _pair(client, clock, idporten)
    second = (await refresh(client, first["refresh_token"])).json()
    r = await client.post(
        "/api/v1/auth/logout",
        headers=bearer(second["access_token"]),
        json={"refresh_token": second["refresh_token"]},
    )
    assert r.status_code == 204
    assert_problem(await refresh(client, second["refresh_token"]), 400, "auth.invalid_grant")


async def test_logout_cannot_revoke_someone_elses_family(client, clock, idporten, tokens):
    victim = await _pair(client, clock, idporten)
    r = await client.post(
        "/api/v1/auth/logout",
        headers=await tokens.headers("guardian.nilsen"),
        json={"refresh_token": victim["refresh_token"]},
    )
    assert r.status_code == 204
    assert (await refresh(client, victim["refresh_token"])).status_code == 200


async def test_logout_needs_a_token(client):
    assert_problem(await client.post("/api/v1/auth/logout", json={}), 401)


# --- access tokens --------------------------------------------------------


async def test_access_token_claims(client, clock, idporten):
    pair = await _pair(client, clock, idporten)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    header = jwt.get_unverified_header(pair["access_token"])
    assert header["alg"] == "EdDSA"
    assert {"iss", "aud", "exp", "iat", "sub", "client"} <= claims.keys()
    assert claims["sub"] == str(HANSEN) and claims["client"] == "app"
    assert 0 < claims["exp"] - claims["iat"] <= 900
    assert claims["iat"] == int(clock.now().timestamp()) or abs(claims["iat"] - clock.now().timestamp()) < 5


async def test_access_token_expires_after_15_minutes(client, clock, tokens):
    h = await tokens.headers("guardian.hansen")
    clock.set(DEFAULT_NOW + timedelta(minutes=14))
    assert (await client.get("/api/v1/me", headers=h)).status_code == 200
    clock.set(DEFAULT_NOW + timedelta(minutes=16))
    assert_problem(await client.get("/api/v1/me", headers=h), 401, "auth.invalid_token")


def _public_pem(signing_key: str) -> bytes:
    key = serialization.load_pem_private_key(Path(signing_key).read_bytes(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _forged(case: str, now: float, signing_key: str) -> str:
    good = claims_for(HANSEN, now)
    if case == "other key":
        return token_with_other_key(good)
    if case == "alg none":
        return token_alg_none(good)
    if case == "hs256 with public key":
        return token_hs256(good, _public_pem(signing_key))
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["other key", "alg none", "hs256 with public key"])
async def test_forged_access_tokens_are_401(client, clock, signing_key, case):
    token = _forged(case, clock.now().timestamp(), signing_key)
    assert_problem(await client.get("/api/v1/me", headers=bearer(token)), 401, "auth.invalid_token")


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "someone-else"},
        {"iss": "evil"},
        {"sub": None},
        {"client": None},
        {"client": "robot"},
        {"exp": None},
        {"iat": None},
        {"aud": None},
        {"iss": None},
        {"sub": "not-a-uuid"},
    ],
)
async def test_access_tokens_with_wrong_or_missing_claims_are_401(client, clock, runtime, overrides):
    # Signed with the service's own key: only the claims are wrong.
    claims = claims_for(HANSEN, clock.now().timestamp(), **overrides)
    token = jwt.encode(claims, runtime.tokens._key, algorithm="EdDSA")
    assert_problem(await client.get("/api/v1/me", headers=bearer(token)), 401, "auth.invalid_token")


async def test_own_key_with_right_claims_is_accepted(client, clock, runtime):
    # The control for the test above: the same recipe with nothing wrong works.
    token = jwt.encode(claims_for(HANSEN, clock.now().timestamp()), runtime.tokens._key, algorithm="EdDSA")
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "Token xyz"])
async def test_missing_or_odd_authorization_header_is_401(client, header):
    r = await client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert_problem(r, 401)


# --- production ----------------------------------------------------------


def test_production_refuses_to_start_without_keys_and_providers():
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"SKOLEBRO_ENV": "production"})
    text = str(err.value)
    assert "SKOLEBRO_SIGNING_KEY" in text and "SKOLEBRO_IDENTITY_PROVIDERS" in text


def test_production_with_id_porten_needs_the_identity_pepper(signing_key, idporten):
    with pytest.raises(SettingsError, match="SKOLEBRO_IDENTITY_PEPPER"):
        Settings.from_env(
            {
                "SKOLEBRO_ENV": "production",
                "SKOLEBRO_SIGNING_KEY": signing_key,
                "SKOLEBRO_IDENTITY_PROVIDERS": json.dumps([idporten.settings_entry()]),
                "DATABASE_URL": "postgresql://db/skolebro",
            }
        )


def test_production_refuses_a_moved_clock(signing_key, idporten):
    with pytest.raises(SettingsError, match="SKOLEBRO_NOW"):
        Settings.from_env(
            {
                "SKOLEBRO_ENV": "production",
                "SKOLEBRO_SIGNING_KEY": signing_key,
                "SKOLEBRO_IDENTITY_PROVIDERS": json.dumps([idporten.settings_entry()]),
                "DATABASE_URL": "postgresql://db/skolebro",
                "SKOLEBRO_NOW": "2026-11-23T07:00:00Z",
            }
        )


def test_production_without_signing_key_file_refuses(tmp_path, idporten):
    settings = Settings(
        env="production",
        data_dir=tmp_path,
        identity=IdentitySettings(providers=parse_providers(json.dumps([idporten.settings_entry()]))),
    )
    with pytest.raises(SettingsError):
        build_runtime(settings, dsn="postgresql://unused/")
    # and nothing was generated behind the operator's back
    assert not (tmp_path / "signing-key.pem").exists()


async def test_production_has_no_dev_routes(signing_key, idporten, feide, db_dsn, tmp_path):
    settings = Settings.from_env(
        {
            "SKOLEBRO_ENV": "production",
            "SKOLEBRO_SIGNING_KEY": signing_key,
            "SKOLEBRO_IDENTITY_PROVIDERS": json.dumps([idporten.settings_entry(), feide.settings_entry()]),
            "DATABASE_URL": db_dsn,
            "SKOLEBRO_DATA_DIR": str(tmp_path),
            # the key the test database's guardians were hashed with
            "SKOLEBRO_IDENTITY_PEPPER": DEV_PEPPER,
        }
    )
    rt = build_runtime(settings)
    rt.clock = Clock(DEFAULT_NOW)  # only so the ID token below is fresh
    async with AsyncTestClient(app=create_app(runtime=rt), raise_server_exceptions=False) as c:
        r = await c.post("/api/v1/auth/dev-login", json={"username": "guardian.hansen"})
        assert_problem(r, 404)
        r = await c.post("/api/v1/dev/clock", json={"now": "2026-11-23T07:00:00Z"})
        assert_problem(r, 404)
        spec = (await c.get("/schema/openapi.json")).json()
        assert not [p for p in spec["paths"] if p.startswith(("/api/v1/dev/", "/api/v1/auth/dev-"))]
        # the real sign-in still works
        r = await exchange(c, idporten.id_token("01017012345", now=rt.clock.now().timestamp()))
        assert r.status_code == 200, r.text


# --- logout with a device, and the dev clock ---------------------------------------


async def _device(db: Any, owner: str, token: str) -> Any:
    import uuid as _uuid

    device_id = _uuid.uuid4()
    await db.execute(
        "INSERT INTO devices (id, person_id, token, platform, created_at, last_seen_at)"
        " VALUES ($1, $2, $3, 'ios', now(), now())",
        device_id,
        person(owner),
        token,
    )
    return device_id


async def test_logout_unregisters_own_device_only(client, tokens, db):
    mine = await _device(db, "guardian.hansen", "fcm-mine")
    theirs = await _device(db, "guardian.nilsen", "fcm-theirs")
    h = await tokens.headers("guardian.hansen")
    for device in (mine, theirs):
        r = await client.post("/api/v1/auth/logout", headers=h, json={"device_id": str(device)})
        assert r.status_code == 204
    assert [r["token"] for r in await db.fetch("SELECT token FROM devices")] == ["fcm-theirs"]


async def test_logout_with_bad_device_id_is_422(client, tokens):
    r = await client.post(
        "/api/v1/auth/logout", headers=await tokens.headers("leader"), json={"device_id": "phone"}
    )
    body = assert_problem(r, 422)
    assert body["errors"][0]["field"] == "device_id"


async def test_dev_clock_moves_the_service_clock(client, tokens, clock):
    h = await tokens.headers("leader")
    r = await client.post("/api/v1/dev/clock", headers=h, json={"now": "2026-11-23T07:05:00+01:00"})
    assert r.status_code == 200
    assert abs(clock.now().timestamp() - (DEFAULT_NOW.timestamp() + 300)) < 5
    assert_problem(
        await client.post("/api/v1/dev/clock", headers=h, json={"now": "2026-11-23T07:05:00"}), 422
    )
    assert_problem(await client.post("/api/v1/dev/clock", json={"now": "2026-11-23T07:05Z"}), 401)


async def test_id_token_with_non_numeric_expiry_is_refused(client, clock, idporten):
    token = idporten.id_token("01017012345", now=clock.now().timestamp(), exp="tomorrow")
    assert_problem(await exchange(client, token), 400, "auth.invalid_grant")


async def test_unreachable_provider_is_503_not_a_refusal(runtime, clock, idporten):
    import socket

    from backend.signin.idp import IdentityVerifier
    from backend.signin.settings import IdentityProvider

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    runtime.identity = IdentityVerifier(
        (
            IdentityProvider(
                name="idporten",
                issuer=idporten.issuer,
                audience=idporten.audience,
                jwks_url=f"http://127.0.0.1:{port}/jwks",
                subject_claim="pid",
            ),
        )
    )
    async with AsyncTestClient(app=create_app(runtime=runtime), raise_server_exceptions=False) as c:
        r = await exchange(c, idporten.id_token("01017012345", now=clock.now().timestamp()))
    assert_problem(r, 503, "auth.provider_unavailable")


async def test_refresh_keeps_the_client_of_the_sign_in(client, clock, feide):
    r = await exchange(client, feide.id_token("teacher.3a@vassenden.no", now=clock.now().timestamp()), "web")
    rotated = (await refresh(client, r.json()["refresh_token"])).json()
    claims = jwt.decode(rotated["access_token"], options={"verify_signature": False})
    assert claims["client"] == "web" and claims["sub"] == str(person("teacher.3a"))


def test_dev_generates_its_signing_key_once(tmp_path):
    from backend.lib.clock import Clock as _Clock

    settings = Settings(env="dev", data_dir=tmp_path / "data")
    first = build_runtime(settings, dsn="postgresql://unused/")
    key_file = tmp_path / "data" / "signing-key.pem"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    pem = key_file.read_bytes()
    second = build_runtime(settings, dsn="postgresql://unused/")  # a restart
    assert key_file.read_bytes() == pem
    now = _Clock().now()
    token = first.tokens.issue(HANSEN, "app", now)
    assert second.tokens.verify(token, now).person_id == HANSEN


async def test_logout_with_an_expired_access_token_still_revokes_by_refresh_token(client, clock, idporten):
    # api.md: /api/v1/auth/* goes without a bearer token; an app signing out after
    # its access token expired still ends the sign-in.
    pair = await _pair(client, clock, idporten)
    clock.set(clock.now() + timedelta(minutes=20))
    r = await client.post(
        "/api/v1/auth/logout",
        headers=bearer(pair["access_token"]),
        json={"refresh_token": pair["refresh_token"]},
    )
    assert r.status_code == 204, r.text
    assert_problem(await refresh(client, pair["refresh_token"]), 400, "auth.invalid_grant")
    r = await client.post("/api/v1/auth/logout", json={"refresh_token": "made-up"})
    assert_problem(r, 401)
