"""Every agent of upstream's clients/registry.py, built by the runner's factory from the REAL source
(with the clients group's imports stood in: client_standins/), and the vllm agent's address."""

import json
import subprocess
import unittest

from fake_chat_server import FakeChatServer
from real_lab import DEBIAN_PYTHON, STANDINS_DIR, TESTS_DIR, RealLab
from upstream_source import calls_to, dict_keys, find_class, find_function, literal_keywords, parse

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner.vllm_base_url import UPSTREAM_VLLM_BASE_URL

CLIENT_STANDINS_DIR = TESTS_DIR / "client_standins"
REPLY = '```\nexec_shell("kubectl get pods -A")\n```'


def upstream_agent_names() -> list:
    init = find_function(find_class(parse("clients/registry.py"), "AgentRegistry"), "__init__")
    (assignment,) = [node for node in init.body if getattr(node.targets[0], "attr", None) == "AGENT_REGISTRY"]
    return dict_keys(assignment.value)


class RealSourceAgentsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.lab = RealLab()
        self.addCleanup(self.lab.cleanup)

    def probe(self, agents: list, ask=None, **env: str) -> list:
        environment = self.lab.env(**env)
        environment["PYTHONPATH"] = f"{self.lab.source}:{STANDINS_DIR}:{CLIENT_STANDINS_DIR}"
        request = json.dumps({"agents": agents, "ask": ask})
        args = [DEBIAN_PYTHON, str(TESTS_DIR / "real_agent_probe.py"), str(self.lab.root / "probe-home"), str(self.lab.kubeconfig), request]
        out = subprocess.run(args, env=environment, capture_output=True, text=True, timeout=120, cwd=self.lab.root)
        self.assertEqual(out.returncode, 0, out.stderr[-2000:])
        return json.loads(out.stdout.strip().splitlines()[-1])

    def test_every_agent_in_upstreams_registry_is_built_by_the_factory(self):
        names = upstream_agent_names()
        env = {"OPENAI_COMPATIBLE_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_COMPATIBLE_API_KEY": "k", "VLLM_BASE_URL": "http://127.0.0.1:9/v1"}
        reports = self.probe([{"name": name} for name in names], **env)

        self.assertEqual(len(names), 6, names)
        for report in reports:
            self.assertTrue(report.get("is_upstream"), report)
        self.assertEqual([r["upstream_class"] for r in reports], ["GPTAgent", "QwenAgent", "DeepSeekAgent", "vLLMAgent", "OpenRouterAgent", "GenericOpenAIAgent"])

    def test_upstreams_vllm_client_hard_codes_the_address_the_runner_replaces(self):
        inference = find_function(parse("clients/utils/llm.py"), "inference", in_class="vLLMClient")
        (client,) = calls_to(inference, "OpenAI")
        self.assertEqual(literal_keywords(client)["base_url"], UPSTREAM_VLLM_BASE_URL)

    def test_the_vllm_agent_asks_the_server_named_by_its_params(self):
        with FakeChatServer([(200, REPLY, None)]) as server:
            (report,) = self.probe([{"name": "vllm", "params": {"base_url": server.base_url, "model": "policy-3b"}}], ask="what now?")

        self.assertEqual((report["class"], report["reply"]), ("vLLMAgent", REPLY))
        (request,) = server.requests
        self.assertEqual(request["path"], "/v1/chat/completions")
        body = request["body"]
        self.assertEqual((body["model"], body["temperature"], body["top_p"], body["max_tokens"]), ("policy-3b", 1.0, 1.0, 1024))
        self.assertEqual(body["messages"][-1], {"role": "user", "content": "what now?"})

    def test_the_vllm_agent_asks_the_server_named_by_vllm_base_url_without_params(self):
        with FakeChatServer([(200, REPLY, None)]) as server:
            (report,) = self.probe([{"name": "vllm"}], ask="what now?", VLLM_BASE_URL=server.base_url)

        self.assertEqual(report["reply"], REPLY)
        self.assertEqual(server.requests[0]["body"]["model"], "Qwen/Qwen2.5-Coder-3B-Instruct", "upstream's default model")

    def test_the_vllm_agent_without_an_address_fails_saying_what_to_set(self):
        (report,) = self.probe([{"name": "vllm"}])

        self.assertEqual(report["error"], "InvalidAgentConfig")
        for needed in ("agent_config.params.base_url", "VLLM_BASE_URL", UPSTREAM_VLLM_BASE_URL):
            self.assertIn(needed, report["message"])


if __name__ == "__main__":
    unittest.main()
