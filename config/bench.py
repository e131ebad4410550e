"""The load benchmark's baseline: the same stack (gunicorn, Django, DRF, token
auth, one transaction) inserting one row and nothing else. Mounted only when
JIANFU_BENCH_BASELINE=1 (bench/submit_bench.py sets it for its own server)."""

from django.db import connection, transaction
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

TABLE = "bench_baseline"


def create_table() -> None:
    serial = "SERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id {serial}, user_id INTEGER NOT NULL, note VARCHAR(200))")


class BaselineInsert(APIView):
    permission_classes = [IsAuthenticated]
    schema = None

    def post(self, request):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} (user_id, note) VALUES (%s, %s)",
                           [request.user.pk, str(request.data.get("note", ""))[:200]])
        return Response({"ok": True}, status=201)
