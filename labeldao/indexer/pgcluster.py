"""A throwaway PostgreSQL cluster (initdb + pg_ctl) for the tests and the benchmark.

It uses the server binaries of Debian's `postgresql` package, a temporary
folder and a free port; as root, the server runs as the `postgres` user
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def server_binaries() -> Path | None:
    """The folder of initdb and pg_ctl, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresCluster:
    """A running cluster; `stop()` removes it."""

    port: int
    folder: Path
    binaries: Path
    as_user: list[str]
    counter: itertools.count = field(default_factory=itertools.count)

    @classmethod
    def start(cls) -> PostgresCluster:
        binaries = server_binaries()
        if binaries is None:
            raise PostgresMissing(
                "PostgreSQL is not installed: `apt-get install postgresql` (`.ci/run` does it)"
            )
        folder = Path(tempfile.mkdtemp(prefix="labeldao-pg-"))
        as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
            as_user = ["runuser", "-u", "postgres", "--"]
        data = str(folder / "data")
        initdb = [str(binaries / "initdb"), "-D", data, "-U", "postgres", "--auth=trust"]
        subprocess.run(
            [*as_user, *initdb, "--no-sync", "-E", "UTF8"], check=True, capture_output=True
        )
        port = _free_port()
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        start = [str(binaries / "pg_ctl"), "-D", data, "-o", options, "-l", str(folder / "log")]
        subprocess.run([*as_user, *start, "-w", "start"], check=True, capture_output=True)
        return cls(port, folder, binaries, as_user)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Creates an empty database; returns its URL."""
        name = f"ledger_{next(self.counter)}"
        admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        return self.url(name)

    def stop(self) -> None:
        stop = [str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate"]
        subprocess.run([*self.as_user, *stop, "stop"], check=False, capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)
