import unittest

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner.history_trimming import trim_history
from aiopslab_runner.token_counting import BYTE_COUNTER, TokenCounter, load_token_counter


class WordEncoding:
    def encode(self, text):
        return text.split()

    def decode(self, tokens):
        return " ".join(tokens)


WORDS = TokenCounter(WordEncoding(), "words")


def message(role, words):
    return {"role": role, "content": " ".join(f"w{i}" for i in range(words))}


class HistoryTrimmingTest(unittest.TestCase):
    def test_a_history_within_the_limit_is_sent_whole(self):
        history = [message("system", 10), message("user", 10), message("user", 10)]
        self.assertEqual(trim_history(history, 42, WORDS), history)

    def test_the_oldest_messages_go_first_the_system_prompt_included(self):
        history = [message("system", 10), message("user", 10), message("assistant", 10), message("user", 10)]
        self.assertEqual(trim_history(history, 55, WORDS), history[1:])
        self.assertEqual(trim_history(history, 41, WORDS), history[2:])

    def test_trimming_stops_at_the_first_message_that_does_not_fit(self):
        history = [message("system", 1), message("user", 50), message("user", 1)]
        self.assertEqual(trim_history(history, 20, WORDS), history[2:], "the small system prompt beyond the big message is not kept")

    def test_a_last_message_too_long_on_its_own_is_cut_to_the_limit(self):
        history = [message("system", 5), message("user", 100)]
        (only,) = trim_history(history, 14, WORDS)
        self.assertEqual(only, {"role": "user", "content": "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9"})

    def test_without_tiktoken_bytes_are_counted_and_cut_on_a_character_boundary(self):
        self.assertEqual(BYTE_COUNTER.count("né"), 3)
        self.assertEqual(BYTE_COUNTER.cut("énorme", 2), "é")
        self.assertEqual(BYTE_COUNTER.cut("énorme", 1), "")

    def test_a_missing_tokenizer_falls_back_to_bytes_and_says_why(self):
        counter = load_token_counter("no-such-model-anywhere")
        self.assertIsNone(counter.encoding)
        self.assertIn("upper bound", counter.description)


if __name__ == "__main__":
    unittest.main()
