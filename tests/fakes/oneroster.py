"""A OneRoster 1.2 REST provider on 127.0.0.1, as Visma Flyt Skole offers one.

Its own OAuth 2.0 client-credentials token endpoint (client_secret_basic),
the rostering collections under ``/ims/oneroster/rostering/v1p2`` with
``limit``/``offset`` paging and the ``X-Total-Count`` header,
``filter=dateLastModified>'…'``, and faults to inject: a number of 429s
(with Retry-After) before the next answer, and a collection that fails with
500 from some offset on (a run that breaks half-way).

The data are the same tables the CSV tests write (tests/support/roster_sets.py),
turned into the binding's JSON.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.support.roster_sets import Tables

BASE_PATH = "/ims/oneroster/rostering/v1p2"
COLLECTIONS = ("orgs", "academicSessions", "classes", "courses", "users", "enrollments", "demographics")


def _ref(kind: str, sid: str) -> dict[str, str]:
    return {"href": f"{BASE_PATH}/{kind}/{sid}", "sourcedId": sid, "type": kind.rstrip("s")}


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def to_json(tables: Tables) -> dict[str, list[dict[str, Any]]]:
    """The CSV-shaped tables as OneRoster 1.2 JSON objects."""
    base = ("sourcedId", "status", "dateLastModified")
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in COLLECTIONS}
    for o in tables.get("orgs", []):
        obj = {k: o.get(k, "") for k in (*base, "name", "type", "identifier")}
        if o.get("parentSourcedId"):
            obj["parent"] = _ref("orgs", o["parentSourcedId"])
        out["orgs"].append(obj)
    for s in tables.get("academicSessions", []):
        obj = {k: s.get(k, "") for k in (*base, "title", "type", "startDate", "endDate", "schoolYear")}
        if s.get("parentSourcedId"):
            obj["parent"] = _ref("academicSessions", s["parentSourcedId"])
        out["academicSessions"].append(obj)
    for c in tables.get("classes", []):
        obj = {k: c.get(k, "") for k in (*base, "title", "classCode", "classType", "location")}
        obj["grades"] = _split(c.get("grades", ""))
        obj["subjects"] = _split(c.get("subjects", ""))
        if c.get("schoolSourcedId"):
            obj["school"] = _ref("orgs", c["schoolSourcedId"])
        obj["terms"] = [_ref("academicSessions", t) for t in _split(c.get("termSourcedIds", ""))]
        out["classes"].append(obj)
    roles: dict[str, list[dict[str, Any]]] = {}
    for r in tables.get("roles", []):
        roles.setdefault(r["userSourcedId"], []).append(
            {
                "roleType": r.get("roleType") or "primary",
                "role": r["role"],
                "org": _ref("orgs", r["orgSourcedId"]),
            }
        )
    for u in tables.get("users", []):
        obj = {
            k: u.get(k, "")
            for k in (
                *base,
                "username",
                "givenName",
                "familyName",
                "middleName",
                "identifier",
                "email",
                "sms",
                "phone",
            )
        }
        obj["enabledUser"] = u.get("enabledUser", "true") != "false"
        obj["userIds"] = []
        for entry in _split(u.get("userIds", "")):
            kind, _, ident = entry.strip("{}").partition(":")
            obj["userIds"].append({"type": kind, "identifier": ident})
        obj["roles"] = roles.get(u["sourcedId"], [])
        obj["agents"] = [_ref("users", a) for a in _split(u.get("agentSourcedIds", ""))]
        obj["grades"] = _split(u.get("grades", ""))
        if u.get("primaryOrgSourcedId"):
            obj["primaryOrg"] = _ref("orgs", u["primaryOrgSourcedId"])
        meta = {k[len("metadata.") :]: v for k, v in u.items() if k.startswith("metadata.") and v}
        if meta:
            obj["metadata"] = meta
        out["users"].append(obj)
    for e in tables.get("enrollments", []):
        obj = {k: e.get(k, "") for k in (*base, "role")}
        obj["primary"] = e.get("primary", "") == "true"
        obj["user"] = _ref("users", e.get("userSourcedId", ""))
        obj["class"] = _ref("classes", e.get("classSourcedId", ""))
        if e.get("schoolSourcedId"):
            obj["school"] = _ref("orgs", e["schoolSourcedId"])
        out["enrollments"].append(obj)
    for d in tables.get("demographics", []):
        out["demographics"].append({k: d.get(k, "") for k in (*base, "birthDate", "sex")})
    return out


class FakeOneRoster:
    def __init__(self, tables: Tables, client_id: str = "skolebro") -> None:
        self.data = to_json(tables)
        self.client_id, self.client_secret = client_id, secrets.token_urlsafe(12)
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.requests: list[str] = []
        self.throttle = 0  # answer this many requests with 429 first
        self.fail: tuple[str, int] | None = None  # (collection, from offset) → 500
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                if self.path != "/oauth/token":
                    self._send(404, {"error": "not_found"})
                    return
                length = int(self.headers.get("content-length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                auth = self.headers.get("authorization", "")
                expected = base64.b64encode(
                    f"{provider.client_id}:{provider.client_secret}".encode()
                ).decode()
                provider.token_requests += 1
                if form.get("grant_type") != ["client_credentials"]:
                    self._send(400, {"error": "unsupported_grant_type"})
                    return
                if auth != f"Basic {expected}":
                    self._send(401, {"error": "invalid_client"})
                    return
                token = secrets.token_urlsafe(16)
                provider.tokens.add(token)
                self._send(200, {"access_token": token, "token_type": "bearer", "expires_in": 3600})

            def do_GET(self) -> None:
                url = urlparse(self.path)
                provider.requests.append(self.path)
                if provider.throttle > 0:
                    provider.throttle -= 1
                    self._send(429, {"imsx_codeMajor": "failure"}, {"Retry-After": "0"})
                    return
                if self.headers.get("authorization", "").removeprefix("Bearer ") not in provider.tokens:
                    self._send(401, {"imsx_codeMajor": "failure", "imsx_description": "unauthorized"})
                    return
                kind = url.path.removeprefix(BASE_PATH + "/")
                if kind not in provider.data:
                    self._send(404, {"imsx_codeMajor": "failure"})
                    return
                q = parse_qs(url.query)
                limit, offset = int(q.get("limit", ["100"])[0]), int(q.get("offset", ["0"])[0])
                if provider.fail and provider.fail[0] == kind and offset >= provider.fail[1]:
                    self._send(500, {"imsx_codeMajor": "failure"})
                    return
                rows = provider.data[kind]
                for f in q.get("filter", []):
                    field, _, value = f.partition(">")
                    if field.strip() != "dateLastModified":
                        self._send(400, {"imsx_codeMajor": "failure", "imsx_description": "filter"})
                        return
                    since = value.strip().strip("'")
                    rows = [r for r in rows if r.get("dateLastModified", "") > since]
                page = rows[offset : offset + limit]
                self._send(200, {kind: page}, {"X-Total-Count": str(len(rows))})

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}{BASE_PATH}"
        self.token_url = f"http://127.0.0.1:{self.port}/oauth/token"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def replace(self, tables: Tables) -> None:
        self.data = to_json(tables)

    def env(self) -> dict[str, str]:
        return {
            "SKOLEBRO_ONEROSTER_URL": self.url,
            "SKOLEBRO_ONEROSTER_TOKEN_URL": self.token_url,
            "SKOLEBRO_ONEROSTER_CLIENT_ID": self.client_id,
            "SKOLEBRO_ONEROSTER_CLIENT_SECRET": self.client_secret,
            "SKOLEBRO_ONEROSTER_SCOPE": "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly",
        }

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
