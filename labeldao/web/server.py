"""Serving the web app with uvicorn (`ape run web`, `make web`, the tests)."""

from __future__ import annotations

import threading
import time

import uvicorn

from labeldao.web.app import create_app


def make_server(url: str | None, host: str = "127.0.0.1", port: int = 8000) -> uvicorn.Server:
    """A uvicorn server of the app over the database at `url` (not started)."""
    config = uvicorn.Config(create_app(url), host=host, port=port, log_level="warning")
    return uvicorn.Server(config)


def serve(url: str | None, host: str, port: int) -> None:
    """Serves until interrupted."""
    make_server(url, host, port).run()


class BackgroundServer:
    """The app served from a thread (tests, screenshots); `stop()` ends it."""

    def __init__(self, url: str, port: int, host: str = "127.0.0.1") -> None:
        self.server = make_server(url, host, port)
        self.base = f"http://{host}:{port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web app did not start on {self.base}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
