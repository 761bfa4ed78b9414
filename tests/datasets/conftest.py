"""Fixtures for the data set tests: an isolated cache and a local HTTP server.

No test here reaches the internet: every URL and pip index points at
127.0.0.1, either at the fixture server below or at a closed port.
"""

import http.server
import threading
from pathlib import Path

import pytest

from gradwise.datasets import fashion_mnist, mnist

def pytest_configure(config):
    config.addinivalue_line(
        "markers", "network: needs the internet (PyPI); runs only with GRADWISE_NETWORK_TESTS=1"
    )


DEAD = "http://127.0.0.1:9"  # discard port: nothing listens, connections are refused


@pytest.fixture(autouse=True)
def isolated(request, monkeypatch, tmp_path):
    """Point the cache at tmp_path and every remote source at a dead local port."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GRADWISE_DATA", str(cache))
    monkeypatch.delenv("GRADWISE_FASHION_MNIST_DIR", raising=False)
    if request.node.get_closest_marker("network") is None:
        monkeypatch.setattr(mnist, "URL", f"{DEAD}/mnist.npz")
        monkeypatch.setattr(mnist, "PIP_INDEX_URL", f"{DEAD}/simple/")
        monkeypatch.setattr(fashion_mnist, "BASE_URL", f"{DEAD}/")
        # --isolated: ignore the machine's pip config (extra indexes, find-links).
        monkeypatch.setattr(mnist, "PIP_OPTIONS",
                            ("--isolated", "--no-cache-dir", "--retries", "0", "--timeout", "10"))
    return cache


def leftovers(folder):
    """Every file under folder (e.g. to prove a failed fetch left nothing behind)."""
    folder = Path(folder)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) \
        if folder.exists() else []


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path in self.server.cut_transfer:
            # Announce the whole file but send half of it, then hang up.
            body = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


class LocalServer:
    """HTTP server on 127.0.0.1 serving ``root``; records the paths requested."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        handler = lambda *a, **k: _Handler(*a, directory=str(self.root), **k)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.requests = []
        self.httpd.cut_transfer = set()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def requests(self):
        return self.httpd.requests

    def add(self, relpath, data):
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return f"{self.url}/{relpath}"

    def cut(self, relpath):
        """Make the server drop the connection halfway through this file."""
        self.httpd.cut_transfer.add("/" + relpath)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    srv = LocalServer(tmp_path / "www")
    yield srv
    srv.close()
