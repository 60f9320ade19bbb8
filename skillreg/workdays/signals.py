"""Signals of the working-day calendar.

``calendar_changed`` is sent after the transaction that entered or corrected a year has
committed, with ``years`` (a list of ints). Apps that store deadlines computed with
``add_workdays`` connect to it to recompute the ones that were provisional or fall in
those years.
"""

from django.dispatch import Signal

calendar_changed = Signal()
