"""Names people read instead of machine ids: audit actions, policy packs, materials.

``{% load display %}`` then ``{{ ev.action|action_label }}``, ``{{ app.pack_id|pack_title }}``,
``{{ m.key|material_name:app.pack_id }}``.
"""

from __future__ import annotations

from django import template

from skillreg.audit.labels import action_label as _action_label
from skillreg.policies.registry import PackNotFound, get_pack

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return _action_label(action or "")


@register.filter
def pack_title(pack_id: str) -> str:
    try:
        return get_pack(pack_id).title
    except PackNotFound:
        return "（政策文件已停用）"


@register.filter
def material_name(key: str, pack_id: str) -> str:
    """A material's name from its pack's list (or the check that asks for it); never the raw key."""
    try:
        pack = get_pack(pack_id)
    except PackNotFound:
        return "申请材料"
    for item in pack.materials.items:
        if item.key == key:
            return item.name
    for spec in pack.filing.checks:
        if spec.material == key:
            return spec.text
    return "其他补充材料"
