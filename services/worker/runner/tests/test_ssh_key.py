import os
import shutil
import stat
import tempfile
import unittest
from pathlib import Path

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner.agent_shell import KIND, SSH, AgentShell
from aiopslab_runner.errors import ENVIRONMENT, SshKeyUnavailable, origin_of
from aiopslab_runner.ssh_key import install_ssh_key

KEY = b"-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class SshKeyTest(unittest.TestCase):
    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ssh-key-test-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.worker_home = self.root / "worker-home"
        self.run_home = self.root / "work" / "home"
        self.run_home.mkdir(parents=True)
        previous = os.umask(0o022)
        self.addCleanup(os.umask, previous)

    def shell(self, key_path=None) -> AgentShell:
        return AgentShell(SSH, host="node-1", user="ops", key_path=key_path)

    def test_the_named_key_is_copied_into_the_runs_home_readable_by_its_owner_only(self):
        key = self.root / "keys" / "agent_ed25519"
        key.parent.mkdir()
        key.write_bytes(KEY)
        (self.run_home / ".ssh").mkdir(mode=0o755)

        copied = install_ssh_key(self.shell(str(key)), str(self.worker_home), self.run_home)

        self.assertEqual(copied, self.run_home / ".ssh" / "id_rsa")
        self.assertEqual(copied.read_bytes(), KEY)
        self.assertEqual((mode_of(copied), mode_of(copied.parent)), (0o600, 0o700))

    def test_a_tilde_in_the_key_path_means_the_workers_home(self):
        (self.worker_home / "keys").mkdir(parents=True)
        (self.worker_home / "keys" / "k").write_bytes(KEY)

        copied = install_ssh_key(self.shell("~/keys/k"), str(self.worker_home), self.run_home)

        self.assertEqual(copied.read_bytes(), KEY)

    def test_without_a_named_key_the_worker_users_id_rsa_is_used_as_upstream_would(self):
        (self.worker_home / ".ssh").mkdir(parents=True)
        (self.worker_home / ".ssh" / "id_rsa").write_bytes(KEY)

        self.assertEqual(install_ssh_key(self.shell(), str(self.worker_home), self.run_home).read_bytes(), KEY)

    def test_no_key_at_all_is_the_workers_configuration_and_says_to_set_existing_ssh_key(self):
        with self.assertRaises(SshKeyUnavailable) as caught:
            install_ssh_key(self.shell(), str(self.worker_home), self.run_home)

        message = str(caught.exception)
        self.assertIn("set EXISTING_SSH_KEY", message)
        self.assertIn("ops@node-1", message)
        self.assertIn(str(self.worker_home / ".ssh" / "id_rsa"), message)
        self.assertEqual(origin_of(caught.exception), ENVIRONMENT)
        self.assertFalse((self.run_home / ".ssh").exists())

    def test_an_unreadable_named_key_says_to_set_existing_ssh_key(self):
        with self.assertRaises(SshKeyUnavailable) as caught:
            install_ssh_key(self.shell(str(self.root / "missing")), str(self.worker_home), self.run_home)

        self.assertIn("EXISTING_SSH_KEY", str(caught.exception))
        self.assertIn(str(self.root / "missing"), str(caught.exception))

    def test_other_agent_shells_need_no_key(self):
        self.assertIsNone(install_ssh_key(AgentShell(KIND, container="c"), str(self.worker_home), self.run_home))
        self.assertFalse((self.run_home / ".ssh").exists())


if __name__ == "__main__":
    unittest.main()
