"""正文 and 附件: uploaded by the item's clerk while draft or returned, typed by
content, stored through Django's storage, downloaded only by those who may see
the item (issue 12)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from approvals.models import Attachment
from tests.api import client_for  # noqa: F401

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_file(user, proposal, name, content, role=None):
    data = {"file": upload(name, content)}
    if role:
        data["role"] = role
    return client_for(user).post(f"/api/v1/proposals/{proposal.pk}/attachments/", data, format="multipart")


def test_the_clerk_uploads_the_text_and_an_annex(people):
    draft = people.document()
    body = post_file(people.clerk, draft, "关于做好秋季学期安全工作的通知.pdf", PDF, role="body")
    assert body.status_code == 201, body.json()
    assert body.json() == {"id": body.json()["id"], "name": "关于做好秋季学期安全工作的通知.pdf",
                           "size": len(PDF), "content_type": "application/pdf", "role": "body",
                           "url": f"/proposals/{draft.pk}/attachments/{body.json()['id']}/"}
    annex = post_file(people.clerk, draft, "附件1.docx", docx_bytes())
    assert annex.status_code == 201 and annex.json()["role"] == "annex"
    detail = client_for(people.clerk).get(f"/api/v1/proposals/{draft.pk}/").json()
    assert [a["name"] for a in detail["attachments"]] == ["关于做好秋季学期安全工作的通知.pdf", "附件1.docx"]
    stored = Attachment.objects.get(pk=body.json()["id"])
    assert stored.file.read() == PDF and stored.file.name.startswith(f"attachments/{draft.pk}/")
    assert "通知" not in stored.file.name  # the user's file name never becomes a path


@pytest.mark.parametrize("name, content, code", [
    ("通知.pdf", b"<html><script>alert(1)</script></html>", "file_type_mismatch"),
    ("附件.docx", b"PK\x03\x04not really a zip", "file_type_mismatch"),
    ("照片.png", PDF, "file_type_mismatch"),
    ("程序.exe", b"MZ\x90\x00", "file_type_not_allowed"),
    ("空.pdf", b"", "invalid"),  # DRF's own check: "提交的是空文件"
])
def test_a_file_that_is_not_what_its_name_claims_is_refused(people, name, content, code):
    response = post_file(people.clerk, people.document(), name, content)
    assert response.status_code == 400 and response.json()["code"] == code, response.json()
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(people, settings):
    settings.JIANFU = {**settings.JIANFU, "UPLOAD_MAX_BYTES": 1024}
    response = post_file(people.clerk, people.document(), "大文件.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400 and response.json()["code"] == "file_too_large"


def test_only_the_items_clerks_may_upload_and_only_while_editable(people):
    draft = people.document()
    assert post_file(people.head, draft, "a.pdf", PDF).status_code == 403
    assert post_file(people.outsider, draft, "a.pdf", PDF).status_code == 404
    anonymous = APIClient().post(f"/api/v1/proposals/{draft.pk}/attachments/",
                                 {"file": upload("a.pdf", PDF)}, format="multipart")
    assert anonymous.status_code == 401
    assert post_file(people.clerk2, draft, "a.pdf", PDF).status_code == 201
    people.submitted(draft)
    assert post_file(people.clerk, draft, "b.pdf", PDF).status_code == 409


def test_downloads_check_access(people, client):
    draft = people.document()
    attachment_id = post_file(people.clerk, draft, "正文.pdf", PDF, role="body").json()["id"]
    url = f"/proposals/{draft.pk}/attachments/{attachment_id}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(people.outsider)
    assert client.get(url).status_code == 404
    client.force_login(people.reviewer)
    assert client.get(url).status_code == 404  # a draft is its department's own
    people.submitted(draft)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    inline = client.get(url, {"inline": "1"})
    assert "inline" in inline["Content-Disposition"] and inline["X-Frame-Options"] == "SAMEORIGIN"
    page = client.get(f"/proposals/{draft.pk}/").content.decode()
    assert f"{url}?inline=1" in page and "正文.pdf" in page


def test_the_web_page_uploads_and_removes(people, client):
    draft = people.document()
    client.force_login(people.clerk)
    response = client.post(f"/proposals/{draft.pk}/attachments/",
                           {"file": upload("附件.pdf", PDF), "role": "annex"})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    refused = client.post(f"/proposals/{draft.pk}/attachments/", {"file": upload("x.pdf", b"GIF89a"),
                                                                   "role": "annex"})
    assert refused.status_code == 400 and "文件内容与扩展名" in refused.content.decode()
    assert client.post(f"/proposals/{draft.pk}/attachments/{attachment.pk}/remove/").status_code == 302
    assert not Attachment.objects.exists()
