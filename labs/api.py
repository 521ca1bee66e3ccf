"""The labs app's public surface for the apps above it (LTI grade passback, community).

Other apps import labs only through this module (Open edX OEP-49), so the
labs' internals can change without breaking them.
"""

from labs.models import Lab
from labs.selectors import CountedGrade, grade_that_counts
from labs.signals import grade_changed

__all__ = ["CountedGrade", "Lab", "grade_changed", "grade_that_counts"]
