import datetime

import pytest
from django.core.exceptions import ValidationError

from labelsp.forms import validate_plausible_date
from labelsp.geo import DEPARTEMENTS, REGIONS, region_of
from labelsp.validators import complete_siret, siret_is_valid, validate_siret


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("73282932000074", True),  # a real, Luhn-valid SIRET
        ("73282932000075", False),  # last digit changed
        ("7328293200007", False),  # 13 digits
        ("732829320000745", False),  # 15 digits
        ("7328293200007A", False),
        ("732 829 320 00074", False),
        ("35600000000048", True),  # La Poste's head office: Luhn
        ("35600000000015", True),  # a La Poste office: not Luhn, but digit sum multiple of 5
        ("35600000000016", False),
        ("12300000000015", False),  # the digit-sum rule is La Poste's only
    ],
)
def test_siret(value, valid):
    assert siret_is_valid(value) is valid


def test_validation_messages_are_french_and_specific():
    with pytest.raises(ValidationError) as format_error:
        validate_siret("123")
    assert "14 chiffres" in str(format_error.value)
    with pytest.raises(ValidationError) as checksum_error:
        validate_siret("73282932000075")
    assert "clé de contrôle" in str(checksum_error.value)


def test_complete_siret_makes_valid_numbers():
    assert all(siret_is_valid(complete_siret(f"1300{n:09d}")) for n in range(200))


def test_every_departement_belongs_to_a_known_region():
    assert len(DEPARTEMENTS) == 101
    assert {region for _name, region in DEPARTEMENTS.values()} == set(REGIONS)
    assert region_of("69") == "84"
    assert region_of("2A") == "94"
    assert region_of("974") == "04"


@pytest.mark.parametrize(
    ("value", "plausible"),
    [
        (datetime.date(1999, 12, 31), False),
        (datetime.date(2000, 1, 1), True),
        (datetime.date(2099, 12, 31), True),
        (datetime.date(2100, 1, 1), False),
    ],
)
def test_a_date_is_plausible_from_2000_to_2099(value, plausible):
    if plausible:
        validate_plausible_date(value)
    else:
        with pytest.raises(ValidationError, match="entre le 1er janvier 2000 et le 31 décembre 2099"):
            validate_plausible_date(value)
