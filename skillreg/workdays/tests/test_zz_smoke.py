import datetime as dt
import pytest
from skillreg.workdays.calendar import add_workdays, year_schedule, workdays_left
@pytest.mark.django_db
def test_smoke():
    print(add_workdays(dt.date(2026,9,30),5))
    print(add_workdays(dt.date(2026,2,13),1), add_workdays(dt.date(2026,2,12),3))
    print(add_workdays(dt.date(2026,12,25),10))
    print(workdays_left(dt.date(2026,10,13), dt.date(2026,10,8)))
    for d in year_schedule(2026).special_days: print(d.date, d.kind, d.name)
