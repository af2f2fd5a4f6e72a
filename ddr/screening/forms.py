from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import CHOOSE, DATE, StyledForm
from core.pagination import COUNT_CAP, CappedPaginator
from ddr.eligibility.services import EXITS, next_statuses
from ddr.registration.models import Combatant
from ddr.screening.models import MedicalExam, VettingMatch


class AgeAssessmentForm(StyledForm, forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence seen"), max_length=300)
    assessed_age = forms.IntegerField(label=_("Assessed age"), min_value=5, max_value=100)


class MedicalExamForm(StyledForm, forms.Form):
    examined_on = forms.DateField(label=_("Examined on"), widget=DATE)
    examiner = forms.CharField(label=_("Examiner"), max_length=200)
    result = forms.ChoiceField(label=_("Result"), choices=MedicalExam.Result.choices)
    final = forms.BooleanField(label=_("Final decision"), required=False, initial=True)
    disputed = forms.BooleanField(label=_("Disputed"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class VettingReviewForm(StyledForm, forms.Form):
    row_form = True  # on each match's row of the queue
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            CHOOSE,  # a match may be a war criminal: "cleared" is never preselected
            (VettingMatch.Status.CLEARED, VettingMatch.Status.CLEARED.label),
            (VettingMatch.Status.CONFIRMED, VettingMatch.Status.CONFIRMED.label),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TransitionForm(StyledForm, forms.Form):
    """A change of status offers only the moves the transition table allows from `statuses` (a
    person's, or every status among a cohort: the moves all of them may make); exits apart."""

    to = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(label=_("Reason"), max_length=100)

    def __init__(self, *args: Any, statuses: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets = next_statuses(statuses)
        S = Combatant.Status
        steps = [(s, S(s).label) for s in S.values if s in targets and s not in EXITS]
        exits = [(s, S(s).label) for s in S.values if s in targets and s in EXITS]
        choices: list[Any] = [CHOOSE]
        if steps:
            choices.append((_("Next steps"), steps))
        if exits:
            choices.append((_("Leaving the programme"), exits))
        self.fields["to"].choices = choices  # type: ignore[attr-defined]


class CohortTransitionForm(TransitionForm):
    """A cohort moves only when the officer confirms the number they saw, and that number still
    holds: a list that changed in between (someone registered, someone moved) refuses the lot."""

    shown = forms.IntegerField(label=_("People shown"), widget=forms.HiddenInput, min_value=0)
    confirm = forms.BooleanField(label=_("I confirm the change for every person shown"))

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = count
        self.fields["shown"].initial = count

    def clean_shown(self) -> int:
        shown: int = self.cleaned_data["shown"]
        if self.count > COUNT_CAP:  # the table offers no cohort change past its count's cap
            raise forms.ValidationError(_("more than %(n)s people: narrow the list.") % {"n": COUNT_CAP})
        if shown != self.count:
            raise forms.ValidationError(
                _("the list changed: %(now)s people match now, %(shown)s were shown; look again.")
                % {"now": self.count, "shown": shown}
            )
        return shown


class HandOverForm(StyledForm, forms.Form):
    row_form = True  # one per child awaiting hand-over, on the list's rows

    partner = forms.CharField(label=_("Interim care centre or partner"), max_length=200)
    at = forms.DateTimeField(
        label=_("Handed over at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )




def cohort_form(people: QuerySet[Combatant], paginator: CappedPaginator) -> CohortTransitionForm | None:
    """The form that moves every person a table shows, when the table knows how many (not past
    the count's cap) and there are some. Their statuses come from the page's own query when it
    read them (`OnePassPaginator`)."""
    if paginator.capped or not paginator.count:
        return None
    read = getattr(paginator, "distinct_values", {}).get("status")
    statuses = cohort_statuses(people) if read is None else read
    return CohortTransitionForm(statuses=statuses, count=paginator.count)


def cohort_statuses(people: QuerySet[Combatant]) -> Any:
    """The statuses among a cohort (one query): the moves offered are those all of them may make."""
    return people.order_by().values_list("status", flat=True).distinct()
