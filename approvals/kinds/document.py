"""发文: a document to grassroots units."""

from django.conf import settings
from django.utils.translation import gettext as _

from ..problems import Problem

# What a clerk fills in for a document, in form order (after title and necessity).
FIELDS = ("planned_date", "target_levels", "doc_type", "length_chars", "is_joint", "co_departments",
          "forms_required", "one_vote_veto", "responsibility_pledge")
REQUIRED = ("planned_date", "doc_type", "length_chars")


def required_problems(p) -> list[Problem]:
    missing = _("此项为必填项。")
    problems = [Problem(field, "required", missing) for field in REQUIRED if getattr(p, field) in (None, "")]
    if p.is_joint and not (p.pk and p.co_departments.exists()):
        problems.append(Problem("co_departments", "required", _("联合发文须列出联合发文单位。")))
    return problems


def rule_problems(p) -> list[Problem]:
    limit = settings.JIANFU["DOCUMENT_MAX_CHARS"]
    if p.length_chars and p.length_chars > limit:
        return [Problem("length_chars", "document_too_long", _(
            "文件篇幅 {n} 字，超过 {limit} 字的上限，请精简。").format(n=p.length_chars, limit=limit))]
    return []


def escalations(p) -> list[dict]:
    reasons = [{"code": flag} for flag in ("one_vote_veto", "responsibility_pledge") if getattr(p, flag)]
    if p.forms_required:
        reasons.append({"code": "forms_required", "n": p.forms_required})
    return reasons


def completion_problems(p, *, doc_number: str = "", issued_on=None, **ignored) -> list[Problem]:
    problems = []
    if not (doc_number or "").strip():
        problems.append(Problem("doc_number", "required", _("请填写文号。")))
    if issued_on is None:
        problems.append(Problem("issued_on", "required", _("此项为必填项。")))
    return problems


def record_outcome(p, *, doc_number: str = "", issued_on=None, **ignored) -> None:
    p.doc_number, p.issued_on = doc_number.strip(), issued_on
