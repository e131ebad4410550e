"""Helpers for the receiving end's tests: grassroots units, their reporters, flags."""

from django.utils import timezone

from grassroots import services as flags
from quotas.models import Level
from tests.factory import make_department, make_user


class Grassroots:
    """A township and a village with one reporter each, beside a `People` of this
    year (a flag is received on a day that has passed, and counts against that year)."""

    def __init__(self, people):
        self.people = people
        self.township = make_department("JH-QS-LX", name="柳溪镇", level=Level.TOWNSHIP, issues=False)
        self.village = make_department("JH-QS-LX-HT", name="荷塘村", level=Level.VILLAGE,
                                       parent=self.township, issues=False)
        self.reporter = make_user("grassroots_town", role="reporter", department=self.township)
        self.village_reporter = make_user("grassroots_village", role="reporter", department=self.village)

    def flag(self, *, by=None, issuer=None, kind="document", received_on=None, **fields):
        values = dict(channel="chat_group", summary="工作群里要求三天内报送安全排查台账，附 3 张表。",
                      forms_demanded=3)
        values.update(fields)
        return flags.flag_file(by=by or self.reporter, issuer=issuer or self.people.dept, kind=kind,
                               received_on=received_on or timezone.localdate(), **values)

    def confirmed(self, **fields):
        flag = self.flag(**fields)
        return flags.flag_triage(flag=flag, by=self.people.reviewer, decision="confirm", comment="属实。")


class Raters:
    """Grassroots units enough to rate (k-anonymity): the `Grassroots` township
    and village and two more townships, each with a reporter, and helpers for a
    year's evaluation window (grassroots.evaluations)."""

    def __init__(self, people, grassroots=None):
        import datetime as dt

        self.people = people
        self.grassroots = grassroots or Grassroots(people)
        self.units = [self.grassroots.township]
        self.reporters = [self.grassroots.reporter]
        for n in (2, 3):
            unit = make_department(f"JH-TOWN-{n}", name=f"第{n}镇", level=Level.TOWNSHIP, issues=False)
            self.units.append(unit)
            self.reporters.append(make_user(f"town_reporter{n}", role="reporter", department=unit))
        self.year = people.year
        self.today = timezone.localdate()
        self.dt = dt

    def open(self, *, year=None):
        from grassroots import evaluations

        return evaluations.window_set(by=self.people.reviewer, year=year or self.year,
                                      opens_on=self.today - self.dt.timedelta(days=1),
                                      closes_on=self.today + self.dt.timedelta(days=10))

    def close(self, *, year=None):
        from grassroots import evaluations

        return evaluations.window_close(by=self.people.reviewer, year=year or self.year)

    def rate(self, reporter, department=None, *, year=None, comment="", **scores):
        from grassroots import evaluations

        values = {"necessity": 3, "effect": 3, "burden": 3, "formalism": 3}
        values.update(scores)
        return evaluations.rating_submit(by=reporter, department=department or self.people.dept,
                                         year=year or self.year, scores=values, comment=comment)[0]


def last_month(today=None):
    """(year, month) of the month before today's: a month that is over."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    previous = first - __import__("datetime").timedelta(days=1)
    return previous.year, previous.month


def meeting_days(year, month, count=2):
    """Days of the month on which a meeting may be held (days 8–28, no Wednesday:
    the suite's People have 无会日 rules for Wednesdays and the first week)."""
    import datetime as dt

    days = [dt.date(year, month, d) for d in range(8, 29)]
    return [d for d in days if d.isoweekday() not in (3, 6, 7)][:count]
