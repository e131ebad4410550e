"""Web views: thin — fetch through approvals.policy, call one service, redirect.

A refused action re-renders the proposal page with the reason and the
refusal's 4xx status (403 not yours, 409 wrong state or quota, 400 bad data).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST
from viewflow.workflow.exceptions import FlowLockFailed

from quotas.access import sees_all_departments, visible_departments
from quotas.models import Kind, Quota

from . import assessment, deputies, policy, rules, selectors, services, timeliness, todo
from .api.preview import preview_body
from .lifecycle import STEP_OF_STATE, Action
from .policy import get_proposal_for_user
from .forms import (
    AttachmentForm, CommentForm, CompleteForm, DecisionForm, ListFilterForm, ProposalForm, SubmitForm,
)
from .models import Attachment, EmergencyCategory, Proposal, State
from .preview import proposal_preview
from .problems import Problem


# --- 待办 (the to-do centre) ---------------------------------------------------------

TODO_TABS = {"todo": _lazy("待办"), "done": _lazy("已办"), "mine": _lazy("我发起的")}


@login_required
@require_GET
def todo_page(request):
    """Every role starts here: what waits for me (oldest first, with its due date),
    what I acted on, what I started; a clerk also sees their drafts."""
    tab = request.GET.get("tab", "todo")
    if tab not in TODO_TABS:
        tab = "todo"
    source = {"todo": todo.waiting, "done": todo.done_by, "mine": todo.started_by}[tab](request.user)
    page = Paginator(source, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    if tab == "done":
        page.object_list = todo.acted_items(request.user, page.object_list)
    context = {"tab": tab, "tabs": TODO_TABS, "page": page, "query": f"tab={tab}"}
    if tab == "todo":
        context["items"] = _mark_deputised(request.user, todo.items(page.object_list))
        context["drafts"] = policy.visible_proposals(request.user).filter(
            created_by=request.user, state=State.DRAFT).order_by("-updated_at")[:20]
    return render(request, "approvals/todo.html", context)


def _mark_deputised(user, items):
    """Items `user` takes as a deputy (代理) say for whom."""
    if deputies.current_deputyships(user):
        for item in items:
            step = STEP_OF_STATE.get(item.proposal.state)
            item.on_behalf_of = policy.on_behalf_of(user, item.proposal, step) if step else None
    return items


# --- reading ------------------------------------------------------------------------

LIST_PAGE_SIZE = 50


@login_required
@require_GET
def proposal_list(request):
    departments = list(visible_departments(request.user).filter(issues_proposals=True).order_by("code"))
    form = ListFilterForm(request.GET, departments=departments)
    if not form.is_valid():
        return render(request, "approvals/list.html", {
            "form": form, "page": None, "may_draft": policy.may_draft(request.user)}, status=400)
    filters = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
    quota = None
    if "quota" in filters:
        quota = get_object_or_404(Quota.objects.select_related("department"), pk=filters["quota"],
                                  department__in=visible_departments(request.user))
        filters["quota"] = quota
    proposals = selectors.proposal_list(user=request.user, **filters)
    page = selectors.IdsFirstPaginator(proposals, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "approvals/list.html", {
        "form": form, "page": page, "proposals": page.object_list, "quota": quota,
        "overdue": todo.overdue_among(page.object_list),
        "query": _query_without_page(request), "may_draft": policy.may_draft(request.user),
    })


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _detail_context(request, proposal, **extra):
    user = request.user
    decisions = [(rule.action, rule.label) for rule in services.decisions_for(proposal, user)]
    may = {action: policy.may(user, proposal, action) for action in (
        Action.EDIT, Action.SUBMIT, Action.WITHDRAW, Action.COMPLETE, Action.CANCEL)}
    events = list(proposal.events.select_related("actor", "on_behalf_of"))
    context = {
        "proposal": proposal,
        "events": events,
        # Earlier decisions with their comments, newest first, at the top of the page.
        "opinions": [e for e in reversed(events) if e.comment and e.step != "clerk"],
        "returned": next((e for e in reversed(events) if e.to_state == State.RETURNED), None)
        if proposal.state == State.RETURNED else None,
        "task": services.open_task(proposal),
        "decision_form": DecisionForm(choices=decisions) if decisions else None,
        "may_edit": may[Action.EDIT],
        "may_submit": may[Action.SUBMIT],
        "may_withdraw": may[Action.WITHDRAW],
        "may_finish": may[Action.COMPLETE] or may[Action.CANCEL],
        "submit_form": SubmitForm(initial={"emergency": proposal.emergency, "justification": proposal.justification}),
        "comment_form": CommentForm(),
        "complete_form": CompleteForm(kind=proposal.kind),
        "attachment_form": AttachmentForm(),
        "attachments": list(proposal.attachments.all()),
        "slot": selectors.slot_of(proposal),
        "similar": selectors.similar_titles(proposal) if decisions else [],
        "merge_candidates": selectors.merge_candidates(proposal) if decisions else [],
        # A clerk who may submit gets every problem from the submission preview below.
        "warnings": rules.rule_problems(proposal) if may[Action.EDIT] and not may[Action.SUBMIT] else [],
    }
    if may[Action.SUBMIT]:
        _add_submission_preview(context, user, proposal)
    context["time_limit"] = timeliness.item_for(proposal)
    if proposal.planned_item_id:
        item = proposal.planned_item
        context["planned_item"] = item
        context["plan_visible"] = policy.visible_plans(user).filter(pk=item.plan_id).exists()
    context["preview"] = next((a for a in context["attachments"] if a.content_type == "application/pdf"), None)
    context.update(extra)
    return context


def _add_submission_preview(context, user, proposal) -> None:
    """What submitting would do, said before the clerk presses the button: every
    problem (instead of the rules alone), the slot it takes, and the 特事特办 box
    only when no slot is left."""
    checked = proposal_preview(by=user, proposal=proposal)
    context["warnings"] = checked.problems
    context["submission"] = {"position": assessment.describe_position(checked),
                             "emergency_only": checked.quota_tripped,
                             # Only an emergency in 安全生产 or 自然灾害 may pass a full month.
                             "month_full": checked.full_month is not None,
                             "escalations": [rules.describe_escalation(r) for r in checked.escalations],
                             "cost": checked.cost}


@login_required
@require_GET
def proposal_detail(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    return render(request, "approvals/detail.html", _detail_context(request, proposal))


# --- drafting -----------------------------------------------------------------------

@login_required
def proposal_create(request, kind):
    if kind not in Kind.values:
        raise Http404("No such kind")
    if not policy.may_draft(request.user):
        raise PermissionDenied(_("只有经办人可以起草申请。"))
    form = ProposalForm(request.POST or None, kind=kind, department_id=request.user.department_id)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(by=request.user, kind=kind, **_draft_fields(form))
        except services.ProposalError as error:
            _form_errors(form, error)
        else:
            _warn_rules(request, proposal)
            messages.success(request, _("草稿已保存。"))
            return redirect("approvals:detail", pk=proposal.pk)
    return render(request, "approvals/form.html", {"form": form, "kind": kind, "proposal": None},
                  status=400 if form.errors else 200)


@login_required
def proposal_edit(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    try:
        policy.require(request.user, proposal, Action.EDIT)
    except services.ProposalError as error:
        return _refused(request, proposal, error)
    form = ProposalForm(request.POST or None, instance=proposal, kind=proposal.kind,
                        department_id=proposal.department_id)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_update(proposal=proposal, by=request.user, **_draft_fields(form))
        except services.ProposalError as error:
            return _refused(request, proposal, error)
        _warn_rules(request, proposal)
        messages.success(request, _("修改已保存。"))
        return redirect("approvals:detail", pk=proposal.pk)
    return render(request, "approvals/form.html", {"form": form, "kind": proposal.kind, "proposal": proposal},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def proposal_preview_form(request, kind=None, pk=None):
    """The form's live preview (static/js/preview.js): the form as typed, assessed
    by the function submission refuses with; the API's preview body plus words
    for the page. Nothing is written."""
    proposal = get_proposal_for_user(request.user, pk) if pk is not None else None
    kind = proposal.kind if proposal else kind
    if kind not in Kind.values:
        raise Http404("No such kind")
    form = ProposalForm(request.POST, kind=kind, department_id=request.user.department_id)
    form.is_valid()
    # Empty required fields are the assessment's to report; other input errors are problems too.
    typed = [Problem(name, "invalid", str(message)) for name, errors in form.errors.as_data().items()
             for error in errors if error.code != "required" for message in error.messages]
    fields = {k: v for k, v in _draft_fields(form, partial=True).items() if k not in form.errors}
    emergency = request.POST.get("emergency") in ("on", "1", "true")
    try:
        checked = proposal_preview(by=request.user, proposal=proposal, kind=kind, emergency=emergency,
                                   justification=request.POST.get("justification", ""),
                                   emergency_category=_emergency_category(request.POST), **fields)
    except services.ProposalError as error:
        return JsonResponse({"code": error.code, "detail": str(error)}, status=error.status)
    body = preview_body(checked)
    body["problems"] = [{"field": p.field, "code": p.code, "message": p.message} for p in typed] + body["problems"]
    day = proposal_day(kind, fields) or (proposal.planned_day if proposal else None)
    body["display"] = {
        "position": assessment.describe_position(checked),
        "emergency_only": checked.quota_tripped,
        "month_full": checked.full_month is not None,
        "state_label": checked.quota_after.get_breaker_state_display() if checked.quota_after else "",
        "next_free_day": assessment.day_words(checked.next_free_day) if checked.next_free_day else "",
        "calendar": assessment.meeting_free_strip(day) if day and kind != Kind.DOCUMENT else [],
    }
    return JsonResponse(body)


def proposal_day(kind, fields):
    start = fields.get("start") if kind != Kind.DOCUMENT else None
    if start:
        return timezone.localtime(start).date()
    return fields.get("planned_date")


def _form_errors(form, error) -> None:
    """A service's refusal shown on the form that caused it, keeping every input."""
    for problem in error.problems or [None]:
        field = problem.field if problem and problem.field in form.fields else None
        form.add_error(field, problem.message if problem else str(error))


def _draft_fields(form, *, partial=False) -> dict:
    if partial:  # a form with errors: the fields that were read
        data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
    else:
        data = {name: form.cleaned_data[name] for name in form.fields}
    for name in ("forms_required", "attendees_city", "attendees_county", "attendees_township", "attendees_village"):
        if name in data and data[name] is None:
            data[name] = 0
    for name in ("doc_type", "meeting_format", "venue"):
        if name in data and data[name] is None:
            data[name] = ""
    return data


def _warn_rules(request, proposal) -> None:
    """A draft may break a rule; say so now rather than at submission."""
    for problem in rules.rule_problems(proposal):
        messages.warning(request, _("提交前请修改：") + problem.message)


# --- actions --------------------------------------------------------------------------

def _refused(request, proposal, error, **extra):
    if isinstance(error, FlowLockFailed):
        message, status = _("该申请正在被他人处理，请稍后重试。"), 409
    else:
        message, status = str(error), error.status
    proposal = Proposal.objects.get(pk=proposal.pk)
    context = _detail_context(request, proposal, error=message, error_quota=getattr(error, "quota", None),
                              problems=getattr(error, "problems", []), **extra)
    return render(request, "approvals/detail.html", context, status=status)


def _act(request, proposal, action, success_message, **extra_context):
    try:
        action()
    except (services.ProposalError, FlowLockFailed) as error:
        return _refused(request, proposal, error, **extra_context)
    messages.success(request, success_message)
    return redirect("approvals:detail", pk=proposal.pk)


def _emergency_category(data) -> str:
    value = data.get("emergency_category", "")
    return value if value in EmergencyCategory.values else ""


@login_required
@require_POST
def proposal_submit(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _refused(request, proposal, services.SubmissionRefused(_("提交的内容有误。")), submit_form=form)
    # A refused submission shows the form as sent (特事特办 ticked, justification kept).
    return _act(request, proposal, lambda: services.proposal_submit(
        proposal=proposal, by=request.user, emergency=form.cleaned_data["emergency"],
        justification=form.cleaned_data["justification"], emergency_category=form.cleaned_data["emergency_category"],
    ), _("已提交，等待部门负责人审签。"), submit_form=form)


@login_required
@require_POST
def proposal_decide(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")
    try:
        decided = services.proposal_decide(proposal=proposal, by=request.user, decision=decision, comment=comment)
    except (services.ProposalError, FlowLockFailed) as error:
        return _refused(request, proposal, error)
    messages.success(request, str(WHERE_IT_WENT.get(decided.state, _lazy("已办理。"))))
    following = todo.next_after(request.user, decided)
    if following is None:
        messages.info(request, _("您的待办已全部办完。"))
        return redirect("approvals:todo")
    messages.info(request, _("下一件：#{pk} {title}").format(pk=following.pk, title=following.title))
    return redirect("approvals:detail", pk=following.pk)


# After a decision, say where the item went (then 下一件 opens).
WHERE_IT_WENT = {
    State.OFFICE_REVIEW: _lazy("已审签，已送减负办审核。"),
    State.LEADER_REVIEW: _lazy("已报领导小组审批。"),
    State.APPROVED: _lazy("已批准，已给出减负备案号；经办人将登记办理结果。"),
    State.RETURNED: _lazy("已退回经办人修改。"),
    State.REJECTED: _lazy("已决定不予通过，占用的总量已释放。"),
}


@login_required
@require_POST
def proposal_withdraw(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    comment = request.POST.get("comment", "")
    return _act(request, proposal, lambda: services.proposal_withdraw(
        proposal=proposal, by=request.user, comment=comment), _("已撤回，占用的总量已释放。"))


@login_required
@require_POST
def proposal_cancel(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    comment = request.POST.get("comment", "")
    return _act(request, proposal, lambda: services.proposal_cancel(
        proposal=proposal, by=request.user, comment=comment), _("已取消，总量已释放。"))


@login_required
@require_POST
def proposal_complete(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    form = CompleteForm(request.POST, kind=proposal.kind)
    if not form.is_valid():
        return _refused(request, proposal, services.SubmissionRefused(
            "；".join(str(e) for errors in form.errors.values() for e in errors)), complete_form=form)
    data = {k: v for k, v in form.cleaned_data.items() if k != "comment"}
    return _act(request, proposal, lambda: services.proposal_complete(
        proposal=proposal, by=request.user, comment=form.cleaned_data["comment"], **data,
    ), _("已登记办结。"))


# --- attachments ----------------------------------------------------------------------

@login_required
@require_POST
def attachment_upload(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, proposal, services.SubmissionRefused(_("请选择要上传的文件。")),
                        attachment_form=form)
    return _act(request, proposal, lambda: services.attachment_add(
        proposal=proposal, by=request.user, upload=form.cleaned_data["file"], role=form.cleaned_data["role"],
    ), _("已上传。"))


@login_required
@require_GET
def attachment_download(request, pk, attachment_id):
    """Only those who may see the item may download its files (404 otherwise).
    ?inline=1 shows a PDF in the page's preview frame."""
    proposal = get_proposal_for_user(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal)
    inline = request.GET.get("inline") == "1" and attachment.content_type == "application/pdf"
    response = FileResponse(attachment.file.open("rb"), as_attachment=not inline, filename=attachment.name,
                            content_type=attachment.content_type)
    if inline:
        # Shown in our own page's frame: allow that one origin, nothing else.
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'; object-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_remove(request, pk, attachment_id):
    proposal = get_proposal_for_user(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal)
    return _act(request, proposal, lambda: services.attachment_remove(attachment=attachment, by=request.user),
                _("已删除附件“{name}”。").format(name=attachment.name))


# --- 办理时限: the office's overview ---------------------------------------------------------

@login_required
@require_GET
def timeliness_page(request):
    """Overdue items per department (now) and late decisions per person (this year),
    for the review office, the leaders and the auditors."""
    if not sees_all_departments(request.user):
        raise PermissionDenied(_("只有减负办、领导小组和监督考核人员可以查看。"))
    year = timezone.localdate().year
    departments = timeliness.department_counts()
    deciders = timeliness.decider_counts(year)
    return render(request, "approvals/timeliness.html", {
        "departments": departments, "deciders": deciders, "year": year,
        "department_totals": timeliness.totals(departments, "waiting", "overdue"),
        "step_days": settings.JIANFU["STEP_DAYS"],
    })


# --- public disclosure ---------------------------------------------------------------------

@require_GET
def meeting_costs(request):
    """会议成本公示: completed meetings and their cost, no login needed."""
    meetings = selectors.completed_meetings()
    total = meetings.aggregate(total=Sum("actual_cost"))["total"]
    page = Paginator(meetings, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "approvals/meeting_costs.html", {
        "meetings": page.object_list, "page": page, "total": total, "query": ""})
