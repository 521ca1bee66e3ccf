"""Companies: ICE validation and identifier normalisation, list and search."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding.models import Company
from funding.services.companies import company_create
from tests.factories import AdminFactory
from tests.funding.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


def test_company_create_normalises_identifiers():
    # when
    company = company_create(by=None, legal_name="Atlas Médias", ice="001 525.489 000 088", rc="12 345", if_number="")
    # then
    company.refresh_from_db()
    assert company.ice == "001525489000088"
    assert company.rc == "12345"


@pytest.mark.parametrize("ice", ["12345", "00152548900008A", "0015254890000881"])
def test_company_create_refuses_an_invalid_ice(ice):
    with pytest.raises(ValidationError) as error:
        company_create(by=None, legal_name="Atlas Médias", ice=ice)
    assert "15 chiffres" in " ".join(error.value.message_dict["ice"])
    assert not Company.objects.exists()


def test_company_form_shows_the_ice_error_next_to_the_field(admin_client):
    # when
    response = admin_client.post(reverse("funding:company_create"), {"legal_name": "Atlas Médias", "ice": "12 34"})
    # then
    assert response.status_code == 400
    ice_field = response.context["form"]["ice"]
    assert any("15 chiffres" in message for message in ice_field.errors)
    assert 'id="id_ice_error"' in response.content.decode()
    assert not Company.objects.exists()


def test_company_form_creates_a_company_with_spaced_ice(admin_client):
    data = {
        "legal_name": "Atlas Médias",
        "ice": "001 525 489 000 088",
        "headcount_cadres": 2,
        "headcount_employes": 3,
        "headcount_ouvriers": 0,
        "tfp_up_to_date": "on",
    }
    response = admin_client.post(reverse("funding:company_create"), data)
    assert response.status_code == 302
    company = Company.objects.get()
    assert (company.ice, company.tfp_up_to_date, company.headcount) == ("001525489000088", True, 5)


def test_company_ice_is_unique_with_a_clear_message(admin_client):
    CompanyFactory(ice="001525489000088")
    data = {
        "legal_name": "Autre",
        "ice": "001525489000088",
        "headcount_cadres": 0,
        "headcount_employes": 0,
        "headcount_ouvriers": 0,
    }
    response = admin_client.post(reverse("funding:company_create"), data)
    assert response.status_code == 400
    assert response.context["form"]["ice"].errors


def test_company_list_searches_by_name_and_ice(admin_client):
    CompanyFactory(legal_name="Atlas Médias", ice="001525489000088")
    CompanyFactory(legal_name="Rif Digital", ice="002000000000001")
    by_name = admin_client.get(reverse("funding:company_list"), {"q": "atlas"}).content.decode()
    by_ice = admin_client.get(reverse("funding:company_list"), {"q": "002 000"}).content.decode()
    assert "Atlas Médias" in by_name and "Rif Digital" not in by_name
    assert "Rif Digital" in by_ice and "Atlas Médias" not in by_ice


def test_company_edit_updates(admin_client):
    company = CompanyFactory(legal_name="Atlas")
    data = {
        "legal_name": "Atlas Médias SA",
        "ice": company.ice,
        "headcount_cadres": 1,
        "headcount_employes": 0,
        "headcount_ouvriers": 0,
        "giac_member": "on",
        "access_certificate_year": 2026,
    }
    response = admin_client.post(reverse("funding:company_edit", args=[company.pk]), data)
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.legal_name, company.giac_member, company.access_certificate_year) == ("Atlas Médias SA", True, 2026)
