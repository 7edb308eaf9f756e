"""Stand-in for tiktoken (not packaged by Debian; the real one downloads its encoding)."""


class _WhitespaceEncoding:
    def encode(self, text, **kwargs):
        return text.split()

    def decode(self, tokens):
        return " ".join(tokens)


def encoding_for_model(model_name):
    return _WhitespaceEncoding()


def get_encoding(encoding_name):
    return _WhitespaceEncoding()
