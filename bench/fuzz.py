"""`make fuzz`: schemathesis generates requests from the OpenAPI document the app serves, in every phase
(examples, coverage, fuzzing, stateful sequences through the document's links), against gunicorn and a new
PostgreSQL database, and runs every check on the answers: no 5xx, status codes, headers and bodies as
documented, valid data accepted, invalid data refused. Writes bench/results/fuzz.md; exits non-zero on
any failure.

Settings: FUZZ_SECONDS (120, the time budget), FUZZ_SEED (random), FUZZ_PORT (8767), FUZZ_DATABASE_URL
(postgresql://postgres@127.0.0.1:5432/ticketdesk_fuzz, dropped and recreated).
"""
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from config import ROOT, database_url

from .run import RESULTS, serve_empty_database, setting


def main() -> int:
    seconds = setting("FUZZ_SECONDS", 120)
    port = setting("FUZZ_PORT", 8767)
    url = database_url("postgresql://postgres@127.0.0.1:5432/ticketdesk_fuzz", "FUZZ_DATABASE_URL")
    server, headers = serve_empty_database(url, port, scope="admin")  # admin: every operation, teams included
    command = [str(Path(sys.executable).with_name("st")), "--config-file", str(ROOT / "config" / "schemathesis.toml"),
               "--no-color", "run", f"http://127.0.0.1:{port}/api/openapi.json",
               "--header", f"Authorization: {headers['Authorization']}", "--checks", "all",
               "--max-time", str(seconds), "--report", "junit", "--report-dir", str(RESULTS / "fuzz")]
    if os.environ.get("FUZZ_SEED"):
        command += ["--seed", os.environ["FUZZ_SEED"]]
    started = time.monotonic()
    try:
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    finally:
        server.terminate()
        server.wait(30)
    print(run.stdout, run.stderr, sep="", flush=True)
    summary = run.stdout[run.stdout.find("API Operations"):] if "API Operations" in run.stdout else run.stdout[-3000:]
    summary = re.sub(r"\n\s*Reports:.*?(?=\n\n|\Z)", "", summary, flags=re.S)
    (RESULTS / "fuzz.md").write_text(
        f"# Fuzz: schemathesis, every check, {seconds} s budget\n\n"
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · gunicorn (production settings) and PostgreSQL on "
        f"127.0.0.1 · exit {run.returncode} after {time.monotonic() - started:.0f} s\n\n```\n{summary.strip()}\n```\n")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
