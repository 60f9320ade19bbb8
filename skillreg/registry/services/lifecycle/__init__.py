"""The filed institution's life (issue 4): validity and renewal, change filings, branch
reports, scope suspension, cancellation, stop orders and the project catalogue.

State changes are keyword-only functions with a required actor and time, one transaction,
the row locked and the move checked against the model's ``TRANSITIONS``, the audit event in
the same transaction, notices through ``notify`` (delivered after commit). Every change that
the public sees republishes the directory entry (``directory.publish`` keeps every version).

Reads other apps rely on (the exams app): :func:`may_work_in`, :func:`scope_is_active`,
:func:`is_catalogued`.
"""

from __future__ import annotations

from skillreg.registry.services.lifecycle._common import (
    IS,
    LISTED,
    OFFICIALS,
    REMINDER_DAYS,
    filing_authority,
    last_filing,
    republish,
)
from skillreg.registry.services.lifecycle.branches import (
    branch_report_make,
    branch_report_withdraw,
    home_prefix,
    may_work_in,
)
from skillreg.registry.services.lifecycle.catalogue import (
    project_request_file,
    project_request_refuse,
    project_request_review,
    project_request_send,
    project_request_submit,
)
from skillreg.registry.services.lifecycle.changes import (
    IDENTITY_FIELDS,
    IDENTITY_LABELS,
    ChangeContent,
    ScopeAdd,
    ScopeRemove,
    change_approve,
    change_conclude_evaluation,
    change_refuse,
    change_report,
    change_start_evaluation,
    change_withdraw,
    is_catalogued,
    parse_changes,
)
from skillreg.registry.services.lifecycle.reads import (
    branch_reports_visible_to,
    cancellations_visible_to,
    changes_visible_to,
    expiring_filings,
    one_of,
    project_requests_visible_to,
    stop_orders_visible_to,
    suspended_scope,
)
from skillreg.registry.services.lifecycle.status import (
    cancellation_confirm,
    cancellation_request,
    cancellation_withdraw,
    scope_is_active,
    scope_lift,
    scope_suspend,
    stop_order_record,
    stop_order_source,
    suspension_source,
)
from skillreg.registry.services.lifecycle.validity import (
    ValidityReport,
    institution_expire,
    renewal_in_time,
    renewal_start,
    renewal_validity,
    sweep_validity,
    validity_remind,
)

__all__ = [
    "IDENTITY_FIELDS",
    "IDENTITY_LABELS",
    "IS",
    "LISTED",
    "OFFICIALS",
    "REMINDER_DAYS",
    "ChangeContent",
    "ScopeAdd",
    "ScopeRemove",
    "ValidityReport",
    "branch_report_make",
    "branch_report_withdraw",
    "branch_reports_visible_to",
    "cancellation_confirm",
    "cancellation_request",
    "cancellation_withdraw",
    "cancellations_visible_to",
    "change_approve",
    "change_conclude_evaluation",
    "change_refuse",
    "change_report",
    "change_start_evaluation",
    "change_withdraw",
    "changes_visible_to",
    "expiring_filings",
    "filing_authority",
    "home_prefix",
    "institution_expire",
    "is_catalogued",
    "last_filing",
    "may_work_in",
    "one_of",
    "parse_changes",
    "project_request_file",
    "project_request_refuse",
    "project_request_review",
    "project_request_send",
    "project_request_submit",
    "project_requests_visible_to",
    "renewal_in_time",
    "renewal_start",
    "renewal_validity",
    "republish",
    "scope_is_active",
    "scope_lift",
    "scope_suspend",
    "stop_order_record",
    "stop_order_source",
    "stop_orders_visible_to",
    "suspended_scope",
    "suspension_source",
    "sweep_validity",
    "validity_remind",
]
