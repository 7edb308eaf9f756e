"""A local OpenAI-compatible /chat/completions endpoint that replays canned replies."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeChatServer:
    """Each reply is (status, content, usage); requests are recorded with their headers.

    `context_bytes`: a model's context, measured as the runner measures it without tiktoken
    (UTF-8 bytes plus 4 per message); a longer prompt gets the 400 a real server sends.
    """

    def __init__(self, replies: list, context_bytes: int = 0) -> None:
        self._replies = list(replies)
        self._context_bytes = context_bytes
        self.requests: list = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, content, usage = server._replies.pop(0) if server._replies else (500, "no reply left", None)
                if server._context_bytes and prompt_bytes(body) > server._context_bytes:
                    status, content, usage = 400, f"maximum context length is {server._context_bytes}", None
                if status == 200:
                    payload = {"id": "x", "object": "chat.completion", "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                    ], "usage": usage}
                else:
                    payload = {"error": {"message": content}}
                encoded = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def log_message(self, *args) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> "FakeChatServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def prompt_bytes(body: dict) -> int:
    return sum(4 + len(message["content"].encode("utf-8")) for message in body["messages"])
