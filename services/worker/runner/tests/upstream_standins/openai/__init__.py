"""Stand-in for openai (not packaged by Debian): the one call AIOpsLab's clients make,
`OpenAI(api_key, base_url).chat.completions.create(**request)`, as a plain JSON POST to
`<base_url>/chat/completions`, so a test can see where upstream's agents send what."""

import json
import types
import urllib.request

DEFAULT_BASE_URL = "https://api.openai.com/v1"
CLIENT_OPTIONS = ("timeout",)


class OpenAI:
    def __init__(self, api_key=None, base_url=None, **kwargs):
        self.api_key = api_key
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.kwargs = kwargs
        self.chat = types.SimpleNamespace(completions=types.SimpleNamespace(create=self._create))

    def _create(self, **request):
        body = {key: value for key, value in request.items() if key not in CLIENT_OPTIONS}
        http_request = urllib.request.Request(
            f"{self.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"},
            method="POST",
        )
        with urllib.request.urlopen(http_request, timeout=request.get("timeout", 60)) as response:
            document = json.loads(response.read())
        choices = [types.SimpleNamespace(message=types.SimpleNamespace(**choice["message"])) for choice in document["choices"]]
        return types.SimpleNamespace(choices=choices)


class AzureOpenAI(OpenAI):
    pass
