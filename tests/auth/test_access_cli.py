"""Operators manage who gets in: `flask users ...` and `flask tokens ...`, on both databases."""
import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from ticketdesk.extensions import db
from ticketdesk.models import ApiToken, User

PASSWORD = "a long enough password"


def users(app) -> list[User]:
    with app.app_context():
        return db.session.scalars(sa.select(User).order_by(User.email)).all()


def test_users_create_prompts_twice_for_the_password_and_stores_only_a_hash(app, runner, anonymous):
    result = runner.invoke(args=["users", "create", "Ana@Example.com"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    ana = next(u for u in users(app) if u.email == "ana@example.com")
    assert ana.active and ana.password_hash.startswith("scrypt:") and check_password_hash(ana.password_hash, PASSWORD)
    page = anonymous.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    signed_in = anonymous.post("/login", data={"email": "ana@example.com", "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302


def test_users_create_refuses_a_mismatch_a_short_password_a_duplicate_and_a_non_email(app, runner, agent):
    before = len(users(app))
    mismatch = runner.invoke(args=["users", "create", "bo@example.com"], input=f"{PASSWORD}\nsomething else\n\n\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output
    short = runner.invoke(args=["users", "create", "bo@example.com"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    duplicate = runner.invoke(args=["users", "create", "agent@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    not_email = runner.invoke(args=["users", "create", "bo"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert not_email.exit_code != 0 and "not an email address" in not_email.output
    assert len(users(app)) == before


def test_users_list_and_deactivate(app, runner, agent):
    assert runner.invoke(args=["users", "deactivate", "AGENT@example.com"]).exit_code == 0
    assert runner.invoke(args=["users", "list"]).stdout == "agent@example.com\tagent\tdeactivated\n"
    unknown = runner.invoke(args=["users", "deactivate", "nobody@example.com"])
    assert unknown.exit_code != 0 and "No agent" in unknown.output


def test_tokens_create_shows_the_token_once_and_it_works_until_revoked(app, runner, anonymous):
    created = runner.invoke(args=["tokens", "create", "billing-sync"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("td_") and len(token) > 40
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "billing-sync")).one()
        assert token not in (stored.token_hash, stored.name)
    listing = runner.invoke(args=["tokens", "list"]).output
    assert "billing-sync" in listing and "active" in listing and token not in listing

    auth = {"Authorization": f"Bearer {token}"}
    created_ticket = anonymous.post("/api/tickets/", headers=auth, json={
        "title": "From the sync", "description": "Invoice mismatch", "category": "billing", "priority": "low"})
    assert created_ticket.status_code == 201 and created_ticket.json["created_by"] == "token:billing-sync"

    assert runner.invoke(args=["tokens", "revoke", "billing-sync"]).exit_code == 0
    refused = anonymous.get("/api/tickets/", headers=auth)
    assert refused.status_code == 401 and refused.json == {"detail": "Invalid token."}
    assert "revoked" in runner.invoke(args=["tokens", "list"]).output
    again = runner.invoke(args=["tokens", "revoke", "billing-sync"])
    assert again.exit_code != 0 and "No active token" in again.output


def test_token_names_are_unique_even_after_revoking(runner):
    assert runner.invoke(args=["tokens", "create", "ci"]).exit_code == 0
    assert runner.invoke(args=["tokens", "revoke", "ci"]).exit_code == 0
    reused = runner.invoke(args=["tokens", "create", "ci"])
    assert reused.exit_code != 0 and "already exists" in reused.output
    blank = runner.invoke(args=["tokens", "create", "  "])
    assert blank.exit_code != 0


def test_users_set_password_replaces_the_old_one(app, runner, agent, anonymous):
    from tests.auth.test_access import sign_in_form
    from tests.conftest import AGENT_EMAIL, AGENT_PASSWORD
    result = runner.invoke(args=["users", "set-password", AGENT_EMAIL], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert sign_in_form(app.test_client(), password=AGENT_PASSWORD).status_code == 400
    assert sign_in_form(anonymous, password=PASSWORD).status_code == 302


def test_users_create_states_the_rules_before_asking_and_says_which_database(app, runner):
    result = runner.invoke(args=["users", "create", "cy@example.com"], input="short\nshort\n")
    assert result.exit_code != 0
    assert result.stderr.index("A password needs at least 10 characters") < result.stderr.index("too short")
    assert result.stderr.startswith(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}://")


def test_users_create_reads_the_password_from_standard_input_for_scripts(app, runner, anonymous):
    result = runner.invoke(args=["users", "create", "dee@example.com", "--password-stdin"], input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output  # nothing asked
    dee = next(u for u in users(app) if u.email == "dee@example.com")
    assert check_password_hash(dee.password_hash, PASSWORD)
    short = runner.invoke(args=["users", "set-password", "dee@example.com", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output


def test_a_new_token_is_the_last_line_of_standard_output_and_the_database_goes_to_standard_error(app, runner):
    result = runner.invoke(args=["tokens", "create", "ci"])
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("td_") and "database:" not in result.stdout
    assert "database: " in result.stderr


@pytest.mark.parametrize("password, reason", [
    ("aaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'), ("password123", "This is a very common password."),
    ("qwertyuiop", "common password"), ("abcabcabcabc", "Repeats like"), ("{email}", "too easy to guess"),
])
def test_common_repetitive_and_personal_passwords_are_refused_from_the_next_one_set(app, runner, agent, password,
                                                                                     reason):
    own = password.format(email="eve@example.com")  # "{email}": the account's own address
    refused = runner.invoke(args=["users", "create", "eve@example.com", "--password-stdin"], input=f"{own}\n")
    assert refused.exit_code != 0 and "too easy to guess" in refused.output and reason in refused.output
    assert "eve@example.com" not in [u.email for u in users(app)]
    own = password.format(email="agent@example.com")
    changed = runner.invoke(args=["users", "set-password", "agent@example.com", "--password-stdin"], input=f"{own}\n")
    assert changed.exit_code != 0  # the existing password stays as it was
