from ninja import Router

router = Router(tags=["监督管理"])
public_router = Router(tags=["投诉举报（公开）"])
