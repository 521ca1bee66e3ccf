"""Names and Role Provisioning: a trainer imports a platform course's roster into an Academy course."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from lti_tool.models import LtiContext, LtiUser
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from courses.api import Course
from lti.protocol import http_session
from lti.services.launch import LaunchRefused, grant_course_role, platform_user_account, teaches


class RosterUnavailable(Exception):
    """The platform's membership service could not be read."""


@dataclass(frozen=True)
class RosterImport:
    learners: int
    trainers: int
    skipped: int


def fetch_members(context: LtiContext) -> list[dict]:
    registration = context.deployment.registration.to_registration()
    service = NamesRolesProvisioningService(
        ServiceConnector(registration, requests_session=http_session()),
        {"context_memberships_url": context.memberships_url},
    )
    try:
        return list(service.get_members())
    except (LtiException, RequestException, ValueError) as error:
        raise RosterUnavailable(str(error)) from error


@transaction.atomic
def roster_apply(*, context: LtiContext, course: Course, members: list[dict]) -> RosterImport:
    """Accounts by platform ``sub`` (never by e-mail), learners enrolled, instructors made trainers of the course."""
    context.update_memberships(members)  # django-lti's record of the platform roster
    registration = context.deployment.registration
    learners = trainers = skipped = 0
    for member in members:
        if member.get("status", "Active") != "Active":
            skipped += 1
            continue
        platform_user = LtiUser.objects.get(registration=registration, sub=member["user_id"])
        user = platform_user_account(platform_user=platform_user)
        teaching = teaches(member.get("roles", []))
        try:
            grant_course_role(user=user, course=course, teaching=teaching)
        except LaunchRefused:
            skipped += 1
            continue
        if teaching:
            trainers += 1
        else:
            learners += 1
    return RosterImport(learners=learners, trainers=trainers, skipped=skipped)


def roster_import(*, context: LtiContext, course: Course) -> RosterImport:
    members = fetch_members(context)  # outside the transaction: a slow platform holds no lock
    return roster_apply(context=context, course=course, members=members)
