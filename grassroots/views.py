"""Pages of the receiving end: the public /verify/ look-up, the reporter's flags,
the office's triage and the issuer's view. Thin: policy for access, one service
call, redirect. Who filed a flag reaches a template only through `sees_reporter`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals.errors import ProposalError
from approvals.registry import registered_item
from quotas.access import visible_departments

from . import policy, selectors, services
from .models import Channel, FlagState
from .forms import FlagFilterForm, FlagForm, TriageForm, VerifyForm
from .throttles import lookup_allowed

PAGE_SIZE = 50


@require_GET
def verify(request):
    """查验减负备案号: public, no login; look-ups are rate-limited per client address."""
    form = VerifyForm(request.GET or None)
    context = {"form": form, "looked_up": False}
    if form.is_bound and form.is_valid():
        allowed, wait = lookup_allowed(request)
        if not allowed:
            context["throttled"] = int(wait or 60) + 1
            response = render(request, "grassroots/verify.html", context, status=429)
            response["Retry-After"] = str(context["throttled"])
            return response
        context.update(looked_up=True, item=registered_item(form.cleaned_data["number"]))
    return render(request, "grassroots/verify.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def flag_list(request):
    user = request.user
    form = FlagFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    flags = selectors.flag_list(user=user, **{k: v for k, v in filters.items() if v not in ("", None)})
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    year = filters.get("year") or timezone.localdate().year
    figures = None
    if not policy.may_file(user):
        departments = list(visible_departments(user).filter(issues_proposals=True))
        figures_by_id = selectors.flag_figures(year, departments)
        figures = [(d, figures_by_id[d.pk], _by_channel(figures_by_id[d.pk])) for d in departments]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "grassroots/flag_list.html", {
        "form": form, "page": page, "flags": page.object_list, "query": query.urlencode(),
        "may_file": policy.may_file(user), "is_office": policy.is_office(user),
        "sees_reporter": policy.sees_reporter(user), "figures": figures, "year": year,
        "today": timezone.localdate(), "queue": _queue(user) if policy.is_office(user) else None,
    })


def _queue(user) -> dict:
    """The office's triage queue at a glance: open flags, and those past their time limit."""
    open_flags = selectors.flag_list(user=user, state=FlagState.OPEN)
    return {"open": open_flags.count(), "overdue": selectors.overdue(open_flags, timezone.localdate()).count()}


def _by_channel(figures) -> str:
    return "、".join(f"{Channel(c).label} {n}" for c, n in figures["by_channel"].items() if n)


@login_required
def flag_create(request):
    if not policy.may_file(request.user):
        raise PermissionDenied(_(policy.MSG_NOT_REPORTER))
    form = FlagForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            flag = services.flag_file(by=request.user, issuer=data.pop("issuer"),
                                      evidence=data.pop("evidence"), **data)
        except ProposalError as error:
            for problem in error.problems or [None]:
                field = problem.field if problem and problem.field in form.fields else None
                form.add_error(field, problem.message if problem else str(error))
        else:
            messages.success(request, _("线索已提交，减负办将于 {due} 前核查。").format(due=flag.due_on))
            return redirect("grassroots:detail", pk=flag.pk)
    return render(request, "grassroots/flag_form.html", {"form": form},
                  status=400 if form.errors else 200)


def _detail(request, flag, *, form=None, error=None, status=200):
    user = request.user
    return render(request, "grassroots/flag_detail.html", {
        "flag": flag, "sees_reporter": policy.sees_reporter(user, flag),
        "may_triage": flag.is_open and policy.may_triage(user, flag),
        "form": form or TriageForm(), "error": error, "evidence": flag.evidence.all(),
    }, status=status)


@login_required
@require_GET
def flag_detail(request, pk):
    return _detail(request, policy.get_flag_for_user(request.user, pk))


@login_required
@require_POST
def flag_triage(request, pk):
    flag = policy.get_flag_for_user(request.user, pk)
    form = TriageForm(request.POST)
    if not form.is_valid():
        return _detail(request, flag, form=form, status=400)
    data = form.cleaned_data
    try:
        services.flag_triage(flag=flag, by=request.user, decision=data["decision"],
                             comment=data["comment"], proposal=data["proposal"])
    except ProposalError as error:
        flag = policy.get_flag_for_user(request.user, pk)
        return _detail(request, flag, form=form, error=str(error), status=error.status)
    messages.success(request, _("已核查。"))
    return redirect("grassroots:detail", pk=flag.pk)


@login_required
@require_GET
def evidence_download(request, pk, evidence_pk):
    """Evidence may name the person who filed it: the office and the reporter only."""
    flag = policy.get_flag_for_user(request.user, pk)
    if not policy.sees_reporter(request.user, flag):
        raise Http404("No such file")
    item = get_object_or_404(flag.evidence, pk=evidence_pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name,
                        content_type=item.content_type)
