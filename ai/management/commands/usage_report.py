from django.core.management.base import BaseCommand, CommandError

from ai import dashboard
from workshop_site.slack import send_slack


class Command(BaseCommand):
    help = "AI spend for a month: cost, calls, tokens, cache savings, top users and workshops."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: this month)")
        parser.add_argument(
            "--slack", action="store_true", help="also post it to SLACK_WEBHOOK_URL"
        )

    def handle(self, *args, month=None, slack=False, **options):
        if month and not _valid_month(month):
            raise CommandError("--month must look like 2026-11")
        report = dashboard.spend_report(dashboard.parse_month(month))
        text = render(report)
        self.stdout.write(text)
        if slack and not send_slack(text):
            raise CommandError("Slack webhook is not set or did not accept the report")


def _valid_month(text: str) -> bool:
    parts = text.split("-")
    return (
        len(parts) == 2
        and all(part.isdigit() for part in parts)
        and len(parts[0]) == 4
        and 1 <= int(parts[1]) <= 12
    )


def render(report: dict) -> str:
    lines = [
        f"AI 사용 보고서 {report['month']:%Y-%m}",
        f"지출: {report['spent_krw']:,}원 (${report['spent_usd']:.4f}) / "
        f"예산 {report['budget_krw']:,}원 ({report['percent']:.1f}%)",
        f"월말 예상: {report['projection_krw']:,}원 (${report['projection_usd']:.2f})",
        f"API 호출: {report['calls']:,} (실패 {report['failed_calls']}), "
        f"입력 {report['input_tokens']:,} / 출력 {report['output_tokens']:,} 토큰, "
        f"캐시 쓰기 {report['cache_write_tokens']:,} / 읽기 {report['cache_read_tokens']:,}",
        f"캐시 재사용: 업무 {report['cached_tasks']:,}개 ({report['cache_hit_percent']:.0f}%), "
        f"아낀 비용(추정) {report['saved_krw']:,}원 (${report['saved_usd']:.4f})",
        "거절: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(report["refusals"].items()))
        if report["refusals"]
        else "거절: 없음",
        "분석 출처: "
        + " · ".join(
            f"{label} {count:,}"
            for (_key, label), count in zip(
                report["by_source"]["columns"], report["by_source"]["total"].cells, strict=True
            )
        ),
        "사용자 상위: "
        + (
            ", ".join(f"{row['label']} ${row['cost']:.4f}" for row in report["by_user"][:5])
            or "없음"
        ),
        "워크샵 상위: "
        + (
            ", ".join(f"{row['label']} ${row['cost']:.4f}" for row in report["by_workshop"][:5])
            or "없음"
        ),
    ]
    return "\n".join(lines) + "\n"
