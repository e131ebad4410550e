"""Demo history relative to today: last year's quotas and what used them."""

from quotas.models import Department, Kind, User
from quotas.services import quota_commit, quota_record_blocked, quota_release, quota_reserve, quota_set_cap

USERNAMES = [
    "clerk_edu", "head_edu", "clerk_health", "head_health", "clerk_agri", "head_agri",
    "reviewer", "leader", "auditor", "admin",
]

# (code, kind): (last year's cap, approved, rejected or withdrawn, blocked attempts)
LAST_YEAR = {
    ("JH-EDU", Kind.DOCUMENT): (40, 34, 5, 0),
    ("JH-EDU", Kind.MEETING): (20, 18, 3, 0),
    ("JH-HEALTH", Kind.DOCUMENT): (35, 35, 4, 3),
    ("JH-HEALTH", Kind.MEETING): (18, 12, 2, 0),
    ("JH-AGRI", Kind.DOCUMENT): (30, 22, 2, 0),
    ("JH-AGRI", Kind.MEETING): (15, 15, 1, 2),
}
REDUCTION = 0.3


def build_history(*, this_year: int, stdout=None) -> None:
    admin = User.objects.get(username="admin")
    reviewer = User.objects.get(username="reviewer")
    for (code, kind), (cap, approved, released, blocked) in LAST_YEAR.items():
        dept = Department.objects.get(code=code)
        quota, _ = quota_set_cap(department=dept, year=this_year - 1, kind=kind, cap=cap, by=admin)
        for i in range(approved + released):
            quota_reserve(quota=quota, proposal=None, by=reviewer)
            if i < released:
                quota_release(quota=quota, proposal=None, by=reviewer)
            else:
                quota_commit(quota=quota, proposal=None, by=reviewer)
        for _ in range(blocked):
            quota_record_blocked(quota=quota, proposal=None, by=reviewer)
        this_cap = int(approved * (1 - REDUCTION))
        quota_set_cap(department=dept, year=this_year, kind=kind, cap=this_cap, by=admin)
