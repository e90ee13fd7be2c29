"""Pulling the roster from a OneRoster 1.2 REST provider (Visma Flyt Skole, FINT).

OAuth 2.0 client credentials (client_secret_basic) for a bearer token; the
rostering collections paged with ``limit``/``offset`` until ``X-Total-Count``
rows are in; after the first full run only what changed, with
``filter=dateLastModified>'…'``. 429 and 5xx answers are retried with
backoff (``Retry-After`` honoured). Everything is fetched before anything is
written, and the import is one transaction with the new watermark: a run that
fails half-way changes nothing and the next run starts from the same place.

The JSON objects are flattened into the CSV columns, so the rules of
``backend.roster.oneroster.build`` apply unchanged: the same data give the same
database however they arrive.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import httpx

from backend.roster.importer import ImportSummary, import_roster
from backend.roster.oneroster.build import build_roster
from backend.roster.oneroster.model import KINDS, Problem, ReadOptions, Roster
from backend.roster.settings import RosterSettings

log = logging.getLogger("skolebro.roster.sync")

COLLECTIONS = ("orgs", "academicSessions", "classes", "courses", "users", "enrollments", "demographics")
# Collections a provider may keep out of our scope: without them the run goes on.
OPTIONAL = {"courses", "demographics"}


class SyncError(Exception):
    """The provider could not be read; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Provider:
    url: str
    token_url: str
    client_id: str
    client_secret: str
    scope: str | None = None
    page_size: int = 1000
    attempts: int = 6
    backoff_seconds: float = 0.5
    timeout_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: RosterSettings, **overrides: Any) -> Provider:
        if not settings.oneroster_configured:
            raise SyncError(
                "no OneRoster provider is configured: set SKOLEBRO_ONEROSTER_URL, "
                "SKOLEBRO_ONEROSTER_TOKEN_URL, SKOLEBRO_ONEROSTER_CLIENT_ID and _CLIENT_SECRET"
            )
        return cls(
            url=str(settings.oneroster_url),
            token_url=str(settings.oneroster_token_url),
            client_id=str(settings.oneroster_client_id),
            client_secret=settings.oneroster_client_secret or "",
            scope=settings.oneroster_scope,
            **overrides,
        )


class Client:
    def __init__(self, provider: Provider, http: httpx.AsyncClient) -> None:
        self.provider = provider
        self.http = http
        self._token: str | None = None

    async def _fetch_token(self) -> str:
        form = {"grant_type": "client_credentials"}
        if self.provider.scope:
            form["scope"] = self.provider.scope
        r = await self._send(
            "POST",
            self.provider.token_url,
            data=form,
            auth=httpx.BasicAuth(self.provider.client_id, self.provider.client_secret),
        )
        if r.status_code != 200:
            raise SyncError(
                f"the provider's token endpoint answered {r.status_code}; check "
                "SKOLEBRO_ONEROSTER_CLIENT_ID, _CLIENT_SECRET and _SCOPE"
            )
        token = r.json().get("access_token")
        if not isinstance(token, str) or not token:
            raise SyncError("the provider's token endpoint gave no access_token")
        return token

    async def _send(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """One request, retried on 429, 5xx and broken connections."""
        delay = self.provider.backoff_seconds
        for attempt in range(1, self.provider.attempts + 1):
            try:
                r = await self.http.request(method, url, timeout=self.provider.timeout_seconds, **kw)
            except httpx.TransportError as exc:
                if attempt == self.provider.attempts:
                    raise SyncError(f"{url} could not be reached ({exc.__class__.__name__})") from exc
                log.warning("OneRoster %s unreachable (attempt %d): %s", url, attempt, exc)
            else:
                if r.status_code != 429 and r.status_code < 500:
                    return r
                if attempt == self.provider.attempts:
                    return r
                retry_after = r.headers.get("retry-after", "")
                wait = min(float(retry_after), 60.0) if retry_after.isdigit() else delay
                log.warning("OneRoster %s answered %d; retrying in %.1fs", url, r.status_code, wait)
                delay = wait if retry_after.isdigit() else delay
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
        raise AssertionError("unreachable")

    async def get(self, path: str, params: dict[str, str]) -> httpx.Response:
        if self._token is None:
            self._token = await self._fetch_token()
        url = f"{self.provider.url}/{path}"
        r = await self._send("GET", url, params=params, headers={"authorization": f"Bearer {self._token}"})
        if r.status_code == 401:  # the token expired between pages
            self._token = await self._fetch_token()
            r = await self._send(
                "GET", url, params=params, headers={"authorization": f"Bearer {self._token}"}
            )
        return r

    async def collection(self, kind: str, since: str | None) -> list[dict[str, Any]] | None:
        """Every object of one collection (None: not in our scope), page by page."""
        out: list[dict[str, Any]] = []
        offset, total = 0, None
        while total is None or offset < total:
            params = {"limit": str(self.provider.page_size), "offset": str(offset)}
            if since:
                params["filter"] = f"dateLastModified>'{since}'"
            r = await self.get(kind, params)
            if r.status_code in (401, 403, 404) and kind in OPTIONAL:
                return None
            if r.status_code != 200:
                raise SyncError(f"{kind} at offset {offset}: the provider answered {r.status_code}")
            page = r.json().get(kind)
            if not isinstance(page, list):
                raise SyncError(f"{kind} at offset {offset}: the answer has no {kind!r} list")
            out.extend(page)
            header = r.headers.get("x-total-count", "")
            total = int(header) if header.isdigit() else None
            offset += len(page)
            if not page or (total is None and len(page) < self.provider.page_size):
                break
        return out


def _sid(ref: Any) -> str:
    return str(ref.get("sourcedId", "")) if isinstance(ref, dict) else ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flatten(kind: str, obj: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """One JSON object as rows of the CSV files (a user also gives roles rows)."""
    row = {k: _text(v) for k, v in obj.items() if not isinstance(v, (dict, list))}
    extra: dict[str, list[dict[str, str]]] = {}
    if kind in ("orgs", "academicSessions"):
        row["parentSourcedId"] = _sid(obj.get("parent"))
    elif kind == "classes":
        row["grades"] = ",".join(obj.get("grades") or [])
        row["subjects"] = ",".join(obj.get("subjects") or [])
        row["schoolSourcedId"] = _sid(obj.get("school"))
        row["termSourcedIds"] = ",".join(_sid(t) for t in obj.get("terms") or [])
        row["courseSourcedId"] = _sid(obj.get("course"))
    elif kind == "users":
        row["userIds"] = ",".join(
            f"{{{i.get('type', '')}:{i.get('identifier', '')}}}" for i in obj.get("userIds") or []
        )
        row["agentSourcedIds"] = ",".join(_sid(a) for a in obj.get("agents") or [])
        row["grades"] = ",".join(obj.get("grades") or [])
        row["primaryOrgSourcedId"] = _sid(obj.get("primaryOrg"))
        for key, value in (obj.get("metadata") or {}).items():
            row[f"metadata.{key}"] = _text(value)
        extra["roles"] = [
            {
                "userSourcedId": row.get("sourcedId", ""),
                "role": _text(r.get("role")),
                "orgSourcedId": _sid(r.get("org")),
                "roleType": _text(r.get("roleType")),
                "status": row.get("status", ""),
            }
            for r in obj.get("roles") or []
        ]
    elif kind == "enrollments":
        row["userSourcedId"] = _sid(obj.get("user"))
        row["classSourcedId"] = _sid(obj.get("class"))
        row["schoolSourcedId"] = _sid(obj.get("school"))
    extra[kind] = [row]
    return extra


@dataclass
class Fetched:
    tables: dict[str, list[tuple[str, dict[str, str]]]]
    watermark: str | None
    missing: list[str]


async def fetch_all(
    provider: Provider,
    since: str | None,
    say: Callable[[str], None],
    transport: httpx.AsyncBaseTransport | None = None,
) -> Fetched:
    tables: dict[str, list[tuple[str, dict[str, str]]]] = {k: [] for k in KINDS}
    newest: str | None = None
    missing: list[str] = []
    async with httpx.AsyncClient(transport=transport) as http:
        client = Client(provider, http)
        for kind in COLLECTIONS:
            objects = await client.collection(kind, since)
            if objects is None:
                missing.append(kind)
                continue
            say(f"fetched {len(objects):,} {kind}")
            for obj in objects:
                modified = obj.get("dateLastModified")
                if isinstance(modified, str) and (newest is None or modified > newest):
                    newest = modified
                for target, rows in flatten(kind, obj).items():
                    for row in rows:
                        tables[target].append(
                            (f"{kind} {row.get('sourcedId') or row.get('userSourcedId')}", row)
                        )
    return Fetched(tables=tables, watermark=newest, missing=missing)


STATE = "SELECT last_full_at, watermark FROM roster_sync_state WHERE provider = $1"
SAVE_STATE = """
INSERT INTO roster_sync_state (provider, last_full_at, last_run_at, watermark)
VALUES ($1, CASE WHEN $2 THEN $3::timestamptz END, $3, $4)
ON CONFLICT (provider) DO UPDATE SET
    last_full_at = CASE WHEN $2 THEN $3::timestamptz ELSE roster_sync_state.last_full_at END,
    last_run_at = $3, watermark = coalesce($4, roster_sync_state.watermark)
"""


async def sync_roster(
    conn: asyncpg.Connection,
    settings: RosterSettings,
    *,
    now: datetime,
    full: bool = False,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    provider: Provider | None = None,
    options: ReadOptions | None = None,
) -> ImportSummary:
    say = progress or (lambda text: None)
    provider = provider or Provider.from_settings(settings)
    state = await conn.fetchrow(STATE, provider.url)
    since = None if full or state is None or state["last_full_at"] is None else state["watermark"]
    say(f"pulling from {provider.url} ({'changes since ' + since if since else 'everything'})")
    fetched = await fetch_all(provider, since, say)
    mode = "delta" if since else "bulk"
    roster = Roster(version="1.2", modes={k: mode for k in KINDS})
    for kind in fetched.missing:
        roster.modes[kind] = "absent"
        roster.notes.append(
            f"{kind} are not in this client's scope; "
            + ("no birth dates came with the pupils." if kind == "demographics" else "they are not needed.")
        )
    errors: list[Problem] = []
    build_roster(
        roster,
        {k: v for k, v in fetched.tables.items() if roster.modes.get(k) != "absent"},
        errors,
        None,
        options or ReadOptions(national_id_column=settings.national_id_column),
    )

    async def save(c: asyncpg.Connection) -> None:
        await c.execute(SAVE_STATE, provider.url, since is None, now, fetched.watermark or since)

    return await import_roster(
        conn, roster, dry_run=dry_run, progress=say, now=now, after=save, source="sync"
    )


__all__ = ["Provider", "SyncError", "fetch_all", "flatten", "sync_roster"]
