from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from skillreg.workdays.models import CalendarDay, CalendarYear


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ["date", "is_workday", "name"]
    readonly_fields = ["date", "is_workday", "name"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Read-only: a year is entered on /calendar/years/enter/, which writes the audit event."""

    list_display = ["year", "note", "entered_by", "entered_at"]
    readonly_fields = ["year", "note", "entered_by", "entered_at"]
    inlines = [CalendarDayInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
