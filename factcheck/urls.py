"""Top-level URLs: the health check, the app, the login pages and the admin."""
from django.contrib import admin
from django.urls import include, path

from annotations.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("annotations.urls")),
]
