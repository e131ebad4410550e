"""Demo flags (明减暗增线索), made through the real services after the demo's
proposal history, so the ledger, the quotas and the figures agree."""

import datetime as dt

from approvals.models import Proposal, State
from quotas.models import Department, User

from . import services

# (reporter, issuer, channel, kind, days before today, decision, comment, summary)
FLAGS = [
    ("grassroots_town", "JH-HEALTH", "chat_group", "document", 40, "confirm", "经核实，该通知未经备案，计入发文总量。",
     "市卫健委在“全市公卫工作群”发通知，要求各乡镇三天内报送家庭医生签约入户台账，附 4 张表。"),
    ("grassroots_village", "JH-EDU", "memo", "document", 25, "dismiss",
     "系教育局对本系统学校的内部工作提示，未向村级布置任务，不予认定。",
     "以便笺形式要求村里统计适龄儿童入学情况。"),
    ("grassroots_town2", "JH-AGRI", "unregistered_meeting", "meeting", 12, "match", "该会议已备案。",
     "农业农村局电话通知参加秋粮收购调度会，未见备案号。"),
    ("grassroots_village2", "JH-EDU", "phone", "meeting", 3, None, "",
     "电话通知村干部下周到镇里参加校园周边安全排查培训，半天。"),
]


def build_flags(*, clock, reviewer: User) -> None:
    today = clock.real_now.date()
    for username, issuer, channel, kind, days, decision, comment, summary in FLAGS:
        received = today - dt.timedelta(days=days)
        if received.year != today.year:
            received = dt.date(today.year, 1, 2)
        clock.set(received + dt.timedelta(days=1), 10)
        flag = services.flag_file(
            by=User.objects.get(username=username), issuer=Department.objects.get(code=issuer),
            channel=channel, kind=kind, received_on=received, summary=summary,
            forms_demanded=4 if kind == "document" else 0, hours_demanded=4,
            attendees_demanded=2 if kind == "meeting" else 0)
        if decision is None:
            continue
        clock.set(received + dt.timedelta(days=4), 15)
        proposal = None
        if decision == "match":
            proposal = (Proposal.objects.filter(department__code=issuer, kind=kind, state=State.APPROVED,
                                                registry_number__isnull=False).order_by("pk").first())
            if proposal is None:
                decision, comment = "dismiss", "未能核实，不予认定。"
        services.flag_triage(flag=flag, by=reviewer, decision=decision, comment=comment, proposal=proposal)
    build_loop(clock=clock, reviewer=reviewer)


QUESTIONS = ["本月要求填报的表格、材料比上月减少了", "本月开会、陪会占用的时间比上月减少了",
             "上级的督查检查考核没有要求准备迎检材料"]


def build_loop(*, clock, reviewer: User) -> None:
    """监测点 and 逆向考核 as a new user finds them: both demo villages and the first
    township are monitoring points with three survey questions, and this year's
    evaluation window is open for a month from today (no ratings: they are the
    units' own)."""
    from . import evaluations, monitoring
    from .models import SurveyQuestion

    clock.set(clock.real_now.date(), 24)  # now
    for username in ("grassroots_village", "grassroots_village2", "grassroots_town"):
        monitoring.point_designate(by=reviewer, unit=User.objects.get(username=username).department)
    for text in QUESTIONS:
        if not SurveyQuestion.objects.filter(text=text).exists():
            monitoring.question_set(by=reviewer, text=text)
    today = clock.real_now.astimezone(evaluations.SHANGHAI).date()
    if evaluations.window_of(today.year) is None:
        evaluations.window_set(by=reviewer, year=today.year, opens_on=today,
                               closes_on=today + dt.timedelta(days=30))
