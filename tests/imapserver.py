"""A real IMAP server on 127.0.0.1: Debian's Dovecot, started with its own configuration, port and mail
directory in a temporary folder, with one mailbox user. Mail is put in with IMAP APPEND, as a mail server's
delivery would leave it: unseen in INBOX."""
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from imapclient import IMAPClient

from tests.servers import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "support@example.com", "s3cret/@pass%"

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
first_valid_uid = 0
mail_location = maildir:{dir}/mail/%n
mail_uid = {user}
mail_gid = {group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={dir}/mail/%n
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Done {{
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


class ImapServer:
    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="td-imap-"))
        self.process = None

    def url(self, folder: str = "INBOX", **query) -> str:
        tail = "&".join(f"{k}={v}" for k, v in query.items())
        return (f"imap://{quote(USER, safe='')}:{quote(PASSWORD, safe='')}@127.0.0.1:{self.port}/{folder}"
                + (f"?{tail}" if tail else ""))

    def start(self) -> "ImapServer":
        root = os.geteuid() == 0
        # as root, Dovecot drops to its own users; as anyone else, it runs as them
        user = "dovecot" if root else pwd.getpwuid(os.geteuid()).pw_name
        group = "dovecot" if root else grp.getgrgid(os.getegid()).gr_name
        (self.dir / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.dir / "dovecot.conf").write_text(CONFIG.format(dir=self.dir, user=user, group=group, port=self.port,
                                                              login_user="dovenull" if root else user))
        for sub in ("mail", "state", "run"):
            (self.dir / sub).mkdir()
        if root:
            self.dir.chmod(0o755)  # Dovecot's own users read the password file and write the mail
            shutil.chown(self.dir / "mail", user, group)
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.dir / "dovecot.conf")],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = (self.dir / "dovecot.log").read_text() if (self.dir / "dovecot.log").exists() else ""
                raise RuntimeError(f"dovecot did not start: {self.process.stdout.read().decode()} {log}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        with self.client() as client:
            for raw in messages:
                client.append(folder, raw)

    def flags(self, folder: str = "INBOX") -> list[set[bytes]]:
        """Each message's flags in `folder`, in order."""
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            found = client.fetch(client.search("ALL"), ["FLAGS"])
            return [set(found[uid][b"FLAGS"]) for uid in sorted(found)]
