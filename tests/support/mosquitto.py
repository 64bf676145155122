"""A private mosquitto broker for tests: Debian's mosquitto on a free loopback port, stopped by PID.

Not a test module. The broker runs from a config of the test's own in a temp dir (anonymous
clients allowed, no persistence), so it never touches a system broker; :func:`broker` stops it
whatever happened. ``restart`` stops and starts it on the same port, as an uplink or broker
outage looks to the clients.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .serverproc import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

MOSQUITTO = "/usr/sbin/mosquitto"
START_TIMEOUT_SECONDS = 10.0


@dataclass
class Broker:
    host: str
    port: int
    config: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=log, stderr=log)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"mosquitto exited at start:\n{self.log.read_text()}")
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), timeout=0.2):
                return
            time.sleep(0.02)
        self.stop()
        raise AssertionError(f"mosquitto did not listen within {START_TIMEOUT_SECONDS} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def broker(directory: Path) -> Iterator[Broker]:
    port = free_port()
    config = directory / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stdout\nlog_type error\n"
        "log_type warning\nlog_type notice\n"
    )
    running = Broker("127.0.0.1", port, config, directory / "mosquitto.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()
