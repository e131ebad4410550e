"""`submit_bench.py --callgrind`: instructions per request, counted by callgrind.

A child process runs under `valgrind --tool=callgrind --collect-atstart=no`
and calls Django's WSGI application directly (what gunicorn's worker calls,
without the HTTP parsing), on PostgreSQL. After a warm-up of every kind it
switches collection on around the measured requests only, and dumps one part
per kind (callgrind's client requests, issued from Python through a few bytes
of machine code, below). Instruction counts do not depend on how loaded the
machine is, so a run repeats within a fraction of a percent where wall time
varies by tens. Counted: this Python process (Django, DRF, psycopg, libpq).
Not counted: PostgreSQL's own server processes, the kernel, and the HTTP layer.
"""

import ctypes
import io
import json
import mmap
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import submit_bench as sb  # noqa: E402

# valgrind.h's client request on x86-64: %rax points at {request, 5 args}, the
# rotations of %rdi (3+13+61+51 = 128 bits, a no-op) followed by xchg %rbx,%rbx
# are the marker valgrind recognises; the answer comes back in %rdx. Outside
# valgrind the same bytes do nothing and return 0.
_CLIENT_REQUEST = bytes.fromhex(
    "4889f8"  # mov %rdi,%rax    (the argument block)
    "31d2"  # xor %edx,%edx      (default answer 0)
    "48c1c703" "48c1c70d" "48c1c73d" "48c1c733"  # rol $3/$13/$61/$51,%rdi
    "4887db"  # xchg %rbx,%rbx
    "4889d0"  # mov %rdx,%rax
    "c3"  # ret
)
_CALLGRIND = (ord("C") << 24) | (ord("T") << 16)
TOGGLE_COLLECT, DUMP_STATS_AT = _CALLGRIND + 2, _CALLGRIND + 3
RUNNING_ON_VALGRIND = 0x1001


class ClientRequests:
    def __init__(self):
        if platform.machine() not in ("x86_64", "AMD64"):
            raise SystemExit("--callgrind: the client requests here are written for x86-64")
        self._code = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        self._code.write(_CLIENT_REQUEST)
        address = ctypes.addressof(ctypes.c_char.from_buffer(self._code))
        self._call = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)(address)

    def __call__(self, request: int, argument: int = 0) -> int:
        block = (ctypes.c_uint64 * 6)(request, argument, 0, 0, 0, 0)
        return self._call(ctypes.addressof(block))

    def dump(self, label: str) -> None:
        text = ctypes.create_string_buffer(label.encode())
        self(DUMP_STATS_AT, ctypes.addressof(text))


class Wsgi:
    """Requests straight into Django's WSGI application, as a gunicorn worker makes them."""

    def __init__(self, token: str):
        from django.core.wsgi import get_wsgi_application

        self.app, self.token = get_wsgi_application(), token

    def __call__(self, method: str, path: str, body=None, query: str = "") -> tuple[int, bytes]:
        payload = b"" if body is None else json.dumps(body).encode()
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Token {self.token}", "HTTP_ACCEPT_LANGUAGE": "en",
            "CONTENT_TYPE": "application/json" if body is not None else "", "CONTENT_LENGTH": str(len(payload)),
            "wsgi.input": io.BytesIO(payload), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http", "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        answer = []
        result = self.app(environ, lambda status, headers, exc_info=None: answer.append(int(status[:3])))
        try:
            data = b"".join(result)
        finally:
            result.close()  # request_finished: what gunicorn triggers after each request
        return answer[0], data


def child(requests: int, warmup: int, token: str) -> None:
    """Under callgrind: warm every kind up, then count each kind's `requests` on their own."""
    import django

    django.setup()
    valgrind, call = ClientRequests(), Wsgi(token)
    if not valgrind(RUNNING_ON_VALGRIND):
        raise SystemExit("the child must run under valgrind")

    def file():
        status, data = call("POST", "/api/v1/proposals/", sb.DRAFT_BODY)
        assert status == 201, data
        return json.loads(data)["id"]

    def submit(pk):
        status, data = call("POST", f"/api/v1/proposals/{pk}/submit/", {"emergency": False, "justification": ""})
        assert status == 200, data

    def one_request():
        status, data = call("POST", "/api/v1/proposals/", sb.DRAFT_BODY, query="submit=1")
        return 200 <= status < 300 and json.loads(data).get("state") != "draft"

    def baseline():
        assert call("POST", "/api/v1/bench/baseline/", {"note": "x"})[0] == 201

    def read():
        assert call("GET", "/api/v1/departments/")[0] == 200

    for _ in range(warmup):
        submit(file())
        baseline(), read()
    one_request_works = all([one_request() for _ in range(warmup)])

    def counted(label, step, times=requests):
        results = []
        valgrind(TOGGLE_COLLECT)
        for _ in range(times):
            results.append(step())
        valgrind(TOGGLE_COLLECT)
        valgrind.dump(label)
        return results

    drafts = counted(sb.FILE, file)
    pending = iter(drafts)
    counted(sb.SUBMIT, lambda: submit(next(pending)))
    if one_request_works:
        assert all(counted(sb.ONE_REQUEST, one_request)), "a ?submit=1 request left a draft"
    counted(sb.BASELINE, baseline)
    counted(sb.READ, read)


def read_parts(out_file: Path) -> dict[str, int]:
    """{label: instructions} from the parts DUMP_STATS_AT wrote (out_file.1, .2, …)."""
    counts = {}
    for part in sorted(out_file.parent.glob(out_file.name + ".*")):
        text = part.read_text(errors="replace")
        label = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M)
        total = re.search(r"^totals: (\d+)", text, re.M)
        if label and total:
            counts[label.group(1)] = int(total.group(1))
    return counts


def measure_once(env: dict, args, token: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        out_file = Path(scratch) / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--callgrind-out-file={out_file}",
                   sys.executable, str(Path(__file__)), "--child", str(args.requests), str(args.warmup), token]
        # Fixed hash seed: dict and set layouts, and so the instructions, repeat run to run.
        result = subprocess.run(command, cwd=ROOT, env={**env, "PYTHONHASHSEED": "0"}, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"the callgrind child failed:\n{result.stderr[-3000:]}")
        return {label: total / args.requests for label, total in read_parts(out_file).items()}


def run(args) -> int:
    if not shutil.which("valgrind"):
        raise SystemExit("--callgrind needs valgrind (Debian: apt-get install valgrind)")
    database_url = args.database_url + "_callgrind"  # its own: the load benchmark may run meanwhile
    env = sb.server_env(database_url, 1)
    sb.recreate_database(database_url)
    tokens = sb.setup_data(env)
    token = tokens[sorted(tokens)[1]]  # an ample quota: every submission takes a slot
    runs = [measure_once(env, args, token) for _ in range(args.repeat)]
    print_report(runs, args)
    return 0


def print_report(runs: list[dict[str, float]], args) -> None:
    print(f"\ninstructions per request (callgrind, in-process WSGI call on PostgreSQL; "
          f"{args.warmup} warm-up + {args.requests} counted of each kind, {len(runs)} runs)\n")
    print(f"| {'request':<31} | " + " | ".join(f"{'run ' + str(i + 1):>12}" for i in range(len(runs)))
          + f" | {'spread':>7} | {'÷ insert':>8} |")
    print(f"|{'-' * 33}|" + "|".join("-" * 14 for _ in runs) + f"|{'-' * 9}|{'-' * 10}|")
    rows = {label: [r.get(label) for r in runs] for label in runs[0]}
    if sb.FILE in rows and sb.SUBMIT in rows:
        rows[sb.FILED_SUBMITTED + " (file + submit)"] = [r[sb.FILE] + r[sb.SUBMIT] for r in runs]
    insert = runs[-1][sb.BASELINE]
    for label, values in rows.items():
        spread = (max(values) - min(values)) / min(values) * 100
        print(f"| {label:<31} | " + " | ".join(f"{v:>12,.0f}" for v in values)
              + f" | {spread:>6.2f}% | {values[-1] / insert:>7.2f}× |")
    if sb.ONE_REQUEST not in rows:
        print("\n(the server files a draft and ignores ?submit=1: no one-request row)")
    filed = rows[sb.FILED_SUBMITTED + " (file + submit)"][-1]
    best = min(filed, rows.get(sb.ONE_REQUEST, [filed])[-1])
    met = "yes" if best <= sb.TARGET_VS_INSERT * insert else "NO"
    print(f"\nfiled+submitted ÷ one-row insert: {best / insert:.2f}× (target ≤ {sb.TARGET_VS_INSERT}×: {met}); "
          f"÷ authenticated read: {best / runs[-1][sb.READ]:.2f}×")
    print("PostgreSQL's own instructions (parsing, planning, executing) are not counted: they run in its server "
          "processes. Neither are the kernel's nor gunicorn's HTTP parsing.")


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    sys.path.insert(0, str(ROOT))
    child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
