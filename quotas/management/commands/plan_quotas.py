from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from quotas.models import Department, Kind, Quota
from quotas.services import QuotaError, quota_planned_cap, quota_set_cap


class Command(BaseCommand):
    help = (
        "Set every issuing department's caps for YEAR from its actual count in "
        "YEAR-1 (年度硬性下降指标): floor(actual × (1 − reduction)), where actual is "
        "what was approved plus confirmed flags of burden issued around the gate (明减暗增)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--reduction", type=float, required=True, help="e.g. 0.3 for 30%%")
        parser.add_argument("--rating-cut", type=float, default=0.0,
                            help="逆向考核: a further cut for the lowest-rated quarter of YEAR-1's published "
                                 "ratings, e.g. 0.1 (off by default; see grassroots.selectors.lowest_rated)")

    def handle(self, *args, year, reduction, rating_cut, **options):
        if not 0 <= reduction < 1:
            raise CommandError("--reduction 必须在 0 与 1 之间 (must be in [0, 1))")
        if not 0 <= rating_cut < 1 or reduction + rating_cut >= 1:
            raise CommandError("--rating-cut 必须在 0 与 1 之间，且与 --reduction 之和小于 1")
        cut = set()
        if rating_cut:
            from grassroots.selectors import lowest_rated

            cut = lowest_rated(year - 1)
        changes = []
        try:
            # All or nothing: one refused cap leaves every cap as it was.
            with transaction.atomic():
                for dept in Department.objects.filter(issues_proposals=True).order_by("code"):
                    for kind in Kind.values:
                        last = Quota.objects.filter(department=dept, year=year - 1, kind=kind).first()
                        if last is None:
                            continue
                        # Hidden burden counts as issued: hiding it lowers next year's cap.
                        actual = last.committed + last.flagged
                        # The lowest-rated quarter of last year's 逆向考核 is cut further.
                        extra = rating_cut if dept.pk in cut else 0
                        cap = quota_planned_cap(last_year_committed=actual, reduction=reduction + extra)
                        quota, previous = quota_set_cap(
                            department=dept, year=year, kind=kind, cap=cap
                        )
                        changes.append((dept.code, kind, last.committed, last.flagged, previous, cap, extra))
        except QuotaError as error:
            raise CommandError(f"{error}（未做任何修改 / nothing was changed）") from None
        for code, kind, committed, flagged, previous, cap, extra in changes:
            old = "—" if previous is None else previous
            hidden = f" + flagged {flagged}" if flagged else ""
            rated = f" (lowest-rated: a further {extra:.0%})" if extra else ""
            self.stdout.write(
                f"{code} {year} {kind}: {year - 1} committed {committed}{hidden} -> cap {old} -> {cap}{rated}"
            )
        self.stdout.write(f"{len(changes)} quotas planned for {year} (reduction {reduction:.0%}).")
