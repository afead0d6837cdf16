"""URLs of the annotation app."""
from django.urls import path

from annotations import views

app_name = "annotations"

urlpatterns = [
    path("", views.article_list, name="article_list"),
]
