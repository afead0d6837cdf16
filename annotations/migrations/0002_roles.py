"""Roles as groups: Reviewer labels; Editor also imports and exports. Any signed-in user may read."""
from django.db import migrations

ROLES = {
    "Reviewer": ["label_claim"],
    "Editor": ["label_claim", "import_articles", "export_claims"],
}
# The custom permissions of models.py, as (model, codename, name).
PERMISSIONS = [
    ("claim", "label_claim", "Can label, annotate and add marks"),
    ("article", "import_articles", "Can import articles"),
    ("article", "export_claims", "Can export claims"),
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Custom permissions normally appear after migrate finishes; roles need them now.
    for model, codename, name in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label="annotations", model=model)
        Permission.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": name})
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
