from django.db import migrations

CAREER_PATHS = [
    ("clinical-malignant", "Clinical hematology — malignant"),
    ("clinical-non-malignant", "Clinical hematology — non-malignant"),
    ("medical-education", "Medical education"),
    ("systems-based", "Systems-based hematology"),
    ("private-practice", "Private practice"),
    ("government", "Government"),
    ("industry", "Industry"),
    ("phd-research", "PhD / research careers"),
    ("health-services", "Health services and outcomes research"),
    ("translational", "Translational research"),
    ("data-science", "Data science and bioinformatics"),
]


def seed(apps, schema_editor):
    CareerPath = apps.get_model("accounts", "CareerPath")
    for order, (slug, name) in enumerate(CAREER_PATHS):
        CareerPath.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
