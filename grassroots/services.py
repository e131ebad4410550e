"""Filing and deciding flags (明减暗增线索), each in one transaction.

A confirmed flag is charged to its issuer's quota of its kind and of the year
it was received, through quotas.services.quota_flag, in the transaction that
confirms it: the flag's state and the ledger entry stand or fall together.
The race this prevents: two reviewers deciding the same flag at once (charging
it twice, or confirming what the other dismissed). The flag row is re-read
under a lock; the second finds it decided and gets a 409.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from approvals.errors import InvalidTransition, SubmissionRefused
from approvals.problems import Problem
from approvals.registry import PUBLIC_STATES
from approvals.uploads import UploadRefused, check_upload
from quotas.models import Kind
from quotas.services import QuotaMissing, quota_flag, quota_get
from quotas.transactions import committing
from quotas.workdays import add_working_days

from . import policy
from .models import STATE_OF_DECISION, Channel, Decision, Evidence, Flag, FlagState

MSG_DECIDED = gettext_noop("该线索已于 {at} 核查为“{state}”，不能再次核查。")
MSG_NOT_ISSUER = gettext_noop("请选择发文/开会的上级部门。")
MSG_FUTURE = gettext_noop("收到日期不能晚于今天。")
MSG_REASON = gettext_noop("不予认定时请写明理由（反映人可以看到）。")
MSG_MATCH_NEEDS_ITEM = gettext_noop("匹配时请指明已备案的事项。")
MSG_MATCH_WRONG_ITEM = gettext_noop("只能匹配该部门已备案（已批准、已办结或已取消）的事项。")
MSG_NO_QUOTA = gettext_noop("{department} 尚未设置 {year} 年度{kind}总量，请先设置后再确认。")
MSG_TOO_MANY_FILES = gettext_noop("每条线索最多上传 {n} 个证据文件。")

# What flag_file accepts besides the issuer and the files (its closed write contract).
FIELDS = ("channel", "kind", "received_on", "summary", "claimed_number", "forms_demanded",
          "materials_demanded", "attendees_demanded", "hours_demanded")


class FlagDecided(InvalidTransition):
    code = "flag_already_decided"


def _refuse(field, code, message):
    raise SubmissionRefused(message, code=code, problems=[Problem(field, code, message)])


def flag_file(*, by, issuer, evidence=(), **fields) -> Flag:
    """A grassroots reporter reports burden received outside the gate."""
    flag, checked = flag_prepare(by=by, issuer=issuer, evidence=evidence, **fields)
    with committing(transaction.atomic(durable=True)):
        flag_save(flag, checked)
    return flag


def flag_prepare(*, by, issuer, evidence=(), **fields) -> tuple[Flag, list]:
    """Every check of flag_file, nothing written: the unsaved flag and its checked
    files, for flag_save inside the caller's transaction (a monitoring point's
    monthly log files all its additions with the log, or none)."""
    policy.require_file(by)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"not a flag field: {', '.join(sorted(unknown))}")
    if not issuer.issues_proposals:
        _refuse("issuer", "invalid", _(MSG_NOT_ISSUER))
    received_on = fields.get("received_on")
    if received_on and received_on > timezone.localdate():
        _refuse("received_on", "invalid", _(MSG_FUTURE))
    checked = _checked_files(evidence)
    # The office's time limit, in working days like every other step's (办理时限).
    due_on = add_working_days(timezone.localdate(), settings.JIANFU["FLAG_TRIAGE_DAYS"])
    flag = Flag(reporter=by, unit_id=by.department_id, issuer=issuer, **fields, due_on=due_on)
    flag.full_clean(exclude=["reporter", "unit", "issuer"])
    return flag, checked


def flag_save(flag: Flag, checked) -> None:
    flag.save()
    for upload, described in checked:
        item = Evidence(flag=flag, name=described.name, size=described.size,
                        content_type=described.content_type, sha256=described.sha256)
        # The file is written before its row: a rollback leaves an orphan file, never a
        # row without its file.
        item.file.save(described.name, upload, save=False)
        item.save()


def _checked_files(evidence):
    limit = settings.JIANFU["FLAG_MAX_FILES"]
    if len(evidence) > limit:
        _refuse("evidence", "too_many_files", _(MSG_TOO_MANY_FILES).format(n=limit))
    checked = []
    for upload in evidence:
        try:
            checked.append((upload, check_upload(upload, field="evidence")))
        except UploadRefused as refused:
            raise SubmissionRefused(str(refused), code=refused.problem.code,
                                    problems=[refused.problem]) from None
    return checked


def flag_triage(*, flag: Flag, by, decision: str, comment: str = "", proposal=None) -> Flag:
    """The review office decides an open flag: confirm (charged to the issuer's
    quota), dismiss (with a reason the reporter sees) or match (to a registered
    item of the issuer). A decided flag stays decided (409)."""
    if decision not in Decision.values:
        _refuse("decision", "invalid", _("未知的核查结论：{d}").format(d=decision))
    comment = (comment or "").strip()
    with committing(transaction.atomic(durable=True)):
        current = Flag.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=flag.pk)
        policy.require_triage(by, current)
        if current.state != FlagState.OPEN:
            raise FlagDecided(_(MSG_DECIDED).format(
                at=timezone.localtime(current.decided_at).strftime("%Y-%m-%d %H:%M"),
                state=current.get_state_display()))
        if decision == Decision.CONFIRM:
            _charge(current, by)
        elif decision == Decision.DISMISS and not comment:
            _refuse("comment", "comment_required", _(MSG_REASON))
        elif decision == Decision.MATCH:
            current.matched_proposal = _registered_item_of(current.issuer, proposal)
        current.state = STATE_OF_DECISION[decision]
        current.decided_by, current.decided_at, current.answer = by, timezone.now(), comment
        current.save()
    return current


def _charge(flag: Flag, by) -> None:
    try:
        quota = quota_get(department=flag.issuer, year=flag.year, kind=flag.kind)
    except QuotaMissing:
        raise InvalidTransition(_(MSG_NO_QUOTA).format(
            department=flag.issuer.name, year=flag.year, kind=Kind(flag.kind).label),
            code="quota_missing") from None
    # The note names the flag and its channel, never who filed it: issuers read the ledger.
    note = _("明减暗增线索 #{id}（{channel}）").format(id=flag.pk, channel=Channel(flag.channel).label)
    quota_flag(quota=quota, source=flag, by=by, note=note)
    flag.quota = quota


def _registered_item_of(issuer, proposal):
    if proposal is None:
        _refuse("proposal", "required", _(MSG_MATCH_NEEDS_ITEM))
    if (proposal.department_id != issuer.pk or not proposal.registry_number
            or proposal.state not in PUBLIC_STATES):
        _refuse("proposal", "invalid", _(MSG_MATCH_WRONG_ITEM))
    return proposal
