"""Create the demo: the first course in French and English, its labs, and demo accounts.

Idempotent: run it as often as you like; it updates what exists.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from academy.models import Organisation, User
from courses.services.learning import enrol
from demo.course_loader import CONTENT_DIR, load_course, read_course_file
from demo.funding_sample import seed_funding_sample
from provenance.samples import write_samples

DEMO_PASSWORD = "demo-academy-2026"  # noqa: S105 (published demo logins)
DEMO_ACCOUNTS = [
    # email, first name, last name, role
    ("admin@demo.academy", "Nadia", "Bennani", User.Role.ADMIN),
    ("formatrice@demo.academy", "Salma", "El Idrissi", User.Role.TRAINER),
    ("apprenant@demo.academy", "Youssef", "Amrani", User.Role.LEARNER),
    ("learner@demo.academy", "Emma", "Martin", User.Role.LEARNER),
]
COURSE_FILES = ["genai_video.fr.toml", "genai_video.en.toml"]  # French first: the English one links to it


class Command(BaseCommand):
    help = "Create or update the demo course, labs and accounts (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        organisation, _ = Organisation.objects.get_or_create(name="Atlas Argan Cosmétiques")
        users = {}
        for email, first_name, last_name, role in DEMO_ACCOUNTS:
            user = User.objects.filter(email=email).first() or User(email=email)
            user.first_name, user.last_name, user.role = first_name, last_name, role
            user.is_staff = user.is_superuser = role == User.Role.ADMIN
            user.preferred_language = "en" if email.startswith("learner@") else "fr"
            if role == User.Role.LEARNER:
                user.organisation = organisation
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[email] = user
        trainer = users["formatrice@demo.academy"]
        courses = [load_course(read_course_file(CONTENT_DIR / name), owner=trainer) for name in COURSE_FILES]
        enrol(user=users["apprenant@demo.academy"], course=courses[0])
        enrol(user=users["learner@demo.academy"], course=courses[1])
        action = seed_funding_sample(
            course=courses[0],
            organisation=organisation,
            admin=users["admin@demo.academy"],
            trainer=trainer,
            learners=users,
        )

        call_command("lti_demo_platform", stdout=self.stdout)
        # Each lab gets a peer-review grid to start from (community; named, not imported: it sits above demo).
        call_command("community_demo", *[course.slug for course in courses], stdout=self.stdout)
        # The ethics module's provenance workshop links to these (made offline, no download).
        write_samples()

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Sample OFPPT action: {action} (/financement/actions/{action.pk}/)")
        self.stdout.write("Courses: " + " | ".join(f"{c.title} (/cours/{c.slug}/)" for c in courses))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, first_name, last_name, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<8} {email}  ({first_name} {last_name})")
