"""Admin: articles and marks for editors; the audit history strictly read-only."""
from django.contrib import admin

from annotations.models import Article, AuditEvent, Claim, Evidence


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nothing is added, changed or deleted here: articles and marks change only through the app, so every
    change has its event, and the audit history never changes at all."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["pk", "created_at", "actor_label", "action", "article", "claim"]
    list_filter = ["action"]
    search_fields = ["actor_label", "note"]


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["pk", "title", "source_name", "created_at"]
    search_fields = ["title"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["pk", "article", "kind", "origin", "verdict", "is_dismissed"]
    list_filter = ["kind", "origin", "verdict", "is_dismissed"]
    # Claim has no default ordering (it costs every query a join); the list keeps marks by article and text.
    ordering = ["article", "start", "end"]


admin.site.register(Evidence, ReadOnlyAdmin)
