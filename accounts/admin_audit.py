"""Operators' access to personal data in the admin leaves an audit entry.

Mixed into the ModelAdmins of models that hold personal data (people, teams, tasks, analyses,
consents, and the audit log itself, which holds addresses). Opening a change list writes
`admin.list` (with the filter query); opening one object writes `admin.change` when the form
lets the operator edit it, `admin.view` when it is read-only. Only GET requests count (a save
is in Django's own admin history); audit.record never raises, so the page always opens.
"""

from accounts import audit


class AuditedAccessMixin:
    def _audit(self, request, action: str, *, object_id: str = "", query: str = "") -> None:
        opts = self.model._meta
        detail = {"model": opts.label}
        if object_id:
            detail["object_id"] = str(object_id)
        if query:
            detail["query"] = query[:500]
        audit.record(
            action,
            actor=request.user,
            summary=f"{opts.label} {object_id}".strip()[:300],
            detail=detail,
            request=request,
        )

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            self._audit(request, "admin.list", query=request.GET.urlencode())
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            action = "admin.change" if self.has_change_permission(request) else "admin.view"
            self._audit(request, action, object_id=object_id)
        return super().change_view(request, object_id, form_url, extra_context)
