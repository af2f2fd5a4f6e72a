"""The payment pages: batches, statements, hand-overs and the paid-twice list, each as a role and
a region may see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ddr.models import Combatant, Entitlement, PaymentBatch, card_token_for
from ddr.reintegration.payments import services

from ...factories import region
from .payments_setup import DUE_BY, all_paid, approver, enrolled, exported, prepared, statement_csv

pytestmark = pytest.mark.django_db


def client_for(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_analyst_is_refused_every_page(analyst_client: Client, commission_officer: Any) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    for name, args in [
        ("ddr:payment-batch-list", []),
        ("ddr:payment-batch-new", []),
        ("ddr:payment-batch-detail", [batch.pk]),
        ("ddr:distribution", []),
        ("ddr:paid-twice", []),
    ]:
        assert analyst_client.get(reverse(name, args=args)).status_code == 403, name
    assert analyst_client.post(reverse("ddr:payment-batch-approve", args=[batch.pk])).status_code == 403


def test_regional_officer_sees_only_their_regions_batches(gao_officer: Any, commission_officer: Any) -> None:
    enrolled(commission_officer, 1, region=region("GAO"))
    enrolled(commission_officer, 1, region=region("KID"))
    gao = prepared(gao_officer)
    kidal = prepared(commission_officer, region=region("KID"))
    client = client_for(gao_officer)
    page = client.get(reverse("ddr:payment-batch-list")).content.decode()
    assert gao.reference in page and kidal.reference not in page
    assert client.get(reverse("ddr:payment-batch-detail", args=[gao.pk])).status_code == 200
    assert client.get(reverse("ddr:payment-batch-detail", args=[kidal.pk])).status_code == 404
    assert client.post(reverse("ddr:payment-batch-cancel", args=[kidal.pk])).status_code == 404


def test_a_national_batch_is_not_shown_to_a_regional_officer(
    gao_officer: Any, commission_officer: Any
) -> None:
    enrolled(commission_officer, 1, region=region("GAO"))
    national = prepared(commission_officer)
    assert national.region is None
    assert (
        client_for(gao_officer).get(reverse("ddr:payment-batch-detail", args=[national.pk])).status_code
        == 404
    )


def test_prepare_page_previews_then_prepares(commission_officer: Any) -> None:
    enrolled(commission_officer, 2)
    enrolled(commission_officer, 1, mobile=False)
    client = client_for(commission_officer)
    form = {"due_by": DUE_BY.isoformat(), "channel": "mobile_money", "provider": "Orange Money"}
    preview = client.post(reverse("ddr:payment-batch-new"), {**form, "action": "preview"})
    assert preview.status_code == 200 and not PaymentBatch.objects.exists()
    text = preview.content.decode()
    assert "3 cash entitlements due, 225,000 XOF." in text and "2 of them can be paid by mobile money" in text
    response = client.post(reverse("ddr:payment-batch-new"), {**form, "action": "prepare"})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "ddr:payment-batch-detail", args=[batch.pk]
    )
    assert batch.line_count == 2


def test_prepare_page_shows_the_refusal(commission_officer: Any) -> None:
    form = {
        "due_by": DUE_BY.isoformat(),
        "channel": "mobile_money",
        "provider": "Orange Money",
        "action": "prepare",
    }
    response = client_for(commission_officer).post(reverse("ddr:payment-batch-new"), form)
    assert response.status_code == 400 and "Nothing to pay" in response.content.decode()


def test_regional_officer_form_has_no_region(gao_officer: Any) -> None:
    page = client_for(gao_officer).get(reverse("ddr:payment-batch-new")).content.decode()
    assert 'name="region"' not in page and 'name="due_by"' in page


def test_approve_button_only_for_another_approver(commission_officer: Any, gao_officer: Any) -> None:
    enrolled(commission_officer, 1, region=region("GAO"))
    batch = prepared(commission_officer)
    url = reverse("ddr:payment-batch-detail", args=[batch.pk])
    assert 'data-testid="batch-approve"' not in client_for(commission_officer).get(url).content.decode()
    assert 'data-testid="batch-approve"' not in client_for(gao_officer).get(url).content.decode()
    assert 'data-testid="batch-approve"' in client_for(approver()).get(url).content.decode()


def test_the_preparer_posting_an_approval_is_refused(commission_officer: Any) -> None:
    enrolled(commission_officer, 1)
    batch = prepared(commission_officer)
    client = client_for(commission_officer)
    response = client.post(reverse("ddr:payment-batch-approve", args=[batch.pk]), follow=True)
    assert "another person must approve it (four eyes)" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "prepared"
    french = client_for(commission_officer, "fr").post(
        reverse("ddr:payment-batch-approve", args=[batch.pk]), follow=True
    )
    assert "quatre yeux" in french.content.decode()


def test_approve_then_export_from_the_page(commission_officer: Any) -> None:
    enrolled(commission_officer, 2)
    batch = prepared(commission_officer)
    checker = client_for(approver())
    checker.post(reverse("ddr:payment-batch-approve", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "approved"
    response = checker.post(reverse("ddr:payment-batch-export", args=[batch.pk]), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith(f'{batch.reference}.csv"')
    assert response.content.decode("utf-8-sig").count(batch.reference) == 2
    batch.refresh_from_db()
    assert batch.status == "exported"
    page = checker.get(reverse("ddr:payment-batch-detail", args=[batch.pk])).content.decode()
    assert 'data-testid="statement-form"' in page


def test_batch_page_queries_do_not_grow_with_lines(
    commission_officer: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(commission_officer)
    enrolled(commission_officer, 2)
    small = prepared(commission_officer)
    enrolled(commission_officer, 30)
    large = prepared(commission_officer)
    client.get(reverse("ddr:payment-batch-detail", args=[small.pk]))  # warm the session and caches
    with django_assert_max_num_queries(16) as captured:
        client.get(reverse("ddr:payment-batch-detail", args=[small.pk]))
    count = len(captured)
    with django_assert_max_num_queries(count):
        response = client.get(reverse("ddr:payment-batch-detail", args=[large.pk]))
    assert response.content.decode().count('data-testid="batch-line"') == 30


def test_statement_upload_shows_errors_by_line(commission_officer: Any, eager_tasks: Any) -> None:
    enrolled(commission_officer, 2)
    user = approver()
    batch = exported(commission_officer, user)
    client = client_for(user)
    rows = all_paid(batch)
    rows[1] = (rows[1][0], 1, *rows[1][2:])
    upload = SimpleUploadedFile("releve.csv", statement_csv(rows), content_type="text/csv")
    with eager_tasks():
        response = client.post(reverse("ddr:payment-statement-new", args=[batch.pk]), {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="refused"' in page
    assert (
        "Amount 1 differs from the batch&#x27;s 75,000 for this reference." in page
        or "differs from the batch" in page
    )
    assert 'data-testid="import-errors"' in page
    errors = client.get(response["Location"] + "erreurs.csv")
    assert errors.status_code == 200 and "differs" in errors.content.decode("utf-8-sig")


def test_statement_upload_reconciles_with_a_progress_bar(commission_officer: Any, eager_tasks: Any) -> None:
    enrolled(commission_officer, 2)
    user = approver()
    batch = exported(commission_officer, user)
    client = client_for(user)
    upload = SimpleUploadedFile("releve.csv", statement_csv(all_paid(batch)[:1]), content_type="text/csv")
    response = client.post(reverse("ddr:payment-statement-new", args=[batch.pk]), {"file": upload})
    checking = client.get(response["Location"]).content.decode()
    assert 'data-testid="statement-progress"' in checking and "hx-get" in checking  # the worker has not run
    record = batch.statement_imports.get()
    services.statement_import(import_id=record.pk)
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="imported"' in partial and "hx-get" not in partial and "<html" not in partial
    assert 'data-testid="not-in-statement"' in partial


def test_distribution_page_finds_the_card_and_records_the_hand_over(commission_officer: Any) -> None:
    person = enrolled(commission_officer, 1)[0]
    client = client_for(commission_officer)
    url = reverse("ddr:distribution")
    token = card_token_for(person.pk)
    page = client.get(url, {"token": token}).content.decode()
    assert person.registration_number in page and 'data-testid="distribution-form"' in page
    toolkit = Entitlement.objects.get(combatant=person, component__delivery="in_kind")
    form = {
        "token": token,
        "entitlement": toolkit.pk,
        "place": "Site de Gao",
        "confirmation": "signature",
        "on": "2024-02-15",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    toolkit.refresh_from_db()
    assert toolkit.state == "delivered"
    again = client.post(url, form)
    assert again.status_code == 400 and "Already handed over" in again.content.decode()
    assert 'data-testid="nothing-due"' in client.get(url, {"token": token}).content.decode()


def test_distribution_page_refuses_a_merged_card(commission_officer: Any) -> None:
    kept, absorbed = enrolled(commission_officer, 2)
    Combatant.objects.filter(pk=absorbed.pk).update(status="merged", merged_into=kept)
    page = client_for(commission_officer).get(
        reverse("ddr:distribution"), {"token": card_token_for(absorbed.pk)}
    )
    text = page.content.decode()
    assert 'data-testid="card-refused"' in text and kept.registration_number in text
    assert 'data-testid="distribution-form"' not in text


def test_distribution_page_does_not_find_another_regions_card(
    gao_officer: Any, commission_officer: Any
) -> None:
    person = enrolled(commission_officer, 1, region=region("KID"))[0]
    response = client_for(gao_officer).get(reverse("ddr:distribution"), {"token": card_token_for(person.pk)})
    assert response.status_code == 404 and person.registration_number not in response.content.decode()


def test_paid_twice_page_lists_after_a_merge(commission_officer: Any) -> None:
    from .test_payments_distributions import hand_over, merge

    kept, absorbed = enrolled(commission_officer, 2)
    hand_over(kept, commission_officer)
    hand_over(absorbed, commission_officer)
    client = client_for(commission_officer)
    assert 'data-testid="to-recover"' not in client.get(reverse("ddr:paid-twice")).content.decode()
    merge(kept, absorbed, commission_officer)
    page = client.get(reverse("ddr:paid-twice")).content.decode()
    assert page.count('data-testid="to-recover"') == 1 and absorbed.registration_number in page


def test_person_page_shows_payments_and_hand_overs(commission_officer: Any, eager_tasks: Any) -> None:
    from .test_payments_distributions import hand_over

    person = enrolled(commission_officer, 1)[0]
    user = approver()
    batch = exported(commission_officer, user)
    with eager_tasks():
        services.statement_import_start(
            batch=batch, data=statement_csv(all_paid(batch)), filename="r.csv", by=user
        )
    hand_over(person, commission_officer, on=dt.date(2024, 2, 20))
    page = client_for(commission_officer).get(reverse("ddr:person-detail", args=[person.pk])).content.decode()
    assert 'data-testid="person-payments"' in page
    assert batch.lines.get().reference in page and "Site de Gao" in page
