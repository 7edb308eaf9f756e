"""A task whose agent shell is ssh: the key reaches the run's HOME, or the run stops at its start."""

import stat
import unittest

from runner_test_case import RunnerTestCase

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n"


class SshAgentShellTest(RunnerTestCase):
    def ssh_spec(self, **shell):
        return self.lab.spec(agent_shell={"mode": "ssh", "host": "node-1", "user": "ops", **shell})

    def test_the_workers_key_is_in_the_runs_home_where_upstreams_default_path_finds_it(self):
        key = self.lab.root / "agent-key"
        key.write_text(KEY)

        result = self.run_runner(self.ssh_spec(key_path=str(key)))

        self.assertEqual(result.returncode, 0, result.stderr)
        copied = self.lab.work_dir / "home" / ".ssh" / "id_rsa"
        self.assertEqual(copied.read_text(), KEY)
        self.assertEqual((stat.S_IMODE(copied.stat().st_mode), stat.S_IMODE(copied.parent.stat().st_mode)), (0o600, 0o700))
        config = self.lab.config_yml()
        self.assertEqual((config["k8s_host"], config["k8s_user"], config["ssh_key_path"]), ("node-1", "ops", "~/.ssh/id_rsa"))

    def test_without_a_key_the_run_stops_before_aiopslab_saying_to_set_existing_ssh_key(self):
        result = self.run_runner(self.ssh_spec())

        error = self.assert_single_error(result, "setup", "SshKeyUnavailable", True)
        self.assertEqual(error["origin"], "environment")
        self.assertIn("set EXISTING_SSH_KEY", error["message"])
        self.assertEqual(self.lab.marker("orchestrator-constructed"), [])
        self.assertFalse((self.lab.lab_dir / "aiopslab" / "config.yml").exists(), "aiopslab was never imported")


if __name__ == "__main__":
    unittest.main()
