"""A person's interests and expertise in admin are checkboxes labelled with the career paths,
as on the session form (issue 9, item 3)."""

import re

import pytest

from accounts.models import CareerPath
from tests.admin_form import form_data
from tests.factories import UserFactory, career_path


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["interests", "expertise"])
def test_profile_career_paths_are_checkboxes_with_their_names(staff_client, field):
    person = UserFactory()
    person.profile.interests.set([career_path("industry")])
    person.profile.expertise.set([career_path("industry")])

    response = staff_client.get(f"/admin/accounts/user/{person.pk}/change/")

    html = response.content.decode()
    for path in CareerPath.objects.all():
        assert re.search(
            rf'<input type="checkbox" name="profile-0-{field}" value="{path.pk}"[^>]*>\s*'
            + re.escape(path.name),
            html,
        ), path.name
    data = form_data(html, "user_form")
    assert data[f"profile-0-{field}"] == [str(career_path("industry").pk)]
