"""National identity numbers are matched by a keyed hash, never stored or logged.

The roster import hashes the number the school system holds (HMAC-SHA256
with ``SKOLEBRO_IDENTITY_PEPPER``); token exchange hashes the ID-porten ID
token's ``pid`` the same way before looking it up. A copy of the database
alone does not give the numbers back.
"""

from __future__ import annotations

import hashlib
import hmac

# Dev and test only (production refuses to start without a real pepper when
# guardians sign in with ID-porten): the demo and the tests agree on it.
DEV_PEPPER = "skolebro-dev-pepper-not-a-secret"
HASHED_PROVIDERS = frozenset({"idporten"})


def national_id_hash(number: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), number.strip().encode(), hashlib.sha256).hexdigest()


def stored_subject(provider: str, subject: str, pepper: str) -> str:
    """The ``identities.subject`` under which a provider's subject is kept."""
    return national_id_hash(subject, pepper) if provider in HASHED_PROVIDERS else subject
