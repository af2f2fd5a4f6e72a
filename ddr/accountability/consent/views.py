"""Consent screens: recording a person's answer, a withdrawal and a new photo from their page,
printing the declaration, the subject-access file, and the texts' versions (administrators)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.permissions import has_role, role_required
from core.errors import refusal_to
from core.pdf import html_to_pdf
from ddr.accountability.consent import access, pdf, selectors, services
from ddr.accountability.consent.forms import ConsentRecordForm, ConsentTextForm, PhotoForm, WithdrawalForm
from ddr.accountability.consent.models import ConsentLanguage, ConsentText
from ddr.registration.models import Combatant

TEXT_EDIT_ROLES: frozenset[str] = frozenset({Role.ADMINISTRATOR})
ROLES = selectors.CONSENT_ROLES


def _person(request: AuthenticatedHttpRequest, pk: int) -> Combatant:
    # Out of scope is "not found": another region's person, a child for anyone but child protection.
    return get_object_or_404(
        Combatant.objects.for_user(request.user).select_related("region", "movement"), pk=pk
    )


def _back(person: Combatant) -> str:
    return reverse("ddr:person-detail", args=[person.pk]) + "?tab=accountability#accountability"


def _form_page(
    request: AuthenticatedHttpRequest, person: Combatant, form: object, title: str
) -> HttpResponse:
    context = {"person": person, "form": form, "title": title, "back": _back(person)}
    return render(request, "ddr/accountability/consent_form.html", context, status=400)


@role_required(*ROLES)
@require_POST
def consent_record_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = ConsentRecordForm(request.POST, request.FILES, prefix="consent")
    if form.is_valid():
        with refusal_to(form):
            services.consent_record(person=person, by=request.user, **form.service_kwargs())
            messages.success(request, _("Consent recorded."))
            return redirect(_back(person))
    return _form_page(request, person, form, _("Record consent"))


@role_required(*ROLES)
@require_POST
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = WithdrawalForm(request.POST, prefix="withdrawal")
    if form.is_valid():
        with refusal_to(form):
            services.consent_withdraw(person=person, by=request.user, **form.cleaned_data)
            messages.success(request, _("Withdrawal recorded: what it covers was removed."))
            return redirect(_back(person))
    return _form_page(request, person, form, _("Withdraw consent"))


@role_required(*ROLES)
@require_POST
def person_photo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = PhotoForm(request.POST, request.FILES, prefix="photo")
    if form.is_valid():
        with refusal_to(form):
            services.person_photo_replace(person=person, photo=form.cleaned_data["photo"], by=request.user)
            messages.success(request, _("Photo saved."))
            return redirect(_back(person))
    return _form_page(request, person, form, _("New photo"))


@role_required(*ROLES)
def consent_declaration(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The declaration to sign, as a PDF, in the language asked (`?language=`): the person's
    details, the active texts of that language, and the signature and thumbprint blocks."""
    person = _person(request, pk)
    language = request.GET.get("language", ConsentLanguage.FRENCH)
    if language not in ConsentLanguage.values:
        raise Http404
    texts = list(ConsentText.objects.filter(language=language, active=True))
    if not texts:
        messages.error(request, _("No active text in this language: ask an administrator to add it."))
        return redirect(_back(person))
    made = html_to_pdf(pdf.declaration_html(request, person, texts, language))  # no Pango: a 503
    return pdf.logged_download(
        request.user,
        made,
        what="consent-declaration",
        filename=f"declaration-{person.registration_number}-{language}.pdf",
        content_type="application/pdf",
        filters=f"person={person.pk}&language={language}",
    )


@role_required(*ROLES)
def consent_scan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A record's scanned form (scoped like the person), logged like an export."""
    record = get_object_or_404(selectors.records_for(request.user).exclude(scan=""), pk=pk)
    with record.scan.open("rb") as scan:
        data = scan.read()
    name = record.scan.name.rsplit("/", 1)[-1]
    content_type = (
        "application/pdf"
        if name.lower().endswith(".pdf")
        else "image/" + name.rsplit(".", 1)[-1].lower().replace("jpg", "jpeg")
    )
    return pdf.logged_download(
        request.user,
        data,
        what="consent-scan",
        filename=name,
        content_type=content_type,
        filters=f"person={record.combatant_id}&record={record.pk}",
    )


@role_required(*ROLES)
def subject_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything the system holds about one person, as a PDF (default) or JSON (`?format=json`),
    logged. Commission officers and administrators; a regional officer for their region; a child's
    only child protection (others: 404). Analysts never reach it (403)."""
    person = _person(request, pk)
    data = access.subject_access(person, request.user)
    filters = f"person={person.pk}"
    if request.GET.get("format") == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        return pdf.logged_download(
            request.user,
            body,
            what="subject-access",
            filename=f"acces-{person.registration_number}.json",
            content_type="application/json",
            filters=filters,
        )
    made = html_to_pdf(pdf.subject_access_html(request, data))  # no Pango: a 503
    return pdf.logged_download(
        request.user,
        made,
        what="subject-access",
        filename=f"acces-{person.registration_number}.pdf",
        content_type="application/pdf",
        filters=filters,
    )


# --- texts ---------------------------------------------------------------------------------


@role_required(*ROLES)
def text_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_edit = has_role(request.user, TEXT_EDIT_ROLES)
    form = ConsentTextForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            with refusal_to(form):
                text = services.consent_text_create(by=request.user, **form.cleaned_data)
                messages.success(
                    request, _("Version %(v)s written; activate it when it is checked.") % {"v": text.version}
                )
                return redirect("ddr:consent-text-list")
    language = request.GET.get("language", "")
    texts = ConsentText.objects.all()
    if language in ConsentLanguage.values:
        texts = texts.filter(language=language)
    context = {
        "texts": texts,
        "form": form,
        "can_edit": can_edit,
        "languages": ConsentLanguage.choices,
        "language": language,
    }
    return render(
        request, "ddr/accountability/consent_texts.html", context, status=400 if form and form.errors else 200
    )


@role_required(*TEXT_EDIT_ROLES)
@require_POST
def text_activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    text = get_object_or_404(ConsentText, pk=pk)
    with refusal_to(request):
        services.consent_text_activate(text=text, by=request.user)
        messages.success(request, _("Version activated; the previous one is retired."))
    return redirect("ddr:consent-text-list")
