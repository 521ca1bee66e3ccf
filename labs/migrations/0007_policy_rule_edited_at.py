from django.db import migrations, models


def refresh_unedited_default_rules(apps, schema_editor):
    """Replace the built-in rules (no author) nobody has edited or switched by the current defaults.

    policy_rules.json gained band members, terror attacks and self-cutting. A default is matched to a
    rule by its category and first term: an edited rule stays instead of its default, and rules
    switched off before edits were recorded stay off.
    """
    from labs.grading.policy import default_rules

    PolicyRule = apps.get_model("labs", "PolicyRule")
    def key(category, terms):
        return category, (terms or [""])[0]

    builtin = PolicyRule.objects.filter(created_by__isnull=True)
    edited = {key(r.category, r.terms) for r in builtin.exclude(edited_at=None)}
    unedited = builtin.filter(edited_at=None)
    switched_off = {key(r.category, r.terms) for r in unedited.filter(active=False)}
    unedited.delete()
    PolicyRule.objects.bulk_create(
        PolicyRule(
            category=r.category,
            terms=list(r.terms),
            context_terms=list(r.context_terms),
            unless_terms=list(r.unless_terms),
            scope=r.scope,
            explanation=r.explanation,
            active=key(r.category, r.terms) not in switched_off,
        )
        for r in default_rules()
        if key(r.category, r.terms) not in edited
    )


class Migration(migrations.Migration):
    dependencies = [("labs", "0006_refresh_default_policy_rules")]

    operations = [
        migrations.AddField(
            model_name="policyrule",
            name="edited_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(refresh_unedited_default_rules, migrations.RunPython.noop),
    ]
