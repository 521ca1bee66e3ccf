import unicodedata

import django.db.models.deletion
from django.db import migrations, models


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def link_existing_labs(apps, schema_editor):
    """Existing labs keep the lesson they used to find by title: the deepfakes lesson, else the ethics module's first."""
    Lab = apps.get_model("labs", "Lab")
    Step = apps.get_model("courses", "Step")
    for lab in Lab.objects.filter(ethics_step__isnull=True).select_related("step__module"):
        lessons = list(
            Step.objects.filter(module__course_id=lab.step.module.course_id, kind="lesson")
            .select_related("module")
            .order_by("module__position", "module_id", "position", "id")
        )
        chosen = next((s for s in lessons if "deepfake" in _folded(s.title)), None)
        if chosen is None:
            chosen = next((s for s in lessons if "ethique" in _folded(s.module.title) or "ethic" in _folded(s.module.title)), None)
        if chosen is not None:
            Lab.objects.filter(pk=lab.pk).update(ethics_step=chosen)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_attendance_clock"),
        ("labs", "0003_final_renders"),
    ]

    operations = [
        migrations.AddField(
            model_name="lab",
            name="ethics_step",
            field=models.ForeignKey(
                blank=True,
                help_text="La leçon du cours que relit l'apprenant dont le prompt est refusé par la charte éthique.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="courses.step",
                verbose_name="leçon d'éthique",
            ),
        ),
        migrations.RunPython(link_existing_labs, migrations.RunPython.noop),
    ]
