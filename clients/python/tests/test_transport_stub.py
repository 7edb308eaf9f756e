"""Behaviour the live API cannot be made to show on demand — a 503 with Retry-After, a log stream
that drops mid-way — against a small scripted HTTP server on loopback."""
from __future__ import annotations

import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List

from aiopslab_tasks import ApiError, Client

Handler = Callable[[BaseHTTPRequestHandler, int], None]


class ScriptedServer:
    """Answers request n (counted per path) with script[path](handler, n); records what it received."""

    def __init__(self, script: Dict[str, Handler]) -> None:
        self.script = script
        self.requests: List[Dict[str, str]] = []
        owner = self

        class RequestHandler(BaseHTTPRequestHandler):
            def do_any(self) -> None:
                path = self.path.split("?")[0]
                owner.requests.append({"method": self.command, "path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                n = sum(1 for r in owner.requests if r["path"].split("?")[0] == path)
                owner.script[path](self, n)

            do_GET = do_POST = do_any

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def answer(handler: BaseHTTPRequestHandler, status: int, body: object, headers: Dict[str, str] = {}) -> None:
    raw = json.dumps(body).encode()
    handler.send_response(status)
    for name, value in {"Content-Type": "application/json", "Content-Length": str(len(raw)), **headers}.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(raw)


def sse_lines(seqs: List[int]) -> bytes:
    return "".join(f"id: {s}\nevent: log\ndata: {json.dumps({'seq': s, 'message': f'line {s}'})}\n\n" for s in seqs).encode()


class TransportStubTests(unittest.TestCase):
    def serve(self, script: Dict[str, Handler]) -> ScriptedServer:
        server = ScriptedServer(script)
        self.addCleanup(server.close)
        return server

    def test_a_get_is_retried_after_a_503_with_retry_after(self) -> None:
        def problems(h: BaseHTTPRequestHandler, n: int) -> None:
            if n == 1:
                answer(h, 503, {"status": 503, "code": "unavailable", "title": "Service Unavailable", "detail": "later"}, {"Retry-After": "0"})
            else:
                answer(h, 200, {"problems": [{"id": "p", "task_type": "detection"}]})

        server = self.serve({"/problems": problems})
        self.assertEqual(Client(server.url, token="t0k").problems(), [{"id": "p", "task_type": "detection"}])
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(server.requests[-1]["authorization"], "Bearer t0k")

    def test_a_post_is_sent_once_even_when_the_answer_is_503(self) -> None:
        server = self.serve({"/runs": lambda h, n: answer(h, 503, {"code": "unavailable", "title": "Service Unavailable", "detail": "busy"}, {"Retry-After": "0"})})
        with self.assertRaises(ApiError) as caught:
            Client(server.url).create_run(name="x", agents=[])
        self.assertEqual((caught.exception.status, len(server.requests)), (503, 1))

    def test_a_dropped_log_stream_resumes_after_the_last_line_with_last_event_id(self) -> None:
        def logs(h: BaseHTTPRequestHandler, n: int) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/event-stream")
            h.end_headers()
            if n == 1:
                h.wfile.write(sse_lines([1, 2]) + b"id: 3\nevent: log\ndata: {\"seq\": 3")  # cut mid-event
                h.wfile.flush()
                h.close_connection = True
                return
            after = int(h.headers.get("Last-Event-ID", "0"))
            h.wfile.write(sse_lines([s for s in (3, 4) if s > after]) + b": keepalive\n\nevent: end\ndata: {\"status\": \"completed\"}\n\n")

        server = self.serve({"/tasks/t1/logs": logs})
        lines = list(Client(server.url).follow_logs("t1"))
        self.assertEqual([line["seq"] for line in lines], [1, 2, 3, 4])
        self.assertNotIn("last-event-id", server.requests[0])
        self.assertEqual(server.requests[1]["last-event-id"], "2")
        self.assertIn("after_seq=2", server.requests[1]["path"])


if __name__ == "__main__":
    unittest.main()
