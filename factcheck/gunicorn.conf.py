"""gunicorn settings for production: `gunicorn factcheck.wsgi -c factcheck/gunicorn.conf.py`.

Like settings.py, the environment decides: WEB_CONCURRENCY (workers, default 2 × cores + 1) and
BIND (address, default 127.0.0.1:8000, for a reverse proxy on the same host).
"""
import os

bind = os.environ.get("BIND", "127.0.0.1:8000").split(",")
# Sync workers, one request each: the app's requests are short and database-bound, so twice the
# cores (plus one) keeps the CPUs busy while some workers wait on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
timeout = 60
accesslog = "-"
errorlog = "-"
# The heartbeat file is touched on every request; on a disk-backed /tmp (as in many containers)
# that can stall a worker, so use memory when the system has it (gunicorn's own advice).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
