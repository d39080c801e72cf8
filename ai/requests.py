"""Asking for an analysis (quick or deep, for a team or one task), retrying a run, and a
person's own rating. A request only records an AnalysisRun and queues it for the worker
(`ai.runner`); nothing slow happens in the request."""

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import User
from ai import askback, rubric
from ai.errors import AnalysisRefused
from ai.inputs import TaskInput
from ai.models import (
    AnalysisRun,
    Method,
    Mode,
    Rating,
    Source,
    TaskAnalysis,
)
from ai.recovery import recover_stale_runs
from ai.selectors import latest_analyses, tasks_needing_analysis
from ai.tasks import run_analysis
from workshops import events
from workshops import services as workshop_services
from workshops.models import DESCRIPTION_MAX_LENGTH, Task, Team
from workshops.services import TASK_FIELDS

logger = logging.getLogger(__name__)


def analysis_request(
    *, team: Team, actor: User, mode: str = Mode.QUICK, tasks: list[Task] | None = None
) -> tuple[AnalysisRun, bool]:
    """Queue an analysis of `tasks` (default: the team's pending ones).

    Returns (run, created). While a run of this mode is active for the team, that run is
    returned instead of a second one.
    """
    recover_stale_runs(team=team)
    active = AnalysisRun.objects.active().filter(team=team, mode=mode).first()
    if active:
        wanted = {task.pk for task in tasks or []}
        if wanted and not wanted <= set(active.task_ids):
            raise AnalysisRefused(
                _("다른 업무의 심층 분석이 진행 중입니다. 끝난 뒤 다시 눌러 주세요.")
                if mode == Mode.DEEP
                else _("다른 분석이 진행 중입니다. 끝난 뒤 다시 눌러 주세요.")
            )
        return active, False
    if tasks is None:
        tasks = tasks_needing_analysis(team)
    if not tasks:
        raise AnalysisRefused(
            _("새로 분석할 업무가 없습니다. 업무를 추가하거나 고친 뒤 다시 누르세요.")
        )
    try:
        with transaction.atomic():
            run = AnalysisRun.objects.create(
                team=team,
                workshop_id=team.workshop_id,
                requested_by=actor,
                mode=mode,
                task_ids=[task.pk for task in tasks],
                total_tasks=len(tasks),
            )
            # The job is a row in the same database: queued in the same transaction, a run
            # can never be left "queued" with no job behind it.
            run_analysis.enqueue(run.pk)
    except IntegrityError:
        # Another press won the race a moment ago: that run is the one (or it just ended).
        winner = AnalysisRun.objects.filter(team=team, mode=mode).order_by("-id").first()
        if winner is None:  # not the race this guards against: let it be seen
            raise
        return winner, False
    events.announce(events.AnalysisChanged(team_id=team.pk))
    audit.record(
        "ai_run_requested",
        actor=actor,
        target=run,
        workshop=team.workshop,
        summary=f"{team.name}: {run.get_mode_display()} {len(tasks)}개",
        detail={"mode": mode, "tasks": run.task_ids},
    )
    return run, True


def analysis_retry(*, run: AnalysisRun, actor: User) -> tuple[AnalysisRun, bool]:
    """Run again the tasks a finished run could not analyse."""
    failed = list(
        Task.objects.filter(pk__in=run.failed_task_ids, team=run.team).select_related("domain")
    )
    if not failed:
        raise AnalysisRefused(_("다시 분석할 실패한 업무가 없습니다."))
    return analysis_request(team=run.team, actor=actor, mode=run.mode, tasks=failed)


def analysis_override(*, task: Task, actor: User, rating: str, note: str) -> TaskAnalysis:
    """A person's decision on a task's rating, kept beside (not instead of) the AI's rows.

    With the same rating, the earlier answer's method, suggestion and deep fields stay. With
    another rating they go: the card must never say "RPA로 대부분 자동화" under a person's
    낮음. The card then shows no method line, only the person's rating and note."""
    base = latest_analyses([task.pk]).get(task.pk)
    share = {
        Rating.HIGH: 70,
        Rating.MEDIUM: 40,
        Rating.LOW: 10,
        Rating.NEEDS_INFO: 0,
    }[Rating(rating)]
    same = base is not None and base.rating == rating
    if same and base is not None:
        method, suggestion = base.method, base.suggestion
    else:
        # No method line under a person's new rating: the card shows the person's note.
        method, suggestion = (base.method if base else Method.MANUAL), ""
    analysis = TaskAnalysis(
        task=task,
        mode=base.mode if same and base else Mode.QUICK,
        source=Source.PERSON,
        rating=rating,
        method=method,
        suggestion=suggestion,
        automatable_share=base.automatable_share if same and base else share,
        task_hours=task.hours_per_month,
        input_hash=TaskInput.from_task(task, key="").input_hash(),
        steps=base.steps if same and base else [],
        tools=base.tools if same and base else [],
        prerequisites=base.prerequisites if same and base else [],
        ease=base.ease if same and base else "",
        # The evidence and factors stay only under the rating they led to.
        reason=base.reason if same and base else "",
        factors=base.factors if same and base else {},
        note=note,
        created_by=actor,
    )
    analysis.save()
    events.announce(events.AnalysisChanged(team_id=task.team_id))
    audit.record(
        "ai_override",
        actor=actor,
        target=task,
        workshop=task.team.workshop,
        summary=f"{task.title}: {rating}",
        detail={"rating": rating, "note": note, "was": base.rating if base else None},
    )
    return analysis


def analysis_correct_factor(*, task: Task, actor: User, factor: str, value: str) -> TaskAnalysis:
    """A lead's correction of one factor of the latest analysis ("입력 자료: 종이 → 전산 파일"):
    the rating and share are then our own rubric's (`ai.rubric.rate`), not a guess of the
    person's, and the card shows the formula. Kept as a person's analysis beside the AI's
    rows. Raises AnalysisRefused, changing nothing, for an unknown factor or value, an
    analysis without factors or a value it already has."""
    chosen = rubric.BY_KEY.get(factor)
    if chosen is None or value not in chosen.choices:
        raise AnalysisRefused(
            _("고를 수 있는 값이 아닙니다. 화면을 새로 고친 뒤 다시 골라 주세요.")
        )
    base = latest_analyses([task.pk]).get(task.pk)
    if base is None or not rubric.clean_factors(base.factors):
        raise AnalysisRefused(
            _(
                "이 평가에는 고칠 요인이 없습니다. "
                "‘AI 분석’으로 다시 분석하거나 ‘평가 바꾸기’를 쓰세요."
            )
        )
    was = base.factors.get(factor)
    if was == value:
        raise AnalysisRefused(_("이미 그 값입니다. 화면을 새로 고쳐 확인하세요."))
    factors = {**base.factors, factor: value}
    rating, share = rubric.rate(factors)
    method = rubric.method_for(factors, base.method)
    same = rating == base.rating and method == base.method
    asked = rating == Rating.NEEDS_INFO
    analysis = TaskAnalysis(
        task=task,
        mode=base.mode if same else Mode.QUICK,
        source=Source.PERSON,
        rating=rating,
        method=method,
        # The AI's sentence only where it still describes the result; else the formula speaks.
        suggestion=base.suggestion if same else "",
        missing_info=_("입력 자료가 무엇인지 설명에 적어 주세요.") if asked else "",
        automatable_share=share,
        task_hours=task.hours_per_month,
        input_hash=TaskInput.from_task(task, key="").input_hash(),
        steps=base.steps if same else [],
        tools=base.tools if same else [],
        prerequisites=base.prerequisites if same else [],
        ease=base.ease or rubric.usual_ease(method, base.factors.get("risks") or ()),
        reason=base.reason,
        factors=factors,
        note=_("요인 수정: %(label)s %(was)s → %(now)s")
        % {
            "label": chosen.label,
            "was": chosen.choices.get(str(was), "—"),
            "now": chosen.choices[value],
        },
        created_by=actor,
    )
    analysis.save()
    events.announce(events.AnalysisChanged(team_id=task.team_id))
    audit.record(
        "ai_factor",
        actor=actor,
        target=task,
        workshop=task.team.workshop,
        summary=f"{task.title}: {factor} {was} → {value}",
        detail={"factor": factor, "was": was, "value": value, "rating": rating, "share": share},
    )
    return analysis


def task_answer_question(
    *, task: Task, actor: User, key: str, option: str
) -> tuple[AnalysisRun | None, bool, str]:
    """Add the answer to one of a task's ask-back questions to its description, then analyse
    the task again. Returns (run, created, refusal): the answer is kept even when the analysis
    cannot start now (the limits, another run), and `refusal` says why. Raises AnalysisRefused,
    changing nothing, for an answer not offered, a task no longer 정보 부족, a question
    already answered, a task being analysed now or a description at its limit."""
    question = askback.BY_KEY.get(key)
    if question is None or option not in question.options:
        raise AnalysisRefused(
            _("고를 수 있는 답이 아닙니다. 화면을 새로 고친 뒤 다시 골라 주세요.")
        )
    latest = latest_analyses([task.pk]).get(task.pk)
    if latest is None or latest.rating != Rating.NEEDS_INFO:
        # A page opened before the task was judged: nothing to ask any more, nothing to pay for.
        raise AnalysisRefused(_("이 업무는 이미 평가가 나왔습니다. 화면을 새로 고쳐 확인하세요."))
    if question.answered_in(task.description):
        raise AnalysisRefused(_("이미 답한 질문입니다. 바꾸려면 ‘수정’에서 설명을 고쳐 주세요."))
    active = AnalysisRun.objects.active().filter(team_id=task.team_id).only("task_ids")
    if any(task.pk in run.task_ids for run in active):
        # The running analysis read the description before this answer: wait for its result.
        raise AnalysisRefused(
            _("이 업무를 분석하는 중입니다. 결과가 나온 뒤 다음 질문에 답해 주세요.")
        )
    description = askback.with_answer(task.description, question, option)
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise AnalysisRefused(
            _("설명이 너무 길어 답을 덧붙일 수 없습니다. 설명을 줄인 뒤 다시 골라 주세요.")
        )
    data = {field: getattr(task, field) for field in TASK_FIELDS}
    data["description"] = description
    try:
        task = workshop_services.task_update(task=task, actor=actor, data=data)
    except workshop_services.EditConflict:
        raise AnalysisRefused(
            _("그사이 다른 사람이 이 업무를 고쳤습니다. 화면을 새로 고친 뒤 다시 골라 주세요.")
        ) from None
    try:
        run, created = analysis_request(team=task.team, actor=actor, tasks=[task])
    except AnalysisRefused as refused:
        return None, False, refused.message
    return run, created, ""
