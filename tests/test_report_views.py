"""The compliance report pages: who may use them, background generation, GET-only download."""

import pytest
from django.urls import include, path

import config.urls
from reports.models import Report, ReportStatus
from tests.factory import make_user

YEAR = 2027

# The site's urls plus ours, whether or not config/urls.py includes them yet.
urlpatterns = list(config.urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "reports" for p in urlpatterns):
    urlpatterns.append(path("reports/", include("reports.urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__), pytest.mark.people(year=YEAR)]


def as_user(client, user):
    client.force_login(user)
    return client


def start(client, **fields):
    return client.post("/reports/generate/", {"year": YEAR, "department": "", "reduction": "0.30", **fields})


@pytest.mark.parametrize("role", ["reviewer", "leader", "auditor"])
def test_it_shows_the_form_to_the_review_office_leaders_and_auditors(people, client, role):
    response = as_user(client, getattr(people, role)).get("/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-turbo="false"' in page and "csrfmiddlewaretoken" in page
    assert 'action="/reports/generate/"' in page and "江海市教育局" in page


def test_a_superuser_may_use_it(people, client):
    admin = make_user("root")
    admin.is_superuser = True
    admin.save()
    assert as_user(client, admin).get("/reports/").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("role", ["clerk", "head"])
def test_clerks_and_heads_get_403_everywhere(people, client, role):
    report, _ = _done_report(people)
    client = as_user(client, getattr(people, role))
    assert client.get("/reports/").status_code == 403
    assert start(client).status_code == 403
    assert client.get(f"/reports/{report.pk}/").status_code == 403
    assert client.get(f"/reports/{report.pk}/download/").status_code == 403
    assert Report.objects.count() == 1


@pytest.mark.slow
def test_anonymous_is_sent_to_login(people, client):
    report, _ = _done_report(people)
    for url in ["/reports/", f"/reports/{report.pk}/", f"/reports/{report.pk}/download/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = start(client)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Report.objects.count() == 1


def _done_report(people):
    from reports.services import report_request

    return report_request(year=YEAR, department=None, reduction="0.30", by=people.auditor)


@pytest.mark.slow
def test_it_generates_in_the_background_and_downloads_by_get(people, client):
    client = as_user(client, people.auditor)
    response = start(client)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert not response.content.startswith(b"%PDF")
    assert (report.status, report.progress, report.requested_by) == (ReportStatus.DONE, 100, people.auditor)
    page = client.get(response["Location"]).content.decode()
    assert f"/reports/{report.pk}/download/" in page and 'http-equiv="refresh"' not in page
    download = client.get(f"/reports/{report.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content.startswith(b"%PDF") and report.pages >= 3


@pytest.mark.slow
def test_download_and_generate_refuse_the_other_method(people, client):
    report, _ = _done_report(people)
    client = as_user(client, people.reviewer)
    assert client.post(f"/reports/{report.pk}/download/").status_code == 405
    assert client.get("/reports/generate/").status_code == 405
    assert client.post(f"/reports/{report.pk}/").status_code == 405


@pytest.mark.slow
def test_unchanged_data_reuses_the_report_and_changed_data_makes_a_new_one(people, client):
    client = as_user(client, people.leader)
    start(client)
    start(client)
    assert Report.objects.count() == 1
    people.submitted(people.document())
    start(client)
    assert Report.objects.count() == 2
    start(client, department=people.dept.pk)
    assert Report.objects.filter(department=people.dept).count() == 1


@pytest.mark.slow
def test_a_report_in_progress_polls_and_offers_no_download(people, client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = as_user(client, people.reviewer)
    start(client)
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page and "/download/" not in page
    assert client.get(f"/reports/{report.pk}/download/").status_code == 404

    from reports.services import report_generate

    assert report_generate(report_id=report.pk).status == ReportStatus.DONE
    assert client.get(f"/reports/{report.pk}/download/").status_code == 200


def test_a_failed_generation_shows_why(people, client, settings, monkeypatch):
    from reports import pdf

    monkeypatch.setattr(pdf, "cjk_fonts", set)
    client = as_user(client, people.reviewer)
    start(client)
    report = Report.objects.get()
    assert report.status == ReportStatus.FAILED and report.pdf is None
    assert "没有可用的中文字体" in client.get(f"/reports/{report.pk}/").content.decode()


def test_an_invalid_form_is_a_400_with_the_errors(people, client):
    client = as_user(client, people.auditor)
    response = start(client, reduction="1.5")
    assert response.status_code == 400 and Report.objects.count() == 0


@pytest.mark.slow
def test_the_report_is_in_chinese_even_for_an_english_reader(people, client, settings):
    import subprocess

    client = as_user(client, people.auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    start(client)
    report = Report.objects.get()
    text = subprocess.run(["pdftotext", "-", "-"], input=bytes(report.pdf), capture_output=True,
                          check=True).stdout.decode()
    assert "部门负责人" in text and "已批准" in text and "Department head" not in text


@pytest.mark.slow
def test_a_task_delivered_twice_renders_once(people, settings, monkeypatch):
    from reports import render
    from reports.services import report_generate, report_request

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    report, _ = report_request(year=YEAR, department=people.dept, reduction="0.30", by=people.leader)
    assert report_generate(report_id=report.pk).status == ReportStatus.DONE
    monkeypatch.setattr(render, "generate", lambda **kwargs: pytest.fail("rendered twice"))
    assert report_generate(report_id=report.pk).status == ReportStatus.DONE


@pytest.mark.slow
def test_a_closed_year_downloads_as_stored_and_regenerating_makes_a_new_numbered_version(people, client, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    late = dt.datetime(YEAR + 1, 1, 15, tzinfo=dt.timezone.utc)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: late)
    client = as_user(client, people.auditor)
    start(client)
    first = Report.objects.get()
    assert not first.provisional and first.version == 1 and first.number.endswith(f"〔{YEAR}〕1号")
    monkeypatch.setattr(timezone, "now", real_now)
    people.submitted(people.document())  # the data changes after the year closed
    monkeypatch.setattr(timezone, "now", lambda: late)
    response = start(client)
    assert response["Location"] == f"/reports/{first.pk}/" and Report.objects.count() == 1
    assert "已存档" in client.get(response["Location"]).content.decode()
    stored = client.get(f"/reports/{first.pk}/download/").content
    assert stored == bytes(Report.objects.get(pk=first.pk).pdf)
    start(client, regenerate="on")
    second = Report.objects.exclude(pk=first.pk).get()
    assert second.version == 2 and second.number.endswith(f"〔{YEAR}〕2号")
    assert second.fingerprint != first.fingerprint and bytes(Report.objects.get(pk=first.pk).pdf) == stored
