"""The demo's 监测点 and 逆向考核 (issue 17): a new user finds the villages as
monitoring points with the office's survey, and this year's window open."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from grassroots import evaluations
from grassroots.models import MonitoringPoint, SurveyQuestion

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.single_db("sqlite")]


def test_the_demo_has_monitoring_points_a_survey_and_an_open_window(client):
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # idempotent
    assert MonitoringPoint.objects.filter(active=True).count() == 3
    assert SurveyQuestion.objects.count() == 3
    assert evaluations.open_window().year == timezone.localdate().year
    assert client.login(username="grassroots_village", password="demo-pass-2026")
    assert 'id="months"' in client.get("/grassroots/monitoring/").content.decode()
    assert "评价进行中" in client.get("/grassroots/evaluation/").content.decode()
