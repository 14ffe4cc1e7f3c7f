"""A real OpenSSH server on 127.0.0.1 for the publishing tests: its own keys, config and port, in a temp folder.

Locally a missing sshd, ssh or rsync skips the tests that need them; in CI (``CI=true``) it fails them, since
``./scripts/setup --test`` installs openssh-server and rsync. The server is never installed as a service.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from nginxserver import free_port, missing_tool

SSHD = "/usr/sbin/sshd"
#: The Host alias the tests' ssh config gives the server.
ALIAS = "gongshi-test-sshd"
START_TIMEOUT_S = 60.0


def require_ssh_tools() -> None:
    """Skip (locally) or fail (in CI) when sshd, ssh, ssh-keygen or rsync is missing."""
    if not os.access(SSHD, os.X_OK):
        missing_tool(f"sshd ({SSHD}, Debian package openssh-server)")
    for tool, package in (("ssh", "openssh-client"), ("ssh-keygen", "openssh-client"), ("rsync", "rsync")):
        if shutil.which(tool) is None:
            missing_tool(f"{tool} (Debian package {package})")


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gongshi-test", "-f", str(path)],
                   check=True, capture_output=True)


class SshServer:
    """sshd -D on a free port of 127.0.0.1 that accepts one key for the current user."""

    def __init__(self, run: Path) -> None:
        """Prepare keys and configuration under run (does not start)."""
        self.run = run
        self.user = getpass.getuser()
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def ssh_config(self) -> Path:
        """An ssh_config with the Host alias ALIAS: port, key and known host pinned."""
        return self.run / "ssh_config"

    @property
    def ssh_command(self) -> str:
        """The value for GONGSHI_SSH."""
        return f"ssh -F {shlex.quote(str(self.ssh_config))}"

    def env(self) -> dict[str, str]:
        """The environment for a gongshi process that publishes to this server."""
        return {**os.environ, "GONGSHI_SSH": self.ssh_command}

    def start(self) -> None:
        """Generate the keys, write sshd_config and ssh_config, start sshd and wait until a login works."""
        run = self.run
        _keygen(run / "host_key")
        _keygen(run / "client_key")
        shutil.copy(run / "client_key.pub", run / "authorized_keys")
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
        for _ in range(3):
            self.port = free_port()
            (run / "sshd_config").write_text(
                f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {run / 'host_key'}\nPidFile {run / 'sshd.pid'}\n"
                f"AuthorizedKeysFile {run / 'authorized_keys'}\nAllowUsers {self.user}\n"
                "PubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                "PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nLogLevel ERROR\n", "utf-8")
            host_key = (run / "host_key.pub").read_text("utf-8").split()[:2]
            (run / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {' '.join(host_key)}\n", "utf-8")
            self.ssh_config.write_text(
                f"Host {ALIAS}\n  HostName 127.0.0.1\n  Port {self.port}\n  User {self.user}\n"
                f"  IdentityFile {run / 'client_key'}\n  IdentitiesOnly yes\n"
                f"  UserKnownHostsFile {run / 'known_hosts'}\n  StrictHostKeyChecking yes\n"
                "  BatchMode yes\n  LogLevel ERROR\n", "utf-8")
            with open(run / "sshd.log", "wb") as log:
                self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(run / "sshd_config")],
                                             stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline and self.proc.poll() is None:
                probe = subprocess.run(["ssh", "-F", str(self.ssh_config), ALIAS, "true"], capture_output=True,
                                       stdin=subprocess.DEVNULL, timeout=30)
                if probe.returncode == 0:
                    return
                time.sleep(0.1)
            log_text = (run / "sshd.log").read_text(errors="replace")
            self.stop()
            if "Address already in use" not in log_text:
                raise RuntimeError(f"sshd did not accept a login on port {self.port}:\n{log_text[-2000:]}")
        raise RuntimeError("sshd found no free port")

    def stop(self) -> None:
        """Stop the listening sshd (its sessions end on their own)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
