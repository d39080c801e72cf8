"""`manage.py evaluate_grouping [--file F] [--json] [--misses tune]`: precision and recall of
the common-work grouping against expert-labelled task pairs (ai/eval/grouping_pairs.csv by
default; see ai.grouping_evaluation)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ai import grouping_evaluation as evaluation


class Command(BaseCommand):
    help = "Group the labelled task pairs and print precision and recall as one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=evaluation.DEFAULT_PAIRS)
        parser.add_argument(
            "--json", action="store_true", dest="json_only", help="only the JSON line"
        )
        parser.add_argument(
            "--misses",
            choices=evaluation.SPLITS,
            help="also list the pairs of this split the grouping got wrong "
            "(tune on `tune` only: the holdout stays unread)",
        )

    def handle(self, *args, file: Path, json_only: bool, misses: str | None, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"평가 파일을 읽지 못했습니다: {file} ({error})") from None
        try:
            pairs = evaluation.read_pairs(text)
        except evaluation.PairFileError as error:
            raise CommandError(f"{file}: {error}") from None
        figures = evaluation.figures(pairs)
        if not json_only:
            self._summary(figures)
        if misses:
            self._misses([pair for pair in pairs if pair.split == misses])
        self.stdout.write(json.dumps(figures, ensure_ascii=False, separators=(",", ":")))

    def _summary(self, figures: dict) -> None:
        self.stdout.write(
            f"{figures['pairs']}쌍 (같은 업무 {figures['same']}, 다른 업무 {figures['different']})"
            f" · 묶음 정밀도 {figures['precision']:.3f} · 재현율 {figures['recall']:.3f}"
        )
        for split in evaluation.SPLITS:
            if split in figures:
                part = figures[split]
                self.stdout.write(
                    f"  {split} {part['pairs']}쌍: 묶음 {part['grouped']['precision']:.3f}/"
                    f"{part['grouped']['recall']:.3f} · 두 업무만 "
                    f"{part['pairwise']['precision']:.3f}/{part['pairwise']['recall']:.3f}"
                )

    def _misses(self, pairs: list) -> None:
        for verdict in evaluation.judge(pairs):
            if verdict.grouped == verdict.pair.same:
                continue
            kind = "놓침" if verdict.pair.same else "잘못 묶음"
            self.stdout.write(
                f"  {verdict.pair.line}행 {kind} {verdict.score:.2f}: {verdict.pair.a[0]} / "
                f"{verdict.pair.b[0]} — {verdict.pair.reason}"
            )
