from tests.support.demo import OLA


async def test_guardian_sees_children(client, tokens):
    r = await client.get("/api/v1/me", headers=await tokens.headers("guardian.hansen"))
    assert r.status_code == 200
    names = {c["name"] for c in r.json()["children"]}
    assert names == {"Ola Hansen", "Kari Hansen"}


async def test_report(client, tokens):
    h = await tokens.headers("guardian.hansen")
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports", headers=h, json={"first_day": "2026-11-23", "reason": "sick"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["late"] is False


async def test_no_token(client):
    r = await client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
