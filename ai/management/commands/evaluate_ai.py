"""`manage.py evaluate_ai --provider rules|anthropic [--file F] [--json]`: how far a provider's
ratings agree with the expert-labelled set (ai/eval/tasks.csv by default). See ai.evaluation;
the AI is asked through one Message Batch at half price (ai.evaluation_batch)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ai import evaluation, evaluation_batch
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
        parser.add_argument(
            "--wait-seconds",
            type=float,
            default=3600,
            help="anthropic: how long to wait for the batch to end (the API allows 24 hours)",
        )
        parser.add_argument(
            "--poll-seconds",
            type=float,
            default=5,
            help="anthropic: how often to ask whether the batch has ended",
        )

    def handle(
        self,
        *args,
        provider,
        file,
        json_only: bool,
        misses: bool,
        wait_seconds: float,
        poll_seconds: float,
        **options,
    ):
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
            try:
                asked = evaluation_batch.ask(
                    [each.task for each in labelled],
                    wait_seconds=wait_seconds,
                    poll_seconds=poll_seconds,
                    progress=self.stderr.write,
                )
            except evaluation_batch.EvaluationBatchError as error:
                raise CommandError(str(error)) from None
            items = asked.items
            spend = {
                "model": asked.model_id,
                "requests": asked.requests,
                "errored": asked.errored,
                "refused": asked.refused,
                "usd": float(asked.usd),
            }
        else:
            items = RuleProvider().analyse([each.task for each in labelled], mode=Mode.QUICK).items
            # The same keys as the AI's line: no model, no request, nothing spent.
            spend = {"model": "", "requests": 0, "errored": 0, "refused": 0, "usd": 0}
        results = evaluation.verdicts(labelled, items, Mode.QUICK)
        figures = {
            "provider": provider,
            "file": file.name,
            **spend,
            **evaluation.agreement(results),
        }
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
            f"비율 오차 평균 {figures['share_mae']}%p · 답 없음 {figures['unanswered']}"
        )
        if figures["requests"]:
            self.stdout.write(
                f"{figures['model']}: 배치 요청 {figures['requests']}개 · "
                f"거절된 업무 {figures['refused']} · 오류·만료된 업무 {figures['errored']} · "
                f"비용 ${figures['usd']:.4f} (배치 가격, 사용 기록에 기록)"
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
