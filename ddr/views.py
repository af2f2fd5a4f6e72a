from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.permissions import CASE_ROLES, role_required
from core.audit import history_of

from .models import Combatant


@role_required(*CASE_ROLES)
def person_list(request: HttpRequest) -> HttpResponse:
    people = Combatant.objects.for_user(request.user).select_related("region", "movement")
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(
            Q(family_name__icontains=query)
            | Q(given_name__icontains=query)
            | Q(registration_number__iexact=query)
        )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "ddr/person_list.html", {"page": page, "query": query})


@role_required(*CASE_ROLES)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Out of scope is "not found", never "forbidden": a refusal must not confirm existence.
    person = get_object_or_404(
        Combatant.objects.for_user(request.user).select_related("region", "movement"), pk=pk
    )
    return render(request, "ddr/person_detail.html", {"person": person, "history": history_of(person)})
