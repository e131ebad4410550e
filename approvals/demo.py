"""Demo history relative to today, made through the real services so that
proposals, audit trail, ledger and counters agree with each other."""

import datetime as dt
import itertools

from quotas.models import Department, Kind, User
from quotas.services import quota_set_cap

from . import services
from .models import SHANGHAI

USERNAMES = [
    "clerk_edu", "head_edu", "clerk_health", "head_health", "clerk_agri", "head_agri",
    "reviewer", "leader", "auditor", "admin",
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
REDUCTION = 0.3
TOPICS = {
    "JH-EDU": ["秋季学期校园安全", "课后服务", "教师培训", "学生体质健康监测", "校舍维修"],
    "JH-HEALTH": ["流感防控", "基层医疗机构建设", "家庭医生签约", "食品安全抽检", "爱国卫生运动"],
    "JH-AGRI": ["秋粮收购", "高标准农田建设", "防汛抗旱", "农村人居环境整治", "动物防疫"],
}


def _meeting_days(year):
    """Days a meeting may be held: not a Wednesday, not in the first week."""
    day = dt.date(year, 1, 8)
    while day.year == year:
        if day.isoweekday() not in (3, 6, 7) and day.day > 7:
            yield day
        day += dt.timedelta(days=1)


class _Demo:
    def __init__(self, year):
        self.year = year
        self.reviewer = User.objects.get(username="reviewer")
        self.leader = User.objects.get(username="leader")
        self.counter = itertools.count(1)
        self.days = itertools.cycle(list(_meeting_days(year))[::5])

    def people(self, code):
        return (User.objects.get(username=f"clerk_{SUFFIX[code]}"),
                User.objects.get(username=f"head_{SUFFIX[code]}"))

    def draft(self, code, kind, **extra):
        clerk, _head = self.people(code)
        n = next(self.counter)
        topic = TOPICS[code][n % len(TOPICS[code])]
        day = next(self.days)
        if kind == Kind.DOCUMENT:
            fields = dict(title=f"关于做好{topic}工作的通知（{n}）", planned_date=day,
                          doc_type="notice", length_chars=1500 + 37 * n, forms_required=0)
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

    def to_office(self, code, p, **submit):
        clerk, head = self.people(code)
        services.proposal_submit(proposal=p, by=clerk, **submit)
        services.proposal_decide(proposal=p, by=head, decision="approve", comment="同意报送。")

    def approve(self, code, p, *, complete=True, **submit):
        self.to_office(code, p, **submit)
        p = services.proposal_decide(proposal=p, by=self.reviewer, decision="approve", comment="确有必要，同意。")
        if p.state == "leader_review":
            p = services.proposal_decide(proposal=p, by=self.leader, decision="approve", comment="同意。")
        if complete:
            clerk, _head = self.people(code)
            if p.kind == Kind.DOCUMENT:
                services.proposal_complete(proposal=p, by=clerk, doc_number=f"江{SUFFIX[code]}发〔{self.year}〕{p.pk}号",
                                           issued_on=p.planned_date)
            else:
                services.proposal_complete(proposal=p, by=clerk, actual_attendees=p.total_attendees - 3)
        return p


def build_history(*, this_year: int, stdout=None) -> None:
    admin = User.objects.get(username="admin")
    last = _Demo(this_year - 1)
    for (code, kind), (cap, approved, released, blocked, overrides) in LAST_YEAR.items():
        dept = Department.objects.get(code=code)
        quota_set_cap(department=dept, year=last.year, kind=kind, cap=cap, by=admin)
        clerk, head = last.people(code)
        for i in range(released):
            p = last.draft(code, kind)
            if i % 3 == 1:
                last.to_office(code, p)
                services.proposal_decide(proposal=p, by=last.reviewer, decision="reject",
                                         comment="可与已有部署合并，不予通过。")
            elif i % 3 == 2:
                last.approve(code, p, complete=False)
                services.proposal_cancel(proposal=p, by=clerk, comment="上级已统一部署，本部门不再另行安排。")
            else:
                services.proposal_submit(proposal=p, by=clerk)
                services.proposal_withdraw(proposal=p, by=clerk, comment="已并入上级统一部署。")
        for i in range(approved):
            extra = {"principals_required": True} if kind == Kind.MEETING and i % 4 == 0 else {}
            last.approve(code, last.draft(code, kind, **extra), complete=i % 5 != 4)
        for _ in range(blocked):
            try:
                services.proposal_submit(proposal=last.draft(code, kind), by=clerk)
            except services.QuotaRefused:
                pass
        for _ in range(overrides):
            p = last.draft(code, kind, title="关于紧急做好汛期防疫工作的通知")
            last.approve(code, p, emergency=True, justification="汛期突发疫情风险，须立即部署，不能等待下一年度。")
        quota_set_cap(department=dept, year=this_year, kind=kind,
                      cap=int(approved * (1 - REDUCTION)), by=admin)
    now = _Demo(this_year)
    for (code, kind), plan in THIS_YEAR.items():
        clerk, head = now.people(code)
        for _ in range(plan.get("approved", 0)):
            now.approve(code, now.draft(code, kind), complete=False)
        for _ in range(plan.get("head", 0)):
            services.proposal_submit(proposal=now.draft(code, kind), by=clerk)
        for _ in range(plan.get("office", 0)):
            now.to_office(code, now.draft(code, kind))
        for _ in range(plan.get("leader", 0)):
            p = now.draft(code, kind, principals_required=True)
            now.to_office(code, p)
            services.proposal_decide(proposal=p, by=now.reviewer, decision="approve", comment="涉及基层主要负责同志，报领导小组。")
        for _ in range(plan.get("returned", 0)):
            p = now.draft(code, kind)
            now.to_office(code, p)
            services.proposal_decide(proposal=p, by=now.reviewer, decision="return", comment="请压缩篇幅、减少填报表格。")
