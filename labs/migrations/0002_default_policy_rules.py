from django.db import migrations


def load_default_rules(apps, schema_editor):
    from labs.grading.policy import default_rules

    PolicyRule = apps.get_model("labs", "PolicyRule")
    if PolicyRule.objects.exists():
        return
    PolicyRule.objects.bulk_create(
        PolicyRule(category=r.category, terms=list(r.terms), context_terms=list(r.context_terms), explanation=r.explanation)
        for r in default_rules()
    )


class Migration(migrations.Migration):
    dependencies = [("labs", "0001_initial")]
    operations = [migrations.RunPython(load_default_rules, migrations.RunPython.noop)]
