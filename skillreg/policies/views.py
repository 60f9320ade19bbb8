"""Public pages: the packs side by side, one pack in full, one clause's original text."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from skillreg.policies import compare as cmp
from skillreg.policies.registry import PackNotFound, all_packs, get_pack
from skillreg.policies.schema import Pack


def _pack_or_404(pack_id: str) -> Pack:
    try:
        return get_pack(pack_id)
    except PackNotFound:
        raise Http404(f"没有 id 为“{pack_id}”的政策包") from None


def compare_view(request: HttpRequest) -> HttpResponse:
    packs = all_packs()
    rows = cmp.compare(packs)
    return render(request, "policies/compare.html", {
        "packs": packs,
        "rows": rows,
        "differing": sum(1 for r in rows if r.differs),
    })


def pack_view(request: HttpRequest, pack_id: str) -> HttpResponse:
    pack = _pack_or_404(pack_id)
    return render(request, "policies/pack.html", {"pack": pack, "lines": cmp.lines(pack)})


def clause_view(request: HttpRequest, pack_id: str, ref: str) -> HttpResponse:
    pack = _pack_or_404(pack_id)
    if ref not in pack.clauses:
        raise Http404(f"政策包“{pack_id}”没有条款“{ref}”")
    citing = [line for line in cmp.lines(pack) if line.source == f"{pack.seed} {ref}"]
    return render(request, "policies/clause.html", {
        "pack": pack,
        "ref": ref,
        "text": pack.clauses[ref],
        "citing": citing,
    })
