"""A sample OFPPT-funded training action for the demo: a client company, two participants, some attendance."""

from __future__ import annotations

import datetime
from decimal import Decimal

from courses.models import Course
from funding.models import ActionType, Company, TrainingAction
from funding.services.actions import action_create
from funding.services.attendance import attendance_save
from funding.services.companies import company_create
from funding.services.participants import participant_add

DEMO_ICE = "002718345000093"
DEMO_ACTION_TITLE = "Vidéo générative pour l'équipe marketing — session de printemps"
# Fictional identifiers in the right formats (never real people's numbers).
DEMO_PARTICIPANTS = [
    ("apprenant@demo.academy", "BE123456", "123456789"),
    ("learner@demo.academy", "JA654321", "987654321"),
]


def seed_funding_sample(*, course: Course, organisation, admin, trainer, learners: dict) -> TrainingAction:
    """Create the sample once; later runs leave it (and what admins did with it) alone."""
    company = Company.objects.filter(ice=DEMO_ICE).first() or company_create(
        by=admin,
        legal_name="Atlas Argan Cosmétiques SA",
        organisation=organisation,
        ice=DEMO_ICE,
        rc="45871",
        if_number="40123456",
        patente="35478912",
        cnss_affiliation="7412589",
        city="Essaouira",
        sector="Cosmétique et e-commerce",
        headcount_cadres=6,
        headcount_employes=24,
        headcount_ouvriers=40,
        legal_representative="Fatima Zahra Alaoui",
        training_manager="Karim Bennis",
        tfp_up_to_date=True,
        cnss_up_to_date=True,
        access_certificate_year=2026,
    )
    action = TrainingAction.objects.filter(company=company, title=DEMO_ACTION_TITLE).first()
    if action is not None:
        return action
    action = action_create(
        by=admin,
        course=course,
        company=company,
        title=DEMO_ACTION_TITLE,
        action_type=ActionType.PLANNED,
        plan_year=2026,
        start_date=datetime.date(2026, 3, 16),
        end_date=datetime.date(2026, 3, 17),
        location="Casablanca, salle Atlas",
        cost_excl_tax=Decimal("24000"),
        cost_incl_tax=Decimal("28800"),
        trainers=[trainer],
    )
    participants = [
        participant_add(action=action, learner=learners[email], cin=cin, cnss_number=cnss, by=admin)
        for email, cin, cnss in DEMO_PARTICIPANTS
    ]
    days = list(action.days.all())
    marks = {(p.pk, day.date, half): True for p in participants for day in days for half in ("am", "pm")}
    marks[(participants[1].pk, days[-1].date, "pm")] = False  # one half-day missed
    attendance_save(action=action, marks=marks, by=trainer)
    return action
