"""`manage.py purge_workshop <id> [--yes]`: delete a closed workshop's personal data now."""

from django.core.management.base import BaseCommand, CommandError

from ai import retention
from workshops.management.commands.close_workshop import find_workshop

LABELS = {
    "teams": "팀 (teams)",
    "participants": "참가자 (participants)",
    "tasks": "업무 (tasks)",
    "analyses": "AI 분석 (analyses)",
    "analysis_runs": "분석 실행 (analysis runs)",
    "invitations": "초대 링크 (invitations)",
    "economy_batches": "절약 모드 배치 (economy batches)",
}


class Command(BaseCommand):
    help = (
        "Purge a closed workshop's personal data now, before its retention period ends: "
        "without --yes, only show what would be deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("workshop", help="the workshop's id or join code")
        parser.add_argument("--yes", action="store_true", help="really delete (no question asked)")

    def handle(self, *args, workshop, yes, **options):
        target = find_workshop(workshop)
        if target.is_purged:
            self.stdout.write(f"이미 파기한 워크샵입니다 (already purged): {target.title}")
            return
        if not target.is_closed:
            raise CommandError(
                f"종료되지 않은 워크샵은 파기할 수 없습니다. 먼저 종료하세요 "
                f"(workshop {target.pk} is not closed; run close_workshop first)."
            )
        counts = retention.purge_preview(target)
        for field, label in LABELS.items():
            self.stdout.write(f"{label}: {getattr(counts, field)}")
        if not yes:
            self.stdout.write(
                f"워크샵 {target.pk} '{target.title}': 위 항목을 지웁니다. "
                "실제로 지우려면 --yes를 붙여 다시 실행하세요 (dry run: nothing deleted)."
            )
            return
        if retention.workshop_purge(target, reason="command"):
            self.stdout.write(
                self.style.SUCCESS(f"파기했습니다 (purged): {target.title} (id {target.pk})")
            )
        else:
            raise CommandError(
                "다른 작업이 이 워크샵을 처리하고 있습니다. 잠시 뒤 다시 실행하세요 "
                "(another process is purging it)."
            )
