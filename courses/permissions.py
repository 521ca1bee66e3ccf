"""Who may see or change a course; shared by the learner and authoring views.

Objects a user may not see are answered with 404 by the views (not 403), so
these helpers only answer yes/no and never raise.
"""

from __future__ import annotations

from courses.models import Certificate, Course
from courses.selectors.learning import active_enrolment


def can_edit_course(user, course: Course) -> bool:
    """Owners, co-trainers and admins edit a course."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if not user.is_trainer:
        return False
    if course.owner_id == user.pk:
        return True
    return course.co_trainers.filter(pk=user.pk).exists()


def can_view_course(user, course: Course) -> bool:
    """Published courses are public; drafts only for those who edit them."""
    if course.is_published:
        return True
    return can_edit_course(user, course)


def is_enrolled(user, course: Course) -> bool:
    return active_enrolment(user, course) is not None


def can_manage_enrolments(user, course: Course) -> bool:
    """Enrolling others (closed or company courses) is an administrator's task."""
    return bool(user.is_authenticated and user.is_admin)


def can_follow_course(user, course: Course) -> bool:
    """Open steps of a course: enrolled learners, and its trainers/admins previewing it."""
    return is_enrolled(user, course) or can_edit_course(user, course)


def can_download_certificate(user, certificate: Certificate) -> bool:
    if not user.is_authenticated:
        return False
    return certificate.user_id == user.pk or user.is_admin
