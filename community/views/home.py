"""The community home: the courses where the user takes part, their galleries, reviews and (for trainers) moderation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from community import selectors


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {"entries": selectors.community_home(request.user), "mine": selectors.my_reviews(request.user)}
    return render(request, "community/home.html", context)
