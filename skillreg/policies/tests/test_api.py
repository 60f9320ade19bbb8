from __future__ import annotations

import pytest

from skillreg.policies.tests.conftest import PACK_IDS


def test_list_is_public_and_names_every_pack(client):
    response = client.get("/api/v1/policies")
    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body] == PACK_IDS
    sc = next(p for p in body if p["id"] == "sc-2021-appraisal")
    assert sc["region"] == {"code": "510000", "name": "四川省"}
    assert sc["body_kind"]["kind"] == "appraisal_station"
    assert sc["document"]["issuer"] == "四川省人力资源和社会保障厅"


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_detail_returns_the_whole_pack(client, pack_id):
    response = client.get(f"/api/v1/policies/{pack_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == pack_id
    assert body["clauses"]
    assert "source" in body["validity"]


def test_detail_values_and_silence(client):
    body = client.get("/api/v1/policies/sc-2021-appraisal").json()
    assert body["clocks"]["material_check"]["workdays"] == 5
    assert body["clocks"]["material_check"]["source"] == "001 三(一)2(1)"
    assert body["validity"]["years"] is None
    assert body["validity"]["note"]
    assert "5个工作日内" in body["clauses"]["三(一)2(1)"]


def test_unknown_pack_is_404(client):
    response = client.get("/api/v1/policies/no-such-pack")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_openapi_documents_both_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/policies" in schema["paths"]
    assert "/api/v1/policies/{pack_id}" in schema["paths"]
    assert "Pack" in schema["components"]["schemas"]
    assert "PackSummaryOut" in schema["components"]["schemas"]
