import asyncio
import json
import os
import unittest

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner.events import EventWriter
from aiopslab_runner.protocol import ProtocolChannel
from aiopslab_runner.step_recorder import StepRecorder, nth_env_content, observation_from_prompt


class EchoAgent:
    def __init__(self):
        self.last_usage = None
        self.context = None

    def init_context(self, *context):
        self.context = context

    async def get_action(self, input):
        self.last_usage = {"total_tokens": len(input)}
        return f"action for {input!r}"


class StepRecorderTest(unittest.TestCase):
    def setUp(self):
        self.read_fd, write_fd = os.pipe()
        self.addCleanup(os.close, self.read_fd)
        self.addCleanup(os.close, write_fd)
        self.recorder = StepRecorder(EchoAgent(), EventWriter(ProtocolChannel(write_fd)))

    def steps(self):
        os.set_blocking(self.read_fd, False)
        try:
            data = os.read(self.read_fd, 1 << 20)
        except BlockingIOError:
            return []
        return [json.loads(line) for line in data.splitlines() if json.loads(line)["type"] == "step"]

    def test_step_n_is_sent_when_call_n_plus_1_brings_its_observation(self):
        asyncio.run(self.recorder.get_action("Please take the next action"))
        self.assertEqual(self.steps(), [])

        asyncio.run(self.recorder.get_action("pod list\nPlease take the next action"))
        (step,) = self.steps()
        self.assertEqual((step["n"], step["observation"]), (1, "pod list"))
        self.assertEqual(step["usage"], {"total_tokens": len("Please take the next action")})

    def test_flush_takes_the_last_observation_from_the_history(self):
        asyncio.run(self.recorder.get_action("Please take the next action"))
        self.recorder.flush([{"role": "assistant", "content": "a"}, {"role": "env", "content": "VALID"}])
        self.recorder.flush([])
        (step,) = self.steps()
        self.assertEqual((step["n"], step["observation"]), (1, "VALID"))

    def test_the_wrapped_agents_attributes_stay_reachable(self):
        self.recorder.init_context("problem", "instructions", {})
        self.assertEqual(self.recorder.context, ("problem", "instructions", {}))


class ObservationTest(unittest.TestCase):
    def test_prompt_suffix_is_stripped_with_or_without_a_separating_newline(self):
        self.assertEqual(observation_from_prompt("out\nPlease take the next action"), "out")
        self.assertEqual(observation_from_prompt("outPlease take the next action"), "out")
        self.assertEqual(observation_from_prompt("no suffix"), "no suffix")

    def test_nth_env_item_is_step_ns_observation(self):
        history = [{"role": "assistant", "content": "a1"}, {"role": "env", "content": "o1"},
                   {"role": "assistant", "content": "a2"}]
        self.assertEqual(nth_env_content(history, 1), "o1")
        self.assertIsNone(nth_env_content(history, 2), "the environment never answered step 2")


if __name__ == "__main__":
    unittest.main()
