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
