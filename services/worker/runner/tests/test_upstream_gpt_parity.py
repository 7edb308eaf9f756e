"""The openai_compatible agent sends and trims as upstream's `gpt` agent does, read from upstream's
own source, so a bump of the pinned commit that changes either fails here."""

import ast
import random
import types
import unittest

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner import upstream_gpt_defaults as ours
from aiopslab_runner.agent_config import OpenAICompatibleAgentConfig
from aiopslab_runner.history_trimming import trim_history
from aiopslab_runner.openai_compatible_agent import OpenAICompatibleAgent
from aiopslab_runner.token_counting import TokenCounter
from test_history_trimming import WordEncoding
from upstream_source import calls_to, find_function, literal_keywords, parameter_defaults, parse, source

GPT_CLIENT_FILE = "clients/utils/llm.py"
GPT_AGENT_FILE = "clients/gpt.py"
CLIENT_OPTIONS = {"timeout"}  # options of the openai client, not fields of the request body


def upstream_gpt_request() -> dict:
    inference = find_function(parse(GPT_CLIENT_FILE), "inference", in_class="GPTClient")
    (create,) = calls_to(inference, "create")
    return literal_keywords(create)


def upstream_trim_function():
    """upstream's count_message_tokens and trim_history_to_token_limit, compiled on their own."""
    tree = parse(GPT_AGENT_FILE)
    functions = [find_function(tree, "count_message_tokens"), find_function(tree, "trim_history_to_token_limit")]
    module = ast.Module(body=functions, type_ignores=[])
    stub_tiktoken = types.SimpleNamespace(encoding_for_model=lambda model: WordEncoding())
    namespace = {"tiktoken": stub_tiktoken}
    exec(compile(module, GPT_AGENT_FILE, "exec"), namespace)
    return namespace["trim_history_to_token_limit"]


class UpstreamGptParityTest(unittest.TestCase):
    def test_sampling_defaults_are_upstream_gpt_clients(self):
        request = upstream_gpt_request()
        body_fields = {k: v for k, v in request.items() if k not in CLIENT_OPTIONS | {"messages", "model"}}
        self.assertEqual(body_fields, ours.GPT_SAMPLING_DEFAULTS)
        self.assertEqual(request["timeout"], 60, "upstream's client timeout; README says why ours differs")

    def test_unset_fields_send_upstream_values_and_set_ones_win(self):
        defaults = OpenAICompatibleAgentConfig(base_url="http://x/v1", model="m")
        agent = OpenAICompatibleAgent(defaults, client=None, counter=TokenCounter(WordEncoding(), "words"))
        agent.init_context("problem", "instructions", {})
        body = agent.request_body()
        upstream = upstream_gpt_request()
        self.assertEqual({k: body[k] for k in upstream if k not in CLIENT_OPTIONS | {"messages", "model"}}, {
            k: v for k, v in upstream.items() if k not in CLIENT_OPTIONS | {"messages", "model"}
        })
        chosen = OpenAICompatibleAgentConfig(base_url="http://x/v1", model="m", temperature=0.9, max_tokens=64, extra_body={"n": 1, "stop": ["</s>"]})
        agent = OpenAICompatibleAgent(chosen, client=None, counter=TokenCounter(WordEncoding(), "words"))
        agent.init_context("problem", "instructions", {})
        body = agent.request_body()
        self.assertEqual((body["temperature"], body["max_tokens"], body["top_p"], body["stop"]), (0.9, 64, 0.95, ["</s>"]))

    def test_history_limit_and_tokenizer_are_upstream_gpt_agents(self):
        tree = parse(GPT_AGENT_FILE)
        self.assertEqual(
            parameter_defaults(find_function(tree, "trim_history_to_token_limit")),
            {"max_tokens": ours.HISTORY_TOKEN_LIMIT, "model": ours.TOKENIZER_MODEL},
        )
        self.assertEqual(OpenAICompatibleAgentConfig(base_url="http://x/v1", model="m").history_token_limit, ours.HISTORY_TOKEN_LIMIT)
        self.assertIn(f"tokens = {ours.MESSAGE_OVERHEAD_TOKENS}", source(GPT_AGENT_FILE))
        (call,) = calls_to(find_function(tree, "get_action", in_class="GPTAgent"), "trim_history_to_token_limit")
        self.assertEqual((ast.unparse(call.args[0]), call.keywords, len(call.args)), ("self.history", [], 1), "every request, upstream's defaults")

    def test_trimming_gives_what_upstreams_own_function_gives(self):
        upstream_trim = upstream_trim_function()
        counter = TokenCounter(WordEncoding(), "words")
        draw = random.Random(20240611)
        for _ in range(500):
            history = [
                {"role": draw.choice(["system", "user", "assistant"]), "content": " ".join("w" * draw.randint(1, 3) for _ in range(draw.randint(0, 40)))}
                for _ in range(draw.randint(1, 12))
            ]
            limit = draw.randint(5, 200)
            self.assertEqual(trim_history(history, limit, counter), upstream_trim(history, max_tokens=limit), (limit, history))


if __name__ == "__main__":
    unittest.main()
