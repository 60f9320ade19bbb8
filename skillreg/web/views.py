from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from skillreg.registry.selectors import institutions_visible_to
from skillreg.supervision.charts import bar_chart
from skillreg.web.charts import hbar_chart
from skillreg.web.dashboard import board_for


def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    if request.user.is_authenticated:
        context["institution_count"] = institutions_visible_to(request.user).count()
    return render(request, "web/home.html", context)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The officials' figures for their jurisdiction, as charts drawn by the application itself."""
    user: Any = request.user
    if not (user.is_official or user.is_sysadmin):
        raise Http404("未找到该页面")
    board = board_for(user)
    overdue_labels = [label for label, n in board.overdue_by_clock if n]
    return render(request, "web/dashboard.html", {
        "board": board,
        "status_chart": hbar_chart(board.by_status, title="备案申请（按状态）"),
        "city_chart": hbar_chart([(name, n) for name, n, _ in board.by_city], title="备案申请（按地区）",
                                 colour="#2f6f9f"),
        "month_chart": bar_chart(board.by_month, title="近 12 个月提交的备案申请（按月）", width=640,
                                 colour="#0b4f8a"),
        "overdue_chart": hbar_chart(board.overdue_by_clock, title="已逾期的办理时限（按事项）",
                                    colour="#b42318", highlight=overdue_labels),
        "grade_chart": hbar_chart(board.grades, title="机构最近一次考核评估等级", colour="#2f855a",
                                  highlight=["不合格"]),
    })


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True
