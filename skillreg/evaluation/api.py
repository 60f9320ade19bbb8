from ninja import Router

router = Router(tags=["专家评估"])
draws_router = Router(tags=["随机抽取"])
