"""Public, read-only API over the policy packs: ``/api/v1/policies``."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from skillreg.policies.registry import PackNotFound, all_packs, get_pack
from skillreg.policies.schema import Pack, PolicyBodyKind, PolicyDocument, PolicyRegion

router = Router(tags=["政策包"])


class PackSummaryOut(Schema):
    id: str
    title: str
    region: PolicyRegion
    body_kind: PolicyBodyKind
    document: PolicyDocument


@router.get(
    "",
    response=list[PackSummaryOut],
    auth=None,
    summary="政策包列表",
    description="已加载的全部政策包：id、标题、地区、机构类型和来源文件。公开接口，无需登录。",
)
def list_packs(request: HttpRequest) -> list[PackSummaryOut]:
    return [
        PackSummaryOut(id=p.id, title=p.title, region=p.region, body_kind=p.body_kind,
                       document=p.document)
        for p in all_packs()
    ]


@router.get(
    "/{pack_id}",
    response=Pack,
    auth=None,
    summary="政策包详情",
    description="一个政策包的全部规则（每条规则带 source 条款出处）和条款原文（clauses）。"
    "文件未规定的规则取值为 null，并以 note 说明。未知 id 返回 404。",
)
def pack_detail(request: HttpRequest, pack_id: str) -> Pack:
    try:
        return get_pack(pack_id)
    except PackNotFound:
        raise Http404(pack_id) from None
