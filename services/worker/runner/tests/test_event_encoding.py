import enum
import json
import math
import os
import unittest
from pathlib import Path

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner.event_encoding import encode_event
from aiopslab_runner.json_safe import to_json_safe
from aiopslab_runner.protocol import open_protocol_channel


class SubmissionStatus(enum.Enum):
    VALID_SUBMISSION = 1


class PydanticLike:
    def __init__(self, role, content):
        self.role, self.content = role, content

    def model_dump(self):
        return {"role": self.role, "content": self.content}


class JsonSafeTest(unittest.TestCase):
    def test_aiopslab_values_become_plain_json(self):
        value = {
            "history": [PydanticLike("env", SubmissionStatus.VALID_SUBMISSION)],
            SubmissionStatus.VALID_SUBMISSION: (1, 2),
            3: Path("/tmp/x"),
            "raw": b"\xffbytes",
            "tags": {"b", "a"},
        }
        self.assertEqual(
            to_json_safe(value),
            {
                "history": [{"role": "env", "content": "VALID_SUBMISSION"}],
                "VALID_SUBMISSION": [1, 2],
                "3": "/tmp/x",
                "raw": "\ufffdbytes",
                "tags": ["a", "b"],
            },
        )

    def test_non_finite_numbers_become_null_because_json_parse_rejects_them(self):
        self.assertEqual(to_json_safe([math.nan, math.inf, -math.inf, 1.5]), [None, None, None, 1.5])

    def test_cycles_and_unknown_objects_do_not_break_encoding(self):
        looped: list = []
        looped.append(looped)
        self.assertEqual(to_json_safe({"loop": looped, "error": KeyError("k")}), {"loop": ["<cycle>"], "error": "'k'"})


class EncodeEventTest(unittest.TestCase):
    def test_small_event_is_one_line_untouched(self):
        line, truncated = encode_event({"type": "step", "observation": "ok"})
        self.assertFalse(truncated)
        self.assertEqual(line.count(b"\n"), 1)
        self.assertEqual(json.loads(line), {"type": "step", "observation": "ok"})

    def test_oversized_event_keeps_short_strings_and_cuts_long_ones_to_fit(self):
        event = {"type": "result", "results": {"Detection Accuracy": "Correct"}, "trace": ["x" * 5000, "y" * 9000]}
        line, truncated = encode_event(event, max_bytes=4000)
        decoded = json.loads(line)
        self.assertTrue(truncated)
        self.assertLessEqual(len(line), 4000)
        self.assertEqual(decoded["results"], {"Detection Accuracy": "Correct"})
        self.assertIn("[truncated", decoded["trace"][1])

    def test_lone_surrogates_from_undecodable_output_still_encode(self):
        line, _ = encode_event({"type": "step", "observation": "bad \udcff byte"})
        self.assertEqual(json.loads(line)["observation"], "bad \udcff byte")


class ProtocolChannelFdTest(unittest.TestCase):
    def test_the_protocol_fd_is_not_inherited_by_helm_or_kubectl_children(self):
        read_fd, write_fd = os.pipe()
        self.addCleanup(os.close, read_fd)
        self.addCleanup(os.close, write_fd)
        os.set_inheritable(write_fd, True)

        channel = open_protocol_channel({"PROTOCOL_FD": str(write_fd)})
        channel.write_line(b'{"type":"log"}\n')

        self.assertFalse(os.get_inheritable(write_fd))
        self.assertEqual(os.read(read_fd, 100), b'{"type":"log"}\n')


if __name__ == "__main__":
    unittest.main()
