import unittest

from fake_chat_server import FakeChatServer, prompt_bytes
from runner_test_case import RunnerTestCase

SECRET = "sk-test-9f8e7d6c5b4a-never-print-me"
USAGE_1 = {"prompt_tokens": 120, "completion_tokens": 12, "total_tokens": 132}
USAGE_2 = {"prompt_tokens": 180, "completion_tokens": 9, "total_tokens": 189}
EXEC_REPLY = 'I will look at the pods.\n```\nexec_shell("kubectl get pods -n test-social-network")\n```'
SUBMIT_REPLY = '```\nsubmit("Yes")\n```'


def agent_config(base_url: str) -> dict:
    return {
        "kind": "openai_compatible",
        "base_url": base_url,
        "model": "policy-7b",
        "api_key_env": "POLICY_API_KEY",
        "temperature": 0.7,
        "top_p": 0.9,
        "max_tokens": 256,
        "extra_body": {"repetition_penalty": 1.05},
    }


class OpenAICompatibleAgentTest(RunnerTestCase):
    def test_conversation_uses_the_key_named_by_api_key_env_and_reports_usage_per_step(self):
        with FakeChatServer([(200, EXEC_REPLY, USAGE_1), (200, SUBMIT_REPLY, USAGE_2)]) as server:
            result = self.run_runner(self.lab.spec(agent_config=agent_config(server.base_url)), POLICY_API_KEY=SECRET)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual([s["usage"] for s in result.of_type("step")], [USAGE_1, USAGE_2])
        self.assertEqual(result.only("result")["results"]["Detection Accuracy"], "Correct")
        first, second = server.requests
        self.assertEqual(first["path"], "/v1/chat/completions")
        self.assertEqual(first["headers"]["Authorization"], f"Bearer {SECRET}")
        self.assertEqual(
            {k: first["body"][k] for k in ("model", "temperature", "top_p", "max_tokens", "repetition_penalty")},
            {"model": "policy-7b", "temperature": 0.7, "top_p": 0.9, "max_tokens": 256, "repetition_penalty": 1.05},
        )
        self.assertEqual([m["role"] for m in second["body"]["messages"]], ["system", "user", "user", "assistant", "user"])
        self.assertIn("exec_shell", second["body"]["messages"][0]["content"], "the APIs are in the system prompt")
        self.assertEqual(second["body"]["messages"][3]["content"], EXEC_REPLY)
        self.assertTrue(second["body"]["messages"][4]["content"].startswith("NAME"))

    def test_the_key_never_appears_in_any_output(self):
        with FakeChatServer([(200, EXEC_REPLY, USAGE_1), (200, SUBMIT_REPLY, USAGE_2)]) as server:
            result = self.run_runner(self.lab.spec(agent_config=agent_config(server.base_url)), POLICY_API_KEY=SECRET)

        for name, output in (("protocol", "".join(result.protocol_lines)), ("stdout", result.stdout), ("stderr", result.stderr)):
            self.assertNotIn(SECRET, output, name)
        self.assertNotIn(SECRET, self.lab.spec_file.read_text())

    def test_unset_key_variable_fails_without_retry_before_the_orchestrator_exists(self):
        with FakeChatServer([]) as server:
            result = self.run_runner(self.lab.spec(agent_config=agent_config(server.base_url)))

        error = self.assert_single_error(result, "setup", "InvalidAgentConfig", False)
        self.assertIn("POLICY_API_KEY", error["message"])
        self.assertEqual(server.requests, [])
        self.assertEqual(self.lab.marker("orchestrator-constructed"), [])

    def test_a_transient_server_error_is_retried_within_the_step(self):
        replies = [(503, "overloaded", None), (200, SUBMIT_REPLY, USAGE_1)]
        with FakeChatServer(replies) as server:
            result = self.run_runner(self.lab.spec(agent_config=agent_config(server.base_url)), POLICY_API_KEY=SECRET)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(result.only("step")["usage"], USAGE_1)

    def test_a_rejected_request_is_a_retryable_loop_error(self):
        with FakeChatServer([(400, "context length exceeded", None)]) as server:
            result = self.run_runner(self.lab.spec(agent_config=agent_config(server.base_url)), POLICY_API_KEY=SECRET)

        error = self.assert_single_error(result, "loop", "LLMRequestError", True)
        self.assertIn("HTTP 400", error["message"])
        self.assertIn("context length exceeded", error["message"])
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(self.lab.marker("fault-recovered"), ["k8s_target_port-misconfig-detection-1"])

    def test_unset_sampling_fields_send_upstream_gpt_agents_values(self):
        config = {"kind": "openai_compatible", "base_url": "", "model": "policy-7b"}
        with FakeChatServer([(200, SUBMIT_REPLY, USAGE_1)]) as server:
            result = self.run_runner(self.lab.spec(agent_config={**config, "base_url": server.base_url}))

        self.assertEqual(result.returncode, 0, result.stderr)
        (request,) = server.requests
        sampling = {k: v for k, v in request["body"].items() if k not in ("model", "messages")}
        expected = {"max_tokens": 1024, "temperature": 0.5, "top_p": 0.95, "frequency_penalty": 0.0, "presence_penalty": 0.0, "n": 1, "stop": []}
        self.assertEqual(sampling, expected)

    def test_a_long_session_is_trimmed_to_the_history_limit_and_never_overflows_the_context(self):
        context = 12_000
        config = {k: v for k, v in agent_config("").items() if k != "api_key_env"} | {"history_token_limit": context}
        replies = [(200, EXEC_REPLY, USAGE_1)] * 5 + [(200, SUBMIT_REPLY, USAGE_2)]
        with FakeChatServer(replies, context_bytes=context) as server:
            result = self.run_runner(
                self.lab.spec(agent_config={**config, "base_url": server.base_url}), STANDIN_HUGE_OUTPUT_BYTES="4000"
            )

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(server.requests), 6)
        messages = [request["body"]["messages"] for request in server.requests]
        self.assertTrue(all(prompt_bytes(request["body"]) <= context for request in server.requests))
        self.assertEqual(messages[0][0]["role"], "system", "a short history is sent whole")
        self.assertNotEqual(messages[-1][0]["role"], "system", "the oldest messages went first, as upstream")
        self.assertTrue(messages[-1][-1]["content"].startswith("NAME"), "the newest observation is always sent")
        self.assertIn("history trimmed to 12000 tokens, counted as UTF-8 bytes", " ".join(e["message"] for e in result.of_type("log")))


if __name__ == "__main__":
    unittest.main()
