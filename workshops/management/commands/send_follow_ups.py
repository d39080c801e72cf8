"""Send the follow-up mails that are due now (the worker does this once a day by itself).

Safe to run at any time, and beside a running worker: each team's mail is sent once
(workshops.follow_up), so a second run only sends what became due since.
"""

from django.core.management.base import BaseCommand

from workshops import follow_up


class Command(BaseCommand):
    help = "Send the follow-up mails that are due (each team's once); --dry-run lists them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list the teams that are due; send nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        report = follow_up.send_due(dry_run=dry_run)
        verb = "보낼 메일" if dry_run else "보낸 메일"
        self.stdout.write(f"{verb}: {len(report.sent)}통 (팀 {report.sent})")
        if report.no_address:
            self.stdout.write(
                f"확인된 이메일이 없는 팀장: {len(report.no_address)}명 (팀 {report.no_address})"
            )
        if report.failed:
            failed = f"보내지 못한 메일: {len(report.failed)}통 (팀 {report.failed})"
            self.stderr.write(f"{failed} — 다음 실행 때 다시 보냅니다")
