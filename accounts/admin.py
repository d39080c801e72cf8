from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm

from accounts.admin_audit import AuditedAccessMixin
from accounts.models import INSTRUCTOR_GROUP, AuditEntry, PrivacyConsent, User


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserChangeForm(BaseUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedAccessMixin, BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = (
        "email",
        "name",
        "is_instructor",
        "is_staff",
        "is_active",
        "date_joined",
        "last_login",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "name")
    readonly_fields = ("date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        (
            "권한",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": f"강사로 만들려면 '{INSTRUCTOR_GROUP}' 그룹에 넣으세요. "
                "운영자(관리자 화면 접근)는 '운영자'를 켜고 비밀번호를 정하세요.",
            },
        ),
        ("기록", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="강사", boolean=True)
    def is_instructor(self, obj):
        return obj.is_superuser or any(g.name == INSTRUCTOR_GROUP for g in obj.groups.all())


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept as evidence: operators read them, nobody adds, edits or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditedAccessMixin, ReadOnlyAdmin):
    list_display = ("at", "action", "actor", "summary", "workshop", "ip", "request_id")
    list_filter = ("action", "workshop")
    search_fields = ("summary", "actor__email", "request_id", "target_id")
    list_select_related = ("actor", "workshop")
    date_hierarchy = "at"


@admin.register(PrivacyConsent)
class PrivacyConsentAdmin(AuditedAccessMixin, ReadOnlyAdmin):
    """Proof of each consent: read-only, like the audit log."""

    list_display = ("user", "version", "agreed_at", "ip", "request_id")
    list_filter = ("version",)
    search_fields = ("user__email", "request_id")
    list_select_related = ("user",)
    date_hierarchy = "agreed_at"
