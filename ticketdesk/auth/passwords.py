"""Password rules and hashing: Werkzeug's scrypt, a memory-hard modern scheme."""
from functools import cache

from werkzeug.security import generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MIN_STRENGTH = 3  # zxcvbn's 0-4 scale: 3 resists an offline attack on a slow hash like scrypt
RULES = (f"A password needs at least {MIN_LENGTH} characters and must not be a common password, a repeated "
         "pattern, a keyboard walk or your email address; a few unrelated words make a good one.")


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with `password` for the agent `email`, in words they can act on; None if nothing."""
    if len(password) < MIN_LENGTH:
        return f"The password is too short: it needs at least {MIN_LENGTH} characters."
    verdict = zxcvbn(password[:100], user_inputs=[email, *email.replace("@", " ").replace(".", " ").split()])
    if verdict["score"] < MIN_STRENGTH:
        reason = verdict["feedback"]["warning"] or "It would be easy to guess."
        return f"The password is too easy to guess. {reason}"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@cache
def dummy_hash() -> str:
    """Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
    Made on first use, not at import: scrypt is slow on purpose, and every worker and command imports this."""
    return hash_password("not a password: only here to spend the time a real check takes")
