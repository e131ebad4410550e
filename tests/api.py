"""Helpers for the API tests: a client signed in as one of the People."""

from rest_framework.test import APIClient


def client_for(user=None, *, language=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    if language:
        client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client


def document_body(year=2027, **fields) -> dict:
    body = {
        "kind": "document", "title": "关于做好秋季学期安全工作的通知",
        "necessity": "涉及全市学生安全，须统一部署。", "planned_date": f"{year}-09-15",
        "target_levels": ["township"], "doc_type": "notice", "length_chars": 1800,
    }
    body.update(fields)
    return body


def meeting_body(day="2027-09-14", **fields) -> dict:
    body = {
        "kind": "meeting", "title": "全市秋季开学工作部署会", "necessity": "开学在即，须当面部署。",
        "start": f"{day}T09:00:00+08:00", "end": f"{day}T11:00:00+08:00",
        "meeting_format": "onsite", "meeting_class": 3, "attendees_city": 20,
        "attendees_county": 10, "attendees_township": 5, "venue": "市政府第三会议室",
        "target_levels": ["county", "township"],
    }
    body.update(fields)
    return body
