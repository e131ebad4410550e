"""The flag pages and the admin: the reporter files with evidence and reads the
office's answer; the office triages and sees who filed; the issuer sees its
flags without reporter, unit or evidence files — on pages, in error messages
and in the admin (issue 15)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grassroots import services
from grassroots.models import Evidence, Flag, FlagState
from tests.factory import People, make_user, reload
from tests.grassroots import Grassroots

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WHO_FILED = ("grassroots_town", "柳溪镇", "证据截图.png")


@pytest.fixture
def people():
    return People(year=timezone.localdate().year, cap=2)


@pytest.fixture
def grassroots(people):
    return Grassroots(people)


def signed_in(client, user):
    client.force_login(user)
    return client


def form(**fields):
    values = {"issuer": "", "channel": "memo", "kind": "document", "received_on": str(timezone.localdate()),
              "summary": "以便笺形式要求各村报送人居环境整治台账。", "forms_demanded": 2,
              "materials_demanded": 1, "attendees_demanded": 0, "hours_demanded": 6, "claimed_number": ""}
    values.update(fields)
    return values


def test_a_reporter_files_a_flag_with_evidence(client, people, grassroots):
    signed_in(client, grassroots.reporter)
    assert client.get("/flags/new/").status_code == 200
    evidence = SimpleUploadedFile("证据截图.png", PNG, content_type="image/png")
    response = client.post("/flags/new/", {**form(issuer=people.dept.pk), "evidence": [evidence]})
    flag = Flag.objects.get()
    assert response.status_code == 302 and response.url == f"/flags/{flag.pk}/"
    item = Evidence.objects.get(flag=flag)
    assert (item.name, item.content_type, item.size) == ("证据截图.png", "image/png", len(PNG))
    assert "证据截图" not in item.file.name  # stored under a random name
    download = client.get(f"/flags/{flag.pk}/evidence/{item.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG


def test_a_renamed_file_is_refused_by_its_content(client, people, grassroots):
    signed_in(client, grassroots.reporter)
    fake = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post("/flags/new/", {**form(issuer=people.dept.pk), "evidence": [fake]})
    assert response.status_code == 400
    assert "文件内容与扩展名" in response.content.decode()
    assert not Flag.objects.exists()


def test_others_may_not_open_the_filing_page(client, people):
    for who in (people.clerk, people.reviewer):
        assert signed_in(client, who).get("/flags/new/").status_code == 403
    client.logout()
    assert client.get("/flags/new/").status_code == 302  # to the login page


def test_the_office_triages_on_the_page_and_the_reporter_reads_the_answer(client, people, grassroots):
    flag = grassroots.flag()
    office = signed_in(client, people.reviewer)
    page = office.get(f"/flags/{flag.pk}/").content.decode()
    assert "grassroots_town" in page and 'id="triage-form"' in page
    assert office.get(f"/flags/{flag.pk}/triage/").status_code == 405
    refused = office.post(f"/flags/{flag.pk}/triage/", {"decision": "dismiss", "comment": ""})
    assert refused.status_code == 400 and "写明理由" in refused.content.decode()
    done = office.post(f"/flags/{flag.pk}/triage/", {"decision": "dismiss", "comment": "系转发省里的通知，已备案。"})
    assert done.status_code == 302
    again = office.post(f"/flags/{flag.pk}/triage/", {"decision": "confirm"})
    assert again.status_code == 409
    reporter_page = signed_in(client, grassroots.reporter).get(f"/flags/{flag.pk}/").content.decode()
    assert "不予认定" in reporter_page and "系转发省里的通知，已备案。" in reporter_page


def test_the_office_matches_by_registry_number(client, people, grassroots):
    item = reload(people.approved(people.document()))
    flag = grassroots.flag()
    office = signed_in(client, people.reviewer)
    wrong = office.post(f"/flags/{flag.pk}/triage/", {"decision": "match", "number": "江减备〔1999〕0001号"})
    assert wrong.status_code == 400
    office.post(f"/flags/{flag.pk}/triage/", {"decision": "match", "number": item.registry_number})
    assert (reload(flag).state, reload(flag).matched_proposal) == (FlagState.MATCHED, item)


def test_the_office_list_shows_overdue_flags_first(client, people, grassroots):
    late = grassroots.flag()
    Flag.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    on_time = grassroots.flag()
    Flag.objects.filter(pk=on_time.pk).update(due_on=timezone.localdate() + dt.timedelta(days=3))
    page = signed_in(client, people.reviewer).get("/flags/?state=open").content.decode()
    assert page.count("已超期") == 1
    assert "待核查 2 条" in page and "其中 1 条已超过核查期限" in page
    assert page.index(f'href="/flags/{late.pk}/"') < page.index(f'href="/flags/{on_time.pk}/"')


def test_the_issuer_sees_its_flags_and_figures_but_never_who_filed(client, people, grassroots):
    flag = grassroots.flag(evidence=[SimpleUploadedFile("证据截图.png", PNG)])
    services.flag_triage(flag=flag, by=people.reviewer, decision="confirm", comment="属实")
    evidence = Evidence.objects.get()
    issuer = signed_in(client, people.head)
    pages = [issuer.get("/flags/"), issuer.get(f"/flags/{flag.pk}/"),
             issuer.post(f"/flags/{flag.pk}/triage/", {"decision": "dismiss", "comment": "不服"}),
             issuer.get(f"/flags/{flag.pk}/evidence/{evidence.pk}/")]
    assert [p.status_code for p in pages] == [200, 200, 403, 404]
    assert 'id="flag-figures"' in pages[0].content.decode()
    assert "工作群通知 1" in pages[0].content.decode()  # confirmed, by channel
    for response in pages:
        text = response.content.decode()
        for secret in WHO_FILED:
            assert secret not in text, (response.request["PATH_INFO"], secret)
    assert "工作群通知" in pages[1].content.decode()  # the flag itself is shown


def test_other_departments_do_not_see_the_flag(client, people, grassroots):
    flag = grassroots.flag()
    outsider = signed_in(client, people.outsider)
    assert outsider.get(f"/flags/{flag.pk}/").status_code == 404
    assert f'/flags/{flag.pk}/"' not in outsider.get("/flags/").content.decode()


def test_the_admin_hides_who_filed_unless_superuser(client, people, grassroots):
    flag = grassroots.flag(evidence=[SimpleUploadedFile("证据截图.png", PNG)])
    administrator = make_user("sysadmin", role="administrator", department=people.office)
    administrator.is_staff = True
    administrator.save()
    auditor = people.auditor
    auditor.is_staff = True
    auditor.save()
    for user in (administrator, auditor):
        admin = signed_in(client, user)
        listing = admin.get("/admin/grassroots/flag/")
        detail = admin.get(f"/admin/grassroots/flag/{flag.pk}/change/")
        assert (listing.status_code, detail.status_code) == (200, 200), user
        for response in (listing, detail, admin.get(f"/admin/grassroots/flag/?unit__id__exact={grassroots.township.pk}")):
            text = response.content.decode()
            assert "grassroots_town" not in text and "柳溪镇" not in text, user
    root = make_user("root")
    root.is_staff = root.is_superuser = True
    root.save()
    text = signed_in(client, root).get(f"/admin/grassroots/flag/{flag.pk}/change/").content.decode()
    assert "grassroots_town" in text or "柳溪镇" in text


def test_refusals_name_no_reporter(people, grassroots):
    flag = grassroots.confirmed()
    from approvals.errors import ProposalError

    for who, decision in ((people.head, "dismiss"), (people.reviewer, "confirm")):
        with pytest.raises(ProposalError) as refused:
            services.flag_triage(flag=flag, by=who, decision=decision, comment="x")
        for secret in WHO_FILED:
            assert secret not in str(refused.value)


def test_the_dashboard_gauge_shows_flagged_and_over_cap(client, people, grassroots):
    people.submitted(people.document())
    people.submitted(people.document())
    grassroots.confirmed()
    page = signed_in(client, people.head).get(f"/?year={people.year}").content.decode()
    gauge = page[page.index('data-quota="JH-EDU-document"'):]
    gauge = gauge[:gauge.index('data-quota="JH-EDU-meeting"')] if 'data-quota="JH-EDU-meeting"' in gauge else gauge
    assert '<b class="flagged-n">1</b>' in gauge
    assert '<b class="over-cap">1</b>' in gauge
    assert '<b class="remaining">0</b>' in gauge
