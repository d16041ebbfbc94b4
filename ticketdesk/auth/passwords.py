"""Password hashing: Werkzeug's scrypt, a memory-hard modern scheme."""
from functools import cache

from werkzeug.security import generate_password_hash

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@cache
def dummy_hash() -> str:
    """Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
    Made on first use, not at import: scrypt is slow on purpose, and every worker and command imports this."""
    return hash_password("not a password: only here to spend the time a real check takes")
