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
