"""Runs in a spawned process: imports Django only after pointing it at the test database."""

import os


def reserve(env, barrier, queue, quota_id, user_id, per_process):
    outcome = []
    try:
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
        import django

        django.setup()
        from quotas.models import Quota, User
        from quotas.services import QuotaExhausted, quota_reserve

        quota = Quota.objects.get(pk=quota_id)
        user = User.objects.get(pk=user_id)
        barrier.wait(timeout=60)
        for _ in range(per_process):
            try:
                quota_reserve(quota=quota, source=None, by=user)
                outcome.append("ok")
            except QuotaExhausted:
                outcome.append("exhausted")
    except BaseException as error:  # reported to the test as a failure
        outcome.append(f"error: {type(error).__name__}: {error}")
    queue.put(outcome)
