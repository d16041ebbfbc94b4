"""Password hashing: Werkzeug's scrypt, a memory-hard modern scheme."""
from werkzeug.security import generate_password_hash

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


# checked against when the email is unknown, so a wrong email costs as long as a wrong password
DUMMY_HASH = hash_password("not a password: only here to spend the time a real check takes")
