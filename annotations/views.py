"""One function per screen or action."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from annotations.models import Article


@login_required
def article_list(request):
    articles = Article.objects.with_progress()
    return render(request, "annotations/article_list.html", {"articles": articles})
