from django.db import migrations


def refresh_default_rules(apps, schema_editor):
    """Replace the built-in rules (no author) by the current defaults; rules written by people stay."""
    from labs.grading.policy import default_rules

    PolicyRule = apps.get_model("labs", "PolicyRule")
    PolicyRule.objects.filter(created_by__isnull=True).delete()
    PolicyRule.objects.bulk_create(
        PolicyRule(
            category=r.category,
            terms=list(r.terms),
            context_terms=list(r.context_terms),
            unless_terms=list(r.unless_terms),
            scope=r.scope,
            explanation=r.explanation,
        )
        for r in default_rules()
    )


class Migration(migrations.Migration):
    dependencies = [("labs", "0005_policy_rule_scope_and_exceptions")]
    operations = [migrations.RunPython(refresh_default_rules, migrations.RunPython.noop)]
