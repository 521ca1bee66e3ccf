import importlib

from django.db import migrations

# policy_rules.json gained winners and presenters of named events and shows, reigning champions,
# sexualised poses of minors (« sensuelle »), beatings of a person, intimate videos of an ex and more
# ways of writing wrist-cutting, and predation in a wildlife documentary is no violence; the same
# refresh as 0007 brings them in, keeping what trainers edited
# or switched off.
refresh_unedited_default_rules = importlib.import_module(
    "labs.migrations.0007_policy_rule_edited_at"
).refresh_unedited_default_rules


class Migration(migrations.Migration):
    dependencies = [("labs", "0010_typography_and_admin_names")]
    operations = [migrations.RunPython(refresh_unedited_default_rules, migrations.RunPython.noop)]
