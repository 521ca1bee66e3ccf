"""Who takes part in a course's community, and who moderates it.

The community of a course is its active learners and its trainers (owner,
co-trainers) plus admins. Anyone else gets a 404 from the views: a learner
of another course cannot even tell that a gallery, a review or a post exists.
"""

from __future__ import annotations

from courses import api as courses


def is_moderator(user, course) -> bool:
    """The course's trainers and admins: they hide gallery items, remove reviews and posts, mark answers."""
    return courses.can_edit_course(user, course)


def takes_part(user, course) -> bool:
    """An active learner of the published course, or one of its moderators."""
    if not user.is_authenticated:
        return False
    if course.is_published and courses.is_enrolled(user, course):
        return True
    return is_moderator(user, course)
