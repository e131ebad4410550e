"""The bell's list: the caller's notifications, newest first, and the e-mail switch."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import Notification


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=gettext_lazy("同时发送电子邮件"), required=False)


@login_required
@require_GET
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user)  # the page names the proposal by id only
    page = Paginator(notes, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "query": "", "form": PreferenceForm(initial={"email": services.wants_email(request.user)
                                                                   or not request.user.email}),
        "has_address": bool(request.user.email)})


@login_required
@require_POST
def notification_read(request, pk):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(note=note, by=request.user)
    if note.proposal_id:
        return redirect("approvals:detail", pk=note.proposal_id)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    services.mark_all_read(by=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_preference(request):
    form = PreferenceForm(request.POST)
    form.is_valid()
    services.preference_set(user=request.user, email=form.cleaned_data.get("email", False))
    messages.success(request, _("通知设置已保存。"))
    return redirect("notifications:list")
