"""URLs of the annotation app: screens first, then the POST-only claim actions."""
from django.urls import path

from annotations import views

app_name = "annotations"

urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("help/", views.help_page, name="help"),
    path("articles/import/", views.article_import, name="article_import"),
    path("imports/<int:pk>/", views.import_batch, name="import_batch"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/history/", views.article_history, name="article_history"),
    path("articles/<int:pk>/claims/new/", views.claim_create, name="claim_create"),
    path("articles/<int:pk>/assign/", views.article_assign, name="article_assign"),
    path("articles/<int:pk>/unassign/", views.article_unassign, name="article_unassign"),
    path("review/next/", views.review_next, name="review_next"),
    path("review/mine/", views.my_queue, name="my_queue"),
    path("review/disagreements/", views.disagreements, name="disagreements"),
    path("review/agreement/", views.agreement, name="agreement"),
    path("speakers/", views.speaker_list, name="speaker_list"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker_detail"),
    path("speakers/<int:pk>/merge/", views.speaker_merge, name="speaker_merge"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("claims/export/", views.claims_export, name="claims_export"),
    path("claims/export/download/", views.claims_download, name="claims_download"),
    path("audit/export.jsonl", views.audit_download, name="audit_download"),
    path("claims/<int:pk>/history/", views.claim_history, name="claim_history"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/verdict/", views.claim_verdict, name="claim_verdict"),
    path("claims/<int:pk>/apply-match/", views.claim_apply_match, name="claim_apply_match"),
    path("claims/<int:pk>/dismiss/", views.claim_dismiss, name="claim_dismiss"),
    path("claims/<int:pk>/restore/", views.claim_restore, name="claim_restore"),
    path("claims/<int:pk>/restore-label/", views.claim_restore_label, name="claim_restore_label"),
    path("claims/<int:pk>/adjudicate/", views.claim_adjudicate, name="claim_adjudicate"),
    path("claims/<int:pk>/note/", views.claim_note, name="claim_note"),
    path("claims/<int:pk>/speaker/", views.claim_speaker, name="claim_speaker"),
    path("claims/<int:pk>/evidence/", views.claim_evidence_add, name="claim_evidence_add"),
    path("claims/<int:pk>/evidence/remove/", views.claim_evidence_remove, name="claim_evidence_remove"),
]
