"""Demo history relative to today, made through the real services so that
proposals, audit trail, ledger and counters agree with each other."""

import datetime as dt
import itertools
from unittest import mock

from django.utils import timezone

from quotas.limits import DEFAULT_REDUCTION
from quotas.models import Department, Kind, User
from quotas.services import quota_set_cap

from . import services
from .models import SHANGHAI, PlanWindow

USERNAMES = [
    "clerk_edu", "head_edu", "clerk_health", "head_health", "clerk_agri", "head_agri",
    "reviewer", "leader", "auditor", "admin",
    "grassroots_town", "grassroots_town2", "grassroots_village", "grassroots_village2",
]
SUFFIX = {"JH-EDU": "edu", "JH-HEALTH": "health", "JH-AGRI": "agri"}

# (code, kind): last year's cap, approved, rejected/withdrawn, blocked attempts, overrides
LAST_YEAR = {
    ("JH-EDU", Kind.DOCUMENT): (24, 20, 3, 0, 0),
    ("JH-EDU", Kind.MEETING): (12, 10, 2, 0, 0),
    ("JH-HEALTH", Kind.DOCUMENT): (20, 20, 2, 3, 1),
    ("JH-HEALTH", Kind.MEETING): (10, 7, 1, 0, 0),
    ("JH-AGRI", Kind.DOCUMENT): (18, 13, 2, 0, 0),
    ("JH-AGRI", Kind.MEETING): (8, 8, 1, 2, 0),
}
# This year: how many to leave approved, in review at each step, and returned.
THIS_YEAR = {
    ("JH-EDU", Kind.DOCUMENT): {"approved": 4, "head": 1, "office": 1, "returned": 1},
    ("JH-EDU", Kind.MEETING): {"approved": 2, "office": 1},
    ("JH-HEALTH", Kind.DOCUMENT): {"approved": 6, "head": 1},
    ("JH-HEALTH", Kind.MEETING): {"approved": 2, "leader": 1},
    ("JH-AGRI", Kind.DOCUMENT): {"approved": 3, "office": 1},
    ("JH-AGRI", Kind.MEETING): {"approved": 4},
}
REDUCTION = float(DEFAULT_REDUCTION)
TOPICS = {
    "JH-EDU": ["秋季学期校园安全", "课后服务", "教师培训", "学生体质健康监测", "校舍维修"],
    "JH-HEALTH": ["流感防控", "基层医疗机构建设", "家庭医生签约", "食品安全抽检", "爱国卫生运动"],
    "JH-AGRI": ["秋粮收购", "高标准农田建设", "防汛抗旱", "农村人居环境整治", "动物防疫"],
}


# 督查检查考核 under an annual cap since this year ("原则上每部门不超过1项" plus one special).
INSPECTION_CAPS = {"JH-EDU": 2, "JH-HEALTH": 2, "JH-AGRI": 1}


def _working_days(year):
    """Days a meeting may be held: a weekday other than Wednesday, after the first week."""
    day = dt.date(year, 1, 8)
    while day.year == year:
        if day.isoweekday() not in (3, 6, 7) and day.day > 7:
            yield day
        day += dt.timedelta(days=1)


class _Clock:
    """While the demo history is built, timezone.now() reads this clock, so that
    the audit trail, the ledger and the review times fall on plausible days of
    the year the items belong to (never in the future)."""

    def __init__(self):
        self.real_now = timezone.now()
        self.current = self.real_now

    def __call__(self):
        return self.current

    def set(self, day: dt.date, hours: float = 9.0):
        moment = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI) + dt.timedelta(hours=hours)
        self.current = min(moment, self.real_now)


class _Demo:
    def __init__(self, year, clock):
        self.year = year
        self.clock = clock
        self.reviewer = User.objects.get(username="reviewer")
        self.leader = User.objects.get(username="leader")
        self.counter = itertools.count(1)
        self.day = None

    def people(self, code):
        return (User.objects.get(username=f"clerk_{SUFFIX[code]}"),
                User.objects.get(username=f"head_{SUFFIX[code]}"))

    def at(self, days_before: int, hours: float = 9.0):
        self.clock.set(self.day - dt.timedelta(days=days_before), hours)

    def draft(self, code, kind, **extra):
        clerk, _head = self.people(code)
        n = next(self.counter)
        topic = TOPICS[code][n % len(TOPICS[code])]
        day = self.day
        self.at(21, 9.5)
        if kind == Kind.DOCUMENT:
            fields = dict(title=f"关于做好{topic}工作的通知（{n}）", planned_date=day,
                          doc_type="notice", length_chars=1500 + 37 * (n % 60), forms_required=0)
        else:
            start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=SHANGHAI)
            fields = dict(title=f"全市{topic}工作推进会（{n}）", start=start,
                          end=start + dt.timedelta(hours=2), meeting_format="hybrid",
                          meeting_class=3, attendees_city=25, attendees_county=12,
                          attendees_township=8 + n % 5, venue="市政府第二会议室")
        fields.update(extra)
        return services.proposal_create(
            by=clerk, kind=kind, necessity=f"{topic}工作时间紧、任务重，须统一部署，无法以其他方式替代。",
            target_levels=["county", "township"], **fields)

    def submit(self, code, p, **submit):
        clerk, _head = self.people(code)
        self.at(20, 15)
        return services.proposal_submit(proposal=p, by=clerk, **submit)

    def to_office(self, code, p, **submit):
        _clerk, head = self.people(code)
        self.submit(code, p, **submit)
        self.at(19, 10 + (p.pk % 6))
        services.proposal_decide(proposal=p, by=head, decision="approve", comment="同意报送。")

    def office(self, p, decision, comment):
        self.at(16, 11 + (p.pk % 5))
        return services.proposal_decide(proposal=p, by=self.reviewer, decision=decision, comment=comment)

    def approve(self, code, p, *, complete=True, **submit):
        self.to_office(code, p, **submit)
        p = self.office(p, "approve", "确有必要，同意。")
        if p.state == "leader_review":
            self.at(14, 16)
            p = services.proposal_decide(proposal=p, by=self.leader, decision="approve", comment="同意。")
        if complete:
            clerk, _head = self.people(code)
            self.at(-1, 17)
            if p.kind == Kind.DOCUMENT:
                services.proposal_complete(proposal=p, by=clerk, doc_number=f"{p.department.issuer_abbr}发〔{self.year}〕{p.pk}号",
                                           issued_on=p.planned_date)
            else:
                services.proposal_complete(proposal=p, by=clerk, actual_attendees=p.total_attendees - 3)
        return p


def _interleaved(streams: list[list]) -> list:
    """Round-robin over the departments' job lists, so every month sees all of them."""
    jobs = []
    for i in range(max(len(s) for s in streams)):
        jobs.extend(s[i] for s in streams if i < len(s))
    return jobs


def _run(demo: "_Demo", jobs: list) -> None:
    days = list(_working_days(demo.year))
    step = len(days) / max(len(jobs), 1)
    for i, job in enumerate(jobs):
        demo.day = days[min(int(i * step), len(days) - 1)]
        job()


def build_history(*, this_year: int) -> None:
    clock = _Clock()
    with mock.patch("django.utils.timezone.now", clock):
        _build(this_year, clock)


def _last_year_stream(demo, code, kind, plan):
    _cap, approved, released, blocked, overrides = plan
    clerk, _head = demo.people(code)
    jobs = []

    def reject():
        p = demo.draft(code, kind)
        demo.to_office(code, p)
        demo.office(p, "reject", "可与已有部署合并，不予通过。")

    def cancel():
        p = demo.approve(code, demo.draft(code, kind), complete=False)
        demo.at(5, 10)
        services.proposal_cancel(proposal=p, by=clerk, comment="上级已统一部署，本部门不再另行安排。")

    def withdraw():
        p = demo.draft(code, kind)
        demo.submit(code, p)
        demo.at(18, 9)
        services.proposal_withdraw(proposal=p, by=clerk, comment="已并入上级统一部署。")

    def approve(i):
        extra = {"principals_required": True} if kind == Kind.MEETING and i % 4 == 0 else {}
        return lambda: demo.approve(code, demo.draft(code, kind, **extra), complete=i % 5 != 4)

    def blocked_attempt():
        try:
            demo.submit(code, demo.draft(code, kind))
        except services.QuotaRefused:
            pass

    def override():
        p = demo.draft(code, kind, title="关于紧急做好汛期防疫工作的通知")
        demo.approve(code, p, emergency=True, justification="汛期突发疫情风险，须立即部署，不能等待下一年度。")

    jobs += [(withdraw, reject, cancel)[i % 3] for i in range(released)]
    jobs += [approve(i) for i in range(approved)]
    jobs += [blocked_attempt] * blocked + [override] * overrides
    return jobs


def _this_year_stream(demo, code, kind, plan):
    def leader():
        p = demo.draft(code, kind, principals_required=True)
        demo.to_office(code, p)
        demo.office(p, "approve", "涉及基层主要负责同志，报领导小组。")

    def returned():
        p = demo.draft(code, kind)
        demo.to_office(code, p)
        demo.office(p, "return", "请压缩篇幅、减少填报表格。")

    jobs = [lambda: demo.approve(code, demo.draft(code, kind), complete=False)] * plan.get("approved", 0)
    jobs += [lambda: demo.submit(code, demo.draft(code, kind))] * plan.get("head", 0)
    jobs += [lambda: demo.to_office(code, demo.draft(code, kind))] * plan.get("office", 0)
    jobs += [leader] * plan.get("leader", 0) + [returned] * plan.get("returned", 0)
    return jobs


def _build(this_year: int, clock: _Clock) -> None:
    admin = User.objects.get(username="admin")
    last = _Demo(this_year - 1, clock)
    clock.set(dt.date(this_year - 1, 1, 4))
    for (code, kind), plan in LAST_YEAR.items():
        quota_set_cap(department=Department.objects.get(code=code), year=last.year, kind=kind,
                      cap=plan[0], by=admin)
    _run(last, _interleaved([_last_year_stream(last, code, kind, plan) for (code, kind), plan in LAST_YEAR.items()]))
    clock.set(dt.date(this_year - 1, 12, 20))
    for (code, kind), plan in LAST_YEAR.items():
        quota_set_cap(department=Department.objects.get(code=code), year=this_year, kind=kind,
                      cap=int(plan[1] * (1 - REDUCTION)), by=admin)
    for code, cap in INSPECTION_CAPS.items():  # 督查检查考核: capped from this year on, no history yet
        quota_set_cap(department=Department.objects.get(code=code), year=this_year, kind=Kind.INSPECTION,
                      cap=cap, by=admin)
    now = _Demo(this_year, clock)
    _run(now, _interleaved([_this_year_stream(now, code, kind, plan) for (code, kind), plan in THIS_YEAR.items()]))
    # Next year's plans (计划管理) are filed from 1 November to 15 December: open in the demo's December.
    PlanWindow.objects.get_or_create(year=this_year + 1, defaults={
        "opens_on": dt.date(this_year, 11, 1), "closes_on": dt.date(this_year, 12, 15)})
    from grassroots.demo import build_flags  # the receiving end reads approvals, not the reverse

    build_flags(clock=clock, reviewer=now.reviewer)
