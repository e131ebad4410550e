"""The preview on the clerk's pages (issue 14, item 1): the form's live preview,
"新建" that explains a tripped quota, and the 特事特办 box only when it applies."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals.models import SHANGHAI
from quotas.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _meeting_form(day="2027-09-15", **fields):
    data = {
        "title": "全市秋季开学工作部署会", "necessity": "开学在即，须当面部署。", "target_levels": ["county"],
        "start": f"{day}T09:00", "end": f"{day}T11:00", "meeting_format": "onsite", "meeting_class": "3",
        "attendees_city": "20", "attendees_county": "10", "attendees_township": "5", "attendees_village": "0",
        "venue": "市政府第三会议室",
    }
    data.update(fields)
    return data


def test_the_form_page_loads_the_preview_script(client, people):
    client.force_login(people.clerk)
    page = client.get("/proposals/new/meeting/").content.decode()
    assert 'data-preview-url="/proposals/new/meeting/preview/"' in page
    assert "js/preview.js" in page and 'id="preview"' in page and " onchange=" not in page.split("<main>")[1]


def test_the_form_preview_reads_the_form_as_typed_and_writes_nothing(client, people):
    client.force_login(people.clerk)
    entries = LedgerEntry.objects.count()
    response = client.post("/proposals/new/meeting/preview/", _meeting_form())
    assert response.status_code == 200
    body = response.json()
    assert [(p["field"], p["code"]) for p in body["problems"]] == [("start", "meeting_free_day")]
    assert body["next_free_day"] == "2027-09-16"
    assert body["display"]["next_free_day"] == "9月16日（周四）"
    assert body["display"]["position"] == "将占用 2027 年度会议总量第 1/5 个名额"
    strip = {day["date"]: day for day in body["display"]["calendar"]}
    assert strip["2027-09-15"]["free"] and strip["2027-09-15"]["chosen"]
    assert strip["2027-09-15"]["rule"] == "每周三无会日" and not strip["2027-09-16"]["free"]
    assert body["estimated_cost"]["amount"] == "22750.00"
    assert LedgerEntry.objects.count() == entries and not people.meeting_quota.proposals.exists()


def test_the_form_preview_reports_typing_errors_beside_the_rules(client, people):
    client.force_login(people.clerk)
    body = client.post("/proposals/new/meeting/preview/",
                       _meeting_form(day="2027-09-14", attendees_city="many", title="")).json()
    assert ("attendees_city", "invalid") in [(p["field"], p["code"]) for p in body["problems"]]
    assert ("title", "required") in [(p["field"], p["code"]) for p in body["problems"]]


def test_the_edit_form_previews_the_draft_with_its_unsaved_changes(client, people):
    draft = people.meeting()
    client.force_login(people.clerk)
    page = client.get(f"/proposals/{draft.pk}/edit/").content.decode()
    assert f'data-preview-url="/proposals/{draft.pk}/preview/"' in page
    body = client.post(f"/proposals/{draft.pk}/preview/", _meeting_form(day="2027-09-16")).json()
    assert body["problems"] == []


def test_the_form_preview_is_post_only_and_for_those_who_may_submit(client, people):
    draft = people.meeting()
    assert client.post("/proposals/new/meeting/preview/", _meeting_form()).status_code == 302  # to login
    client.force_login(people.clerk)
    assert client.get("/proposals/new/meeting/preview/").status_code == 405
    assert client.post("/proposals/new/nothing/preview/", {}).status_code == 404
    client.force_login(people.outsider)
    assert client.post(f"/proposals/{draft.pk}/preview/", _meeting_form()).status_code == 404
    client.force_login(people.head)
    assert client.post(f"/proposals/{draft.pk}/preview/", _meeting_form()).status_code == 403


@pytest.mark.people(year=dt.date.today().year, meeting_cap=1)
def test_new_explains_a_tripped_quota_and_offers_only_the_emergency_path(client, people):
    year = timezone.localdate().year
    day = next(dt.date(year, 1, d) for d in range(8, 15) if dt.date(year, 1, d).isoweekday() in (1, 2, 4, 5))
    start = dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)
    people.submitted(people.meeting(start=start, end=start + dt.timedelta(hours=1)))
    client.force_login(people.clerk)
    page = client.get("/proposals/todo/").content.decode()
    assert f"江海市教育局 {year} 年度会议总量已用完（1/1）" in page
    assert "新建会议申请（仅限特事特办）" in page and "新建发文申请（仅限特事特办）" not in page
    form = client.get("/proposals/new/meeting/").content.decode()
    assert 'id="quota-notice"' in form and "只能按特事特办提交" in form
    listing = client.get("/proposals/").content.decode()
    assert "新建会议申请（仅限特事特办）" in listing


def test_the_emergency_box_appears_only_when_the_quota_is_tripped(client, people):
    draft = people.document()
    client.force_login(people.clerk)
    page = client.get(f"/proposals/{draft.pk}/").content.decode()
    assert 'name="justification"' not in page and 'name="emergency"' not in page
    assert "将占用 2027 年度发文总量第 1/5 个名额" in page
    for _ in range(5):
        people.submitted(people.document())
    page = client.get(f"/proposals/{draft.pk}/").content.decode()
    assert 'type="hidden" name="emergency" value="on"' in page and 'name="justification"' in page
    assert "按特事特办提交" in page and "2027 年度发文总量已用完（5/5）" in page
    response = client.post(f"/proposals/{draft.pk}/submit/", {"emergency": "on", "justification": "汛期险情"})
    assert response.status_code == 302


def test_the_item_page_lists_every_problem_submission_would_name(client, people):
    draft = people.document(doc_type="", length_chars=9000)
    client.force_login(people.clerk)
    page = client.get(f"/proposals/{draft.pk}/").content.decode()
    assert page.count('class="warn-box"') >= 2
    assert "此项为必填项" in page and "超过 5000 字的上限" in page
