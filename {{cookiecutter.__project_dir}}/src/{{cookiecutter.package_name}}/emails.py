"""E-mail addresses as users give them, and as they are stored and compared."""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator
from pydantic import BeforeValidator
from pydantic import EmailStr


def normalized_email(address: str) -> str:
    """An address as it is stored and compared: in NFKC form, lower-cased.

    NFKC makes one of the characters that look alike or mean the same: a full-width "c"
    (U+FF43) is a "c".
    """
    return unicodedata.normalize("NFKC", address).lower()


def _normalized_if_text(value: object) -> object:
    return normalized_email(value) if isinstance(value, str) else value


# Stored normalized, so that two spellings of one address are one account.
Email = Annotated[EmailStr, BeforeValidator(_normalized_if_text), AfterValidator(str.lower)]
