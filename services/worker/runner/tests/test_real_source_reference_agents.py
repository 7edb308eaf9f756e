"""The reference agents' answers checked against the REAL AIOpsLab source: each task type's `submit`
(orchestrator/actions/*.py) takes the argument the do-nothing agent gives it, and upstream's
ResponseParser reads the reply as that call."""

import ast
import json
import subprocess
import unittest

from real_lab import DEBIAN_PYTHON, RealLab
from upstream_source import find_class, find_function, parse

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner.problem_task_type import TASK_TYPES
from aiopslab_runner.reference_agent import EMPTY_ANSWERS, REFERENCE_ANSWERS, ReferenceAgent

# The Python type of each annotation upstream's submit parameters carry.
ANNOTATION_TYPES = {"str": str, "list": list, "dict": dict}

# The parser module alone: importing aiopslab.orchestrator builds the registry, which loads a kubeconfig.
PARSE_REPLIES = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("upstream_parser", "aiopslab/orchestrator/parser.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
ResponseParser = module.ResponseParser
parsed = [ResponseParser().parse(reply) for reply in json.loads(sys.argv[1])]
print(json.dumps([[p["api_name"], p["args"], p["kwargs"]] for p in parsed]))
"""


def submit_parameters(task_type: str) -> list:
    actions_class = f"{task_type.capitalize()}Actions"
    submit = find_function(find_class(parse(f"aiopslab/orchestrator/actions/{task_type}.py"), actions_class), "submit")
    return [(arg.arg, ast.unparse(arg.annotation)) for arg in submit.args.args]


def call_arguments(action: str) -> list:
    call = ast.parse(action, mode="eval").body
    return [ast.literal_eval(arg) for arg in call.args]


class RealSourceReferenceAgentsTest(unittest.TestCase):
    def test_the_empty_answer_of_each_task_type_fits_upstreams_submit_and_fixes_nothing(self):
        self.assertEqual(sorted(EMPTY_ANSWERS), sorted(TASK_TYPES))
        for task_type in TASK_TYPES:
            with self.subTest(task_type):
                parameters = submit_parameters(task_type)
                arguments = call_arguments(EMPTY_ANSWERS[task_type])
                self.assertEqual(len(arguments), len(parameters), (parameters, arguments))
                for (name, annotation), value in zip(parameters, arguments):
                    expected = ANNOTATION_TYPES[annotation.split("[")[0]]
                    self.assertIsInstance(value, expected, f"{task_type} submit({name}: {annotation})")
                    self.assertFalse(value == "Yes" or (not isinstance(value, str) and value), "an empty answer names no fault")

    def test_upstreams_parser_reads_every_reference_reply_as_a_submit_call(self):
        agents = [ReferenceAgent(name, task_type) for name, answers in REFERENCE_ANSWERS.items() for task_type in answers]
        replies = [agent._reply for agent in agents]
        lab = RealLab()
        self.addCleanup(lab.cleanup)
        example = lab.source / "aiopslab" / "config.yml.example"
        (lab.source / "aiopslab" / "config.yml").write_text(example.read_text())  # importing aiopslab reads it
        out = subprocess.run([DEBIAN_PYTHON, "-c", PARSE_REPLIES, json.dumps(replies)], env=lab.env(), capture_output=True, text=True, timeout=120, cwd=lab.source)

        self.assertEqual(out.returncode, 0, out.stderr[-2000:])
        parsed = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertEqual([p[0] for p in parsed], ["submit"] * len(agents))
        self.assertEqual([p[1] for p in parsed], [call_arguments(agent.action) for agent in agents])


if __name__ == "__main__":
    unittest.main()
