"""The floor for figure 1: a minimal Starlette + asyncpg endpoint doing the same indexed lookups.

Same table, same columns, same indexes (UNIQUE ``number``; ``(id_number, holder_name)`` with
LIMIT 2), same masked answer; no framework middleware, no validation. Served with uvicorn,
the same worker count as the app; one asyncpg pool per worker.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

COLUMNS = "holder_name, id_number, occupation, level, issuer_name, issued_on, status"
BY_NUMBER = f"SELECT {COLUMNS} FROM certificates_certificate WHERE number = $1 LIMIT 1"  # noqa: S608
BY_HOLDER = f"SELECT {COLUMNS} FROM certificates_certificate WHERE id_number = $1 AND holder_name = $2 LIMIT 2"  # noqa: S608
LEVELS = {5: "初级", 4: "中级", 3: "高级", 2: "技师", 1: "高级技师"}
STATUS = {"valid": "有效", "revoked": "已撤销"}
pool: Any = None


@asynccontextmanager
async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
    global pool
    pool = await asyncpg.create_pool(os.environ["BENCH_DSN"], min_size=2, max_size=8)
    yield
    await pool.close()


def _out(row: Any) -> dict[str, Any]:
    idn = row["id_number"]
    return {"holder_name": row["holder_name"], "id_number_masked": idn[:6] + "*" * (len(idn) - 10) + idn[-4:],
            "occupation": row["occupation"], "level": row["level"], "level_label": LEVELS.get(row["level"], ""),
            "issuer": row["issuer_name"], "issued_on": row["issued_on"].isoformat(), "status": row["status"],
            "status_label": STATUS[row["status"]]}


async def verify(request: Request) -> JSONResponse:
    q = request.query_params
    async with pool.acquire() as conn:
        if q.get("number"):
            rows = await conn.fetch(BY_NUMBER, q["number"])
        else:
            rows = await conn.fetch(BY_HOLDER, q.get("id_number", ""), q.get("name", ""))
    if not rows:
        return JSONResponse({"code": "not_found", "message": "未找到该证书"}, status_code=404)
    if len(rows) > 1:
        return JSONResponse({"code": "number_required", "message": "请输入证书编号查验"}, status_code=409)
    return JSONResponse(_out(rows[0]))


app = Starlette(routes=[Route("/verify", verify)], lifespan=lifespan)
