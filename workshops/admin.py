from django.contrib import admin, messages
from django.db.models import Count, Q, Sum
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts import services as accounts_services
from accounts.admin_audit import AuditedAccessMixin
from workshops import services
from workshops.live import connections
from workshops.models import Domain, FollowUp, Invitation, Participant, Task, Team, Workshop
from workshops.savings import format_won, savings


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("title", "date", "status", "join_code", "team_count", "created_by")
    list_filter = ("status", "date")
    search_fields = ("title", "join_code")
    date_hierarchy = "date"
    readonly_fields = ("created_at", "updated_at", "opened_at", "closed_at", "purged_at")

    def get_readonly_fields(self, request, obj=None):
        # A purged workshop stays closed: its people and tasks are gone (workshop_open refuses
        # it too), so the admin must not reopen it by its status field.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "status") if obj is not None and obj.is_purged else fields

    inlines = [DomainInline]
    list_select_related = ("created_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_team_count=Count("teams"))

    @admin.display(description="팀 수", ordering="_team_count")
    def team_count(self, obj):
        return obj._team_count

    change_list_template = "admin/workshops/workshop/change_list.html"

    def get_urls(self):
        return [
            path(
                "live/",
                self.admin_site.admin_view(self.live_connections_view),
                name="workshops_live_connections",
            ),
            *super().get_urls(),
        ]

    def live_connections_view(self, request):
        """Open WebSockets per web process, against the per-process alert threshold."""
        context = {
            **self.admin_site.each_context(request),
            "title": "실시간 연결",
            "report": connections.report(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workshops/live_connections.html", context)


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("name", "workshop", "position")
    list_filter = ("workshop",)
    search_fields = ("name", "workshop__title")
    list_select_related = ("workshop",)


@admin.register(Team)
class TeamAdmin(AuditedAccessMixin, admin.ModelAdmin):
    list_display = ("name", "workshop", "lead", "task_count", "created_at")
    list_filter = ("workshop",)
    search_fields = ("name", "lead__email", "lead__name", "workshop__title")
    list_select_related = ("workshop", "lead")
    raw_id_fields = ("lead",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_task_count=Count("tasks"))

    @admin.display(description="업무 수", ordering="_task_count")
    def task_count(self, obj):
        return obj._task_count


@admin.register(Participant)
class ParticipantAdmin(AuditedAccessMixin, admin.ModelAdmin):
    list_display = ("user", "workshop", "role", "team", "joined_at")
    list_filter = ("role", "workshop")
    search_fields = ("user__email", "user__name", "team__name", "workshop__title")
    list_select_related = ("user", "workshop", "team")
    raw_id_fields = ("user", "team")
    actions = ["send_personal_links", "revoke_personal_links"]

    @admin.action(description=_("개인 참여 링크 메일 보내기 (한 번 쓰는 14일짜리 링크)"))
    def send_personal_links(self, request, queryset):
        sent, skipped = 0, 0
        for participant in queryset.select_related("user", "team", "workshop"):
            try:
                services.personal_link_send(participant=participant, actor=request.user)
            except services.RuleError:
                skipped += 1  # a quick-join account with no confirmed e-mail
            else:
                sent += 1
        self.message_user(
            request,
            _(
                "개인 링크를 %(sent)d명에게 보냈습니다. "
                "확인된 이메일이 없어 %(skipped)d명은 건너뛰었습니다."
            )
            % {"sent": sent, "skipped": skipped}
            if skipped
            else _("개인 링크를 %(sent)d명에게 보냈습니다.") % {"sent": sent},
            messages.SUCCESS,
        )

    @admin.action(description=_("개인 링크 취소 (보낸 링크와 다른 기기용 링크를 모두 무효로)"))
    def revoke_personal_links(self, request, queryset):
        users = {participant.user for participant in queryset.select_related("user")}
        for user in users:
            accounts_services.reentry_revoke(user=user)
        self.message_user(
            request, _("%(count)d명의 개인 링크를 취소했습니다.") % {"count": len(users)}
        )


@admin.register(Invitation)
class InvitationAdmin(AuditedAccessMixin, admin.ModelAdmin):
    list_display = ("team", "created_by", "created_at", "expires_at", "revoked_at", "use_count")
    list_filter = ("team__workshop",)
    search_fields = ("team__name", "created_by__email")
    list_select_related = ("team", "created_by")
    readonly_fields = ("token", "use_count", "created_at")
    raw_id_fields = ("team", "created_by")


@admin.register(Task)
class TaskAdmin(AuditedAccessMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "team",
        "domain",
        "frequency",
        "occurrences_per_period",
        "minutes_per_occurrence",
        "hours_per_month",
        "updated_at",
    )
    list_filter = ("frequency", "team__workshop", "domain__name")
    search_fields = ("title", "description", "team__name")
    list_select_related = ("team", "domain")
    readonly_fields = ("hours_per_month", "created_at", "updated_at", "created_by", "updated_by")
    raw_id_fields = ("team", "domain")


@admin.register(FollowUp)
class FollowUpAdmin(AuditedAccessMixin, admin.ModelAdmin):
    """Every team's follow-up across workshops: what its plans expected a month against what
    the lead reported, in hours and in won (at each workshop's hourly cost)."""

    list_display = (
        "team",
        "workshop",
        "sent_at",
        "responded_at",
        "plans",
        "expected_hours",
        "expected_won",
        "actual_hours",
        "actual_won",
    )
    list_filter = ("team__workshop", "sent_at")
    search_fields = ("team__name", "team__workshop__title", "sent_to")
    list_select_related = ("team__workshop",)
    readonly_fields = ("team", "sent_to", "sent_at", "updated_at")
    fields = ("team", "sent_to", "sent_at", "expires_at", "updated_at")
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False  # written only by the follow-up job, with its mail

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _plans=Count("team__picks", distinct=True),
                _reported=Count(
                    "team__picks", filter=Q(team__picks__actual_hours__isnull=False), distinct=True
                ),
                _expected=Sum("team__picks__expected_hours"),
                _actual=Sum("team__picks__actual_hours"),
            )
        )

    @admin.display(description=_("워크샵"), ordering="team__workshop__date")
    def workshop(self, obj):
        return obj.team.workshop

    @admin.display(description=_("응답"), ordering="updated_at")
    def responded_at(self, obj):
        return obj.updated_at or "—"

    @admin.display(description=_("계획 (응답)"), ordering="_plans")
    def plans(self, obj):
        return f"{obj._plans} ({obj._reported})"

    @admin.display(description=_("예상 월 절감 시간"), ordering="_expected")
    def expected_hours(self, obj):
        return obj._expected or 0

    @admin.display(description=_("예상 월 절감액"))
    def expected_won(self, obj):
        return format_won(savings(obj._expected, obj.team.workshop.hourly_cost).monthly_won)

    @admin.display(description=_("실제 월 절감 시간"), ordering="_actual")
    def actual_hours(self, obj):
        return "—" if obj._actual is None else obj._actual

    @admin.display(description=_("실제 월 절감액"))
    def actual_won(self, obj):
        if obj._actual is None:
            return "—"
        return format_won(savings(obj._actual, obj.team.workshop.hourly_cost).monthly_won)
