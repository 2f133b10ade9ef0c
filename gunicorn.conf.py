"""Gunicorn settings for production: `gunicorn 'portal.app:create_app()'` reads this file from the working
directory (or pass `-c gunicorn.conf.py`). Each value can be changed with the environment variable beside it.

Sizing (docs/decisions/0008-production-and-security.md): a threaded worker per core, plus one, each with a few threads,
so a request waiting on PostgreSQL or on password hashing does not hold a whole process. Timeouts are short:
long work (letters, calibration, accuracy) runs in the job worker (`portal worker`), never in a request.
"""

import multiprocessing
import os

from portal.access_log import ACCESS_LOG_FORMAT, AccessLogger

bind = os.environ.get("PORTAL_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("PORTAL_WEB_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("PORTAL_WEB_THREADS", "4"))
# A request that takes longer than this is stuck: the worker is replaced.
timeout = int(os.environ.get("PORTAL_WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = int(os.environ.get("PORTAL_WEB_KEEPALIVE", "5"))  # seconds an idle connection is kept open
# Replace workers now and then (staggered), so slow growth in memory never builds up.
max_requests = 5000
max_requests_jitter = 500
# The app is made and warmed once, in the master (portal.app.warm: tools, questionnaire, templates), and each worker
# is forked from it: a cold worker used to spend about a second on its first page, and every worker started
# again after max_requests was cold, which showed as p99 latencies of seconds under load (bench/load.py).
preload_app = True


def when_ready(server):
    from portal.app import warm

    warm(server.app.wsgi())  # another app under these settings (bench/hello.py) is left as it is


def post_fork(server, worker):
    from portal.app import after_fork

    after_fork(server.app.wsgi())


# Headers and request lines of normal size only.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Only a proxy on this host may say the request came over HTTPS; the client's address behind proxies is the
# app's business (PORTAL_TRUSTED_PROXIES), not Gunicorn's.
forwarded_allow_ips = os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log without personal data (no client address, user agent, referrer or query string).
accesslog = os.environ.get("PORTAL_ACCESS_LOG", "-")
access_log_format = ACCESS_LOG_FORMAT
logger_class = AccessLogger
errorlog = "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")
