"""A plain-HTTP Kubernetes API on 127.0.0.1, just enough for a hotel-reservation problem's
constructor, fault recovery and app cleanup; each request is appended to the lab's tool log
(tool "kube-api") so its order against kubectl and helm calls can be checked.

Config maps and namespaces do not exist until created; the node is Ready on containerd; the
deployments in `deployments` can be read and replaced; a deleted namespace reads as gone.
"""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

NODE = {
    "metadata": {"name": "worker-w1-kind-control-plane"},
    "status": {
        "conditions": [{"type": "Ready", "status": "True"}],
        "nodeInfo": {
            "architecture": "amd64", "bootID": "b", "containerRuntimeVersion": "containerd://1.7.24", "kernelVersion": "6.1",
            "kubeProxyVersion": "v1.32.1", "kubeletVersion": "v1.32.1", "machineID": "m", "operatingSystem": "linux",
            "osImage": "Debian", "systemUUID": "u",
        },
    },
}
DEPLOYMENT = re.compile(r"^/apis/apps/v1/namespaces/([^/]+)/deployments/([^/?]+)")


def deployment(namespace: str, name: str, image: str) -> dict:
    labels = {"io.kompose.service": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {
            "containers": [{"name": f"hotel-reserv-{name}", "image": image}]}}},
    }


class FakeKubeApi:
    def __init__(self, log_path: Path, deployments: dict = None) -> None:
        self.deployments = dict(deployments or {})
        self.replaced: dict = {}
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api._record(self.command, self.path)
                path = self.path.split("?")[0]
                if path == "/api/v1/nodes":
                    return self._send(200, {"kind": "NodeList", "apiVersion": "v1", "metadata": {}, "items": [NODE]})
                match = DEPLOYMENT.match(path)
                if match and (match.group(1), match.group(2)) in api.deployments:
                    return self._send(200, api.deployments[(match.group(1), match.group(2))])
                self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})

            def do_POST(self) -> None:
                api._record(self.command, self.path)
                self._send(201, self._body())

            def do_PUT(self) -> None:
                api._record(self.command, self.path)
                body = self._body()
                match = DEPLOYMENT.match(self.path.split("?")[0])
                if match:
                    api.replaced[(match.group(1), match.group(2))] = body
                self._send(200, body)

            def do_DELETE(self) -> None:
                api._record(self.command, self.path)
                self._send(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

            def _body(self) -> dict:
                return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")

            def _send(self, status: int, document: dict) -> None:
                encoded = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def log_message(self, *args) -> None:
                pass

        self._log_path = log_path
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def _record(self, method: str, path: str) -> None:
        with self._lock, open(self._log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"tool": "kube-api", "argv": [method, path.split("?")[0]]}) + "\n")

    def __enter__(self) -> "FakeKubeApi":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
