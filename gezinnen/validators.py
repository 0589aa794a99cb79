"""Dutch postcodes and phone numbers: normalised the way coordinators write them."""

import re

import phonenumbers
from django.core.exceptions import ValidationError

# 1000-9999, two letters; SA, SD and SS are never issued.
POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})\s?((?!SA|SD|SS)[A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """'7551ab' -> '7551 AB'; raises ValidationError for anything else."""
    match = POSTCODE_RE.match((value or "").strip().upper())
    if not match:
        raise ValidationError(
            "Vul een Nederlandse postcode in: vier cijfers en twee letters, zoals 7551 AB.",
            code="invalid_postcode",
        )
    return f"{match.group(1)} {match.group(2)}"


def normalise_phone(value: str) -> str:
    """A Dutch (or international) phone number in the form it is dialled here:
    '06-12345678' -> '06 12345678'; raises ValidationError when it cannot exist."""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "Dit telefoonnummer bestaat niet. "
            "Vul tien cijfers in, zoals 06 12345678 of 074 1234567.",
            code="invalid_phone",
        )
    if number.country_code == 31:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def pc4(postcode: str) -> str:
    return (postcode or "")[:4]
