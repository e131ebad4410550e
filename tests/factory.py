"""Test data from code: the named people of each role and what they work on."""

import itertools

from django.contrib.auth.models import Group

from quotas.models import Department, Kind, Level, Quota, User
from quotas.roles import ensure_roles
from quotas.services import quota_set_cap

_seq = itertools.count(1)


def make_department(code=None, *, name=None, level=Level.CITY, parent=None, issues=True):
    n = next(_seq)
    code = code or f"T-{n}"
    return Department.objects.create(
        code=code, name=name or f"测试部门{n}", level=level, parent=parent, issues_proposals=issues
    )


def role_group(role) -> Group:
    """The role's group. Migrations create the groups (post_migrate) and a transactional
    test's flush emits post_migrate again, so they are normally there; recreating all of
    them for every user cost ~60 queries a user."""
    try:
        return Group.objects.get(name=role)
    except Group.DoesNotExist:
        ensure_roles()
        return Group.objects.get(name=role)


def make_user(username=None, *, role=None, department=None, password="pw"):
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(username=username, password=password, department=department)
    if role:
        user.groups.add(role_group(role))
    return user


def make_quota(department=None, *, year=2026, kind=Kind.DOCUMENT, cap=10, warning_ratio=None):
    department = department or make_department()
    quota, _ = quota_set_cap(
        department=department, year=year, kind=kind, cap=cap, warning_ratio=warning_ratio
    )
    return quota


def reload(obj):
    """A fresh copy from the database (Proposal.state is protected, so no refresh_from_db)."""
    return type(obj).objects.get(pk=obj.pk)


# --- the review workflow ---------------------------------------------------------

import datetime as _dt  # noqa: E402

from approvals import services as _approvals  # noqa: E402
from approvals.models import SHANGHAI  # noqa: E402


class People:
    """Named people per role: clerk, head (of `dept`), reviewer, leader, outsider."""

    def __init__(self, year=2027, cap=5, meeting_cap=5):
        from quotas.models import MeetingCostRate, MeetingFreeRule

        self.dept = make_department("JH-EDU", name="江海市教育局")
        self.other = make_department("JH-AGRI", name="江海市农业农村局")
        self.office = make_department("JH-OFFICE", name="江海市基层减负办公室", issues=False)
        self.lead = make_department("JH-LEAD", name="领导小组", issues=False)
        self.clerk = make_user("clerk", role="clerk", department=self.dept)
        self.clerk2 = make_user("clerk2", role="clerk", department=self.dept)
        self.head = make_user("head", role="head", department=self.dept)
        self.reviewer = make_user("reviewer", role="reviewer", department=self.office)
        self.leader = make_user("leader", role="leader", department=self.lead)
        self.auditor = make_user("auditor", role="auditor", department=self.office)
        self.outsider = make_user("outsider", role="clerk", department=self.other)
        self.other_head = make_user("other_head", role="head", department=self.other)
        self.year = year
        self.quota = make_quota(self.dept, year=year, kind=Kind.DOCUMENT, cap=cap)
        self.meeting_quota = make_quota(self.dept, year=year, kind=Kind.MEETING, cap=meeting_cap)
        make_quota(self.other, year=year, kind=Kind.DOCUMENT, cap=cap)
        for c, r in [(1, 760), (2, 650), (3, 550), (4, 550)]:
            MeetingCostRate.objects.get_or_create(meeting_class=c, defaults={"rate": r})
        MeetingFreeRule.objects.get_or_create(name="每周三无会日", rule_type="weekday", weekday=3)
        MeetingFreeRule.objects.get_or_create(name="每月第一周", rule_type="week_of_month", week_of_month=1)

    def document(self, by=None, **fields):
        values = dict(
            kind="document", title="关于做好秋季学期安全工作的通知", necessity="涉及全市学生安全，须统一部署。",
            planned_date=_dt.date(self.year, 9, 15), target_levels=["township"],
            doc_type="notice", length_chars=1800,
        )
        values.update(fields)
        return _approvals.proposal_create(by=by or self.clerk, **values)

    def meeting(self, by=None, day=None, **fields):
        day = day or _dt.date(self.year, 9, 14)  # a Tuesday in the second week
        start = _dt.datetime.combine(day, _dt.time(9, 0), tzinfo=SHANGHAI)
        values = dict(
            kind="meeting", title="全市秋季开学工作部署会", necessity="开学在即，须当面部署。",
            start=start, end=start + _dt.timedelta(hours=2), meeting_format="onsite",
            meeting_class=3, attendees_city=20, attendees_county=10, attendees_township=5,
            venue="市政府第三会议室", target_levels=["county", "township"],
        )
        values.update(fields)
        return _approvals.proposal_create(by=by or self.clerk, **values)

    def submitted_by(self, clerk, proposal, **kwargs):
        return _approvals.proposal_submit(proposal=proposal, by=clerk, **kwargs)

    def submitted(self, proposal, **kwargs):
        return _approvals.proposal_submit(proposal=proposal, by=self.clerk, **kwargs)

    def at_office(self, proposal):
        self.submitted(proposal)
        return _approvals.proposal_decide(proposal=proposal, by=self.head, decision="approve")

    def approved(self, proposal):
        self.at_office(proposal)
        return _approvals.proposal_decide(proposal=proposal, by=self.reviewer, decision="approve")
