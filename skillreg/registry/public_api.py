from ninja import Router

public_router = Router(tags=["公开目录"])
