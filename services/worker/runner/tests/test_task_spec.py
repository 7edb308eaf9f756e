import unittest

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner.agent_config import OpenAICompatibleAgentConfig, ScriptedAgentConfig, parse_agent_config
from aiopslab_runner.errors import InvalidAgentConfig, InvalidTaskSpec
from aiopslab_runner.scripted_agent import fenced
from aiopslab_runner.spec import parse_task_spec

VALID = {
    "protocol_version": 1,
    "task_id": "t",
    "attempt": 1,
    "problem_id": "p",
    "agent_config": {"kind": "scripted", "actions": ["submit()"]},
    "max_steps": 3,
    "work_dir": "/tmp/w",
    "results_dir": "/tmp/w/results",
}


class TaskSpecTest(unittest.TestCase):
    def test_valid_spec_parses_with_defaults(self):
        spec = parse_task_spec(VALID)
        self.assertEqual(spec.max_steps, 3)
        self.assertEqual(spec.agent, ScriptedAgentConfig(actions=("submit()",)))
        self.assertIsNone(spec.cluster)
        self.assertEqual(str(spec.results_dir), "/tmp/w/results")

    def test_wrong_protocol_version_and_boolean_counts_are_rejected(self):
        with self.assertRaises(InvalidTaskSpec) as caught:
            parse_task_spec({**VALID, "protocol_version": 2, "max_steps": True})
        self.assertIn("protocol_version", str(caught.exception))
        self.assertIn("max_steps", str(caught.exception))

    def test_openai_compatible_config_keeps_sampling_settings(self):
        config = parse_agent_config({"kind": "openai_compatible", "base_url": "http://h:8000/v1", "model": "m",
                                     "api_key_env": "K", "temperature": 0, "max_tokens": 16})
        self.assertEqual(config, OpenAICompatibleAgentConfig(base_url="http://h:8000/v1", model="m", api_key_env="K",
                                                             temperature=0, max_tokens=16))

    def test_unknown_agent_kind_is_rejected(self):
        with self.assertRaises(InvalidAgentConfig):
            parse_agent_config({"kind": "external"})


class ScriptedReplyTest(unittest.TestCase):
    def test_bare_calls_get_the_fenced_block_the_parser_requires(self):
        self.assertEqual(fenced('submit("Yes")'), '```\nsubmit("Yes")\n```')
        self.assertEqual(fenced('```\nsubmit("No")\n```'), '```\nsubmit("No")\n```')


if __name__ == "__main__":
    unittest.main()
