"""Factories of the funding app, shared by the funding test files."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from funding.models import ActionDay, ActionType, Company, Participant, TrainingAction
from tests.factories import CourseFactory, UserFactory


def _ice(n: int) -> str:
    return f"{n:015d}"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    legal_name = factory.Sequence(lambda n: f"Société {n} SARL")
    ice = factory.Sequence(lambda n: _ice(1525489000088 + n))
    rc = "123456"
    if_number = "40123456"
    city = "Casablanca"
    sector = "Commerce"
    headcount_cadres = 5
    headcount_employes = 20
    headcount_ouvriers = 10
    tfp_up_to_date = True
    cnss_up_to_date = True


class TrainingActionFactory(factory.django.DjangoModelFactory):
    """An action from Monday 2 March to Friday 6 March 2026, with its five days (7 h each)."""

    class Meta:
        model = TrainingAction
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Vidéo IA pour le marketing {n}")
    action_type = ActionType.PLANNED
    plan_year = 2026
    start_date = datetime.date(2026, 3, 2)
    end_date = datetime.date(2026, 3, 6)
    location = "Casablanca, salle A"
    cost_excl_tax = Decimal("20000.00")
    cost_incl_tax = Decimal("24000.00")
    rate_applied = Decimal("70.00")

    @factory.post_generation
    def days(self, create: bool, extracted, **kwargs) -> None:
        """``days=False`` skips them; otherwise one row per weekday between the dates."""
        if not create or extracted is False:
            return
        day = self.start_date
        rows = []
        while day <= self.end_date:
            if day.weekday() < 5:
                rows.append(ActionDay(action=self, date=day))
            day += datetime.timedelta(days=1)
        ActionDay.objects.bulk_create(rows)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    action = factory.SubFactory(TrainingActionFactory)
    learner = factory.SubFactory(UserFactory)
    cin = factory.Sequence(lambda n: f"BE{100000 + n}")
    cnss_number = factory.Sequence(lambda n: f"{123456000 + n:09d}")
    category = Participant.Category.EMPLOYE
    funding_status = Participant.FundingStatus.ELIGIBLE
