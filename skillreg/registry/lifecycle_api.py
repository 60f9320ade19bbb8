from ninja import Router

lifecycle_router = Router(tags=["备案后管理"])
