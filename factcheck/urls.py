"""Top-level URLs: the health check, the app, the login pages and the admin."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from annotations.views import healthz

# Django's auth pages, less the password reset ones: the desk sends no mail (admins set passwords in
# /admin/), and a reset form would try to, against an SMTP server on localhost.
account_urls = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include(account_urls)),
    path("", include("annotations.urls")),
]
