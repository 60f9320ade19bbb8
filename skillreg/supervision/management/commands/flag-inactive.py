"""Flag filed institutions that held no exam for the pack's period (000 三(三)10,
002 第二十二条(七), 003 五(五)). Run daily; idempotent (one open flag per institution)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from skillreg.core import clock
from skillreg.supervision.services.inactivity import inactivity_sweep


class Command(BaseCommand):
    help = "标记一年内未开展考核的已备案机构，待备案部门处理"

    def handle(self, *args: Any, **options: Any) -> None:
        checked, flagged = inactivity_sweep(at=clock.now())
        self.stdout.write(f"检查已备案机构 {checked} 家（文件有规定的），新标记长期未开展考核 {flagged} 家。")
