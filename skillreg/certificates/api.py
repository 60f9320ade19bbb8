from ninja import Router

router = Router(tags=["证书"])
public_router = Router(tags=["证书公开查验"])
