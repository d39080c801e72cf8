"""What participants take home: team reports, the instructor's summary, exports, imports, help."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit
from board import charts, export_files, exports, reports, uipath
from board import render as live_render
from board.models import WorkshopExport
from workshop_site.ratelimits import exports_limited, write_limited
from workshops import imports, services
from workshops.access import (
    WorkshopClosed,
    answered_in_place,
    get_team_for_user,
    get_workshop_for_instructor,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
IMPORT_SESSION_KEY = "import:{team}"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Team report ------------------------------------------------------------------------------


@login_required
@require_GET
def team_report(request, pk):
    access = get_team_for_user(request.user, pk)
    plans = reports.plans_for(team=access.team)
    return render(
        request,
        "workshops/team_report.html",
        {
            "team": access.team,
            "workshop": access.team.workshop,
            "report": reports.team_report(access.team),
            "plans": plans,
            "outcomes": reports.plan_outcomes(access.team.workshop, team=access.team, lines=plans),
        },
    )


# --- Workshop summary -------------------------------------------------------------------------


def purged_page(request, workshop):
    """What the workshop's pages show once its personal data is gone: the kept figures."""
    return render(
        request,
        "workshops/workshop_purged.html",
        {"workshop": workshop, "figures": workshop.purged_summary},
    )


@login_required
@require_GET
def workshop_summary(request, pk):
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    if workshop.is_purged:
        return purged_page(request, workshop)
    version = live_render.new_version()
    context = charts.summary_context(reports.workshop_summary(workshop))
    context["version"] = version
    projector = request.GET.get("view") == "projector"
    context["spotlight_html"] = live_render.spotlight(workshop, version, full=projector)
    template = "workshops/summary_projector.html" if projector else "workshops/summary.html"
    return render(request, template, context)


# --- Exports ----------------------------------------------------------------------------------


def _record_export(request, workshop, summary: str) -> None:
    audit.record(
        "export",
        actor=request.user,
        target=workshop,
        workshop=workshop,
        summary=summary,
        request=request,
    )


CONTENT_TYPES = {"xlsx": XLSX, "csv": CSV}


@login_required
@require_GET
@exports_limited
def workshop_export(request, pk, fmt):
    """The workshop's file: at once for a small workshop; for a large one, built on the worker
    while the "준비 중" page waits (board.export_files)."""
    workshop = get_workshop_for_instructor(request.user, pk)[0]
    if workshop.is_purged:
        return purged_page(request, workshop)
    _record_export(request, workshop, f"workshop {fmt}")
    if export_files.builds_on_worker(workshop):
        export = export_files.export_request(workshop=workshop, user=request.user, fmt=fmt)
        return redirect("workshops:workshop_export_status", pk=workshop.pk, export_pk=export.pk)
    content = export_files.BUILDERS[fmt](workshop)
    name = exports.filename(f"workshop-{workshop.pk}", fmt)
    return _download(content, CONTENT_TYPES[fmt], name)


def _workshop_export_for(request, pk, export_pk) -> tuple:
    """The workshop's export `export_pk`, for the workshop's instructors (404 for another
    workshop's export)."""
    workshop = get_workshop_for_instructor(request.user, pk)[0]
    export = get_object_or_404(
        WorkshopExport.objects.defer("content"), pk=export_pk, workshop=workshop
    )
    return workshop, export


@login_required
@require_GET
def workshop_export_status(request, pk, export_pk):
    """ "준비 중" while the worker builds the file (the page asks again every 2 seconds), then
    the link to it."""
    workshop, export = _workshop_export_for(request, pk, export_pk)
    if workshop.is_purged:
        return purged_page(request, workshop)
    context = {"workshop": workshop, "export": export, "stuck": export.is_stuck()}
    if request.htmx:
        return render(request, "workshops/export_status.html#status", context)
    return render(request, "workshops/export_status.html", context)


@login_required
@require_GET
def workshop_export_download(request, pk, export_pk):
    workshop, export = _workshop_export_for(request, pk, export_pk)
    if workshop.is_purged:
        return purged_page(request, workshop)
    if not export.is_done:
        return redirect("workshops:workshop_export_status", pk=workshop.pk, export_pk=export.pk)
    content = WorkshopExport.objects.values_list("content", flat=True).get(pk=export.pk)
    return _download(bytes(content), CONTENT_TYPES[export.fmt], export.file_name)


# The workshop's CSV sheets besides the task list: {sheet: (what it is called in the audit log
# and the file name, how it is built)}.
WORKSHOP_SHEETS = {
    "plans": exports.plans_csv,  # the 실행 계획 sheet
    "automation-hub": uipath.picks_csv,  # the picks as UiPath Automation Hub ideas
    "common-work": exports.common_work_csv,  # the 공통 업무 sheet
}


@login_required
@require_GET
@exports_limited
def workshop_sheet(request, pk, sheet):
    """One sheet of the workshop's results as CSV (`WORKSHOP_SHEETS`)."""
    workshop = get_workshop_for_instructor(request.user, pk)[0]
    if workshop.is_purged:
        return purged_page(request, workshop)
    _record_export(request, workshop, f"workshop {sheet} csv")
    name = exports.filename(f"workshop-{workshop.pk}-{sheet}", "csv")
    return _download(WORKSHOP_SHEETS[sheet](workshop), CSV, name)


@login_required
@require_GET
@exports_limited
def team_export(request, pk, fmt):
    access = get_team_for_user(request.user, pk)
    audit.record(
        "export",
        actor=request.user,
        target=access.team,
        workshop=access.team.workshop,
        summary=f"team {fmt}",
        request=request,
    )
    name = f"team-{access.team.pk}"
    if fmt == "xlsx":
        return _download(exports.team_xlsx(access.team), XLSX, exports.filename(name, "xlsx"))
    rows = reports.team_report(access.team).rows
    csv = exports.tasks_csv(rows, access.team.workshop.hourly_cost)
    return _download(csv, CSV, exports.filename(name, "csv"))


# --- Import -----------------------------------------------------------------------------------


@login_required
@require_GET
def import_template(request, pk, fmt):
    access = get_team_for_user(request.user, pk, manage=True)
    if fmt == "xlsx":
        return _download(imports.template_xlsx(access.team), XLSX, "tasks-template.xlsx")
    return _download(imports.template_csv(access.team), CSV, "tasks-template.csv")


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def import_upload(request, pk):
    """Upload a file and see every row checked; nothing is saved yet."""
    try:
        access = get_team_for_user(request.user, pk, manage=True)
    except WorkshopClosed:
        if request.method != "POST":
            raise
        return _import_closed(request, pk)
    team = access.team
    context = {"team": team, "workshop": team.workshop}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("올릴 파일을 골라 주세요.")
        else:
            try:
                preview = imports.parse(upload, team)
            except imports.UnreadableFile as unreadable:
                context["error"] = unreadable.message
            else:
                context["preview"] = preview
                if preview.ok:
                    # Kept as typed, checked again on confirmation.
                    request.session[IMPORT_SESSION_KEY.format(team=team.pk)] = [
                        imports.COLUMNS,
                        *[[row.values[c] for c in imports.COLUMNS] for row in preview.rows],
                    ]
    return render(request, "workshops/task_import.html", context)


@login_required
@require_POST
@write_limited
def import_confirm(request, pk):
    try:
        access = get_team_for_user(request.user, pk, manage=True)
    except WorkshopClosed:
        return _import_closed(request, pk)
    team = access.team
    table = request.session.pop(IMPORT_SESSION_KEY.format(team=team.pk), None)
    if not table:
        messages.error(request, _("확인할 가져오기 내용이 없습니다. 파일을 다시 올려 주세요."))
        return redirect("workshops:task_import", pk=team.pk)
    preview = imports.check_table(table, team)
    if not preview.ok:
        return render(
            request,
            "workshops/task_import.html",
            {"team": team, "workshop": team.workshop, "preview": preview},
        )
    include_duplicates = request.POST.get("include_duplicates") == "on"
    rows = preview.rows_to_save(include_duplicates=include_duplicates)
    tasks = services.task_import(team=team, actor=request.user, rows=rows)
    skipped = 0 if include_duplicates else preview.duplicate_count
    if tasks:
        notice = _("업무 %(n)d개를 가져왔습니다.") % {"n": len(tasks)}
    else:
        notice = _("새로 가져온 업무가 없습니다.")
    if skipped:
        notice += " " + _("이미 있는 업무 %(n)d개는 건너뛰었습니다.") % {"n": skipped}
    messages.success(request, notice)
    return redirect(team)


def _import_closed(request, pk):
    """An upload or a "저장" that reached us after the workshop closed: the import page again,
    with the rows checked so far (still kept for nothing), and the reason."""
    team = get_team_for_user(request.user, pk).team
    context = {
        "team": team,
        "workshop": team.workshop,
        "error": _("워크샵이 종료되어 가져오지 못했습니다. 아무것도 저장하지 않았습니다."),
    }
    table = request.session.get(IMPORT_SESSION_KEY.format(team=team.pk))
    if table:
        context["preview"] = imports.check_table(table, team)
    return answered_in_place(render(request, "workshops/task_import.html", context))


# --- Help -------------------------------------------------------------------------------------


@require_GET
def help_page(request):
    return render(request, "help.html")
