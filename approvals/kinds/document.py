"""发文: a document to grassroots units."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ..problems import Problem
from .related import related_ids

# What a clerk fills in for a document, in form order (after title and necessity).
FIELDS = ("planned_date", "target_levels", "doc_type", "doc_category", "length_chars", "is_joint",
          "co_departments", "forms_required", "one_vote_veto", "responsibility_pledge")
# What completing one records (办结).
OUTCOME_FIELDS = ("doc_number", "issued_on")
REQUIRED = ("planned_date", "doc_type", "length_chars")


def required_problems(p) -> list[Problem]:
    missing = _("此项为必填项。")
    problems = [Problem(field, "required", missing) for field in REQUIRED if getattr(p, field) in (None, "")]
    if p.is_joint and not related_ids(p, "co_departments"):
        problems.append(Problem("co_departments", "required", _("联合发文须列出联合发文单位。")))
    return problems


def length_limit(p) -> int | None:
    """The 2024 若干规定: 综合性 documents are not length-limited (they escalate
    instead); one deploying a 专项 task or a specific job ≤ 4,000 characters;
    any other ≤ 5,000. The figures are settings."""
    if p.doc_category == "comprehensive":
        return None
    key = "DOCUMENT_SPECIFIC_MAX_CHARS" if p.doc_category == "specific" else "DOCUMENT_MAX_CHARS"
    return settings.JIANFU[key]


def rule_problems(p) -> list[Problem]:
    limit = length_limit(p)
    if limit is not None and p.length_chars and p.length_chars > limit:
        return [Problem("length_chars", "document_too_long", _(
            "{category}篇幅 {n} 字，超过 {limit} 字的上限，请精简。"
        ).format(category=p.get_doc_category_display(), n=p.length_chars, limit=limit))]
    return []


def escalations(p) -> list[dict]:
    reasons = [{"code": "comprehensive_document"}] if p.doc_category == "comprehensive" else []
    reasons += [{"code": flag} for flag in ("one_vote_veto", "responsibility_pledge") if getattr(p, flag)]
    if p.forms_required:
        reasons.append({"code": "forms_required", "n": p.forms_required})
    return reasons


def completion_problems(p, *, doc_number: str = "", issued_on=None, **ignored) -> list[Problem]:
    """An outcome is a fact: recorded once the document is out, never ahead of
    its planned date or of today."""
    problems = []
    if not (doc_number or "").strip():
        problems.append(Problem("doc_number", "required", _("请填写文号。")))
    today = timezone.localdate()
    if p.planned_date and p.planned_date > today:
        problems.append(Problem("issued_on", "not_yet", _(
            "计划印发日期 {day} 尚未到，印发后再登记办结。").format(day=p.planned_date.isoformat())))
    elif issued_on is None:
        problems.append(Problem("issued_on", "required", _("此项为必填项。")))
    elif issued_on > today:
        problems.append(Problem("issued_on", "not_yet", _("印发日期不能晚于今天。")))
    return problems


def record_outcome(p, *, doc_number: str = "", issued_on=None, **ignored) -> None:
    p.doc_number, p.issued_on = doc_number.strip(), issued_on
