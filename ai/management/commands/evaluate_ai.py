"""`manage.py evaluate_ai --provider rules|anthropic [--file F] [--json]`: how far a provider's
ratings agree with the expert-labelled set (ai/eval/tasks.csv by default). See ai.evaluation."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ai import evaluation
from ai.models import Mode, Rating
from ai.providers.rules import RuleProvider


class Command(BaseCommand):
    help = "Rate the labelled task set with a provider and print how far it agrees."

    def add_arguments(self, parser):
        parser.add_argument("--provider", choices=["rules", "anthropic"], default="rules")
        parser.add_argument("--file", type=Path, default=evaluation.DEFAULT_SET)
        parser.add_argument(
            "--json", action="store_true", dest="json_only", help="only the JSON line"
        )
        parser.add_argument(
            "--misses", action="store_true", help="also list every task not rated exactly"
        )

    def handle(self, *args, provider, file, json_only: bool, misses: bool, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"평가 파일을 읽지 못했습니다: {file} ({error})") from None
        try:
            labelled = evaluation.read_set(text)
        except evaluation.EvaluationSetError as error:
            raise CommandError(f"{file}: {error}") from None
        if provider == "anthropic":
            if not settings.ANTHROPIC_API_KEY:
                raise CommandError(
                    "ANTHROPIC_API_KEY가 없어 AI로 평가할 수 없습니다. "
                    "--provider rules로 규칙 기반 추정을 평가하세요."
                )
            raise CommandError("--provider anthropic은 아직 준비되지 않았습니다 (Message Batches).")
        answer = RuleProvider().analyse([each.task for each in labelled], mode=Mode.QUICK)
        results = evaluation.verdicts(labelled, answer.items, Mode.QUICK)
        figures = {"provider": provider, "file": file.name, **evaluation.agreement(results)}
        if not json_only:
            self._summary(figures)
        if misses:
            self._misses(results)
        self.stdout.write(_json_line(figures))

    def _summary(self, figures: dict) -> None:
        self.stdout.write(
            f"{figures['provider']}: {figures['n']}개 업무 · 일치 {figures['exact']} "
            f"({figures['exact_rate']:.0%}) · 한 단계 이내 {figures['within_one']} · "
            f"두 단계 빗나감 {figures['two_plus']} · "
            f"정보 부족 엇갈림 {figures['needs_info_mismatch']} · "
            f"비율 오차 평균 {figures['share_mae']}%p"
        )

    def _misses(self, results: list) -> None:
        """Every task not rated exactly, to read against the expert's rationale."""
        labels = dict(Rating.choices)
        for verdict in results:
            if verdict.rating == verdict.labelled.rating:
                continue
            task = verdict.labelled.task
            self.stdout.write(
                f"  {verdict.labelled.line}행 {task.title}: 기대 {labels[verdict.labelled.rating]}"
                f" → {labels.get(verdict.rating, '답 없음')} {verdict.share}% ({verdict.method})"
            )


def _json_line(figures: dict) -> str:
    return json.dumps(figures, ensure_ascii=False, separators=(",", ":"))
