"""A throwaway PostgreSQL server for the tests and benchmarks: a fresh cluster in a temporary
folder, on a free loopback port, without fsync (nothing in it needs to outlive the run).

The binaries are found on PATH, in ``PG_BIN``, or in Debian's ``/usr/lib/postgresql/NN/bin``
(``apt-get install postgresql``; ``.ci/run`` installs it). PostgreSQL refuses to run as root,
so as root the cluster belongs to the ``postgres`` user and its programs are started as that
user by ``subprocess`` itself (``user=``), not through ``runuser`` or ``su``: the postmaster
is then this process's own child, so a signal sent to it reaches it. (Through ``runuser``,
SIGINT went to ``runuser``, which never passed it on: every stop waited out its 20 s and then
killed ``runuser``, leaving the postmaster running until it noticed its folder had gone.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

USER = "datatool"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bin() -> Path:
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "postgres").exists():
            return folder
    raise PostgresMissing(
        "PostgreSQL's server binaries (initdb, postgres) were not found: install the "
        "postgresql package (Debian: apt-get install -y postgresql) or set PG_BIN"
    )


def _as_postgres() -> dict[str, Any]:
    """``subprocess`` arguments that run a PostgreSQL program as the ``postgres`` user when
    this process is root (PostgreSQL refuses root), and as ourselves otherwise."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresMissing(
            "running as root, but there is no postgres user to run PostgreSQL as"
            " (Debian's postgresql package creates it)"
        ) from None
    return {
        "user": entry.pw_uid,
        "group": entry.pw_gid,
        "extra_groups": [],
        "env": {**os.environ, "HOME": entry.pw_dir, "USER": "postgres", "LOGNAME": "postgres"},
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def admin_url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls, timeout: float = 30.0) -> PostgresServer:
        binaries = find_bin()
        folder = Path(tempfile.mkdtemp(prefix="datatool-pg-"))
        data = folder / "data"
        as_postgres = _as_postgres()
        if as_postgres:
            shutil.chown(folder, as_postgres["user"], as_postgres["group"])
        log = folder / "initdb.log"
        with log.open("wb") as out:
            done = subprocess.run(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    USER,
                    "--auth=trust",
                    "--no-locale",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
                **as_postgres,
            )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{log.read_text(errors='replace')}")
        port = _free_port()
        server_log = (folder / "postgres.log").open("wb")
        process = subprocess.Popen(
            [
                str(binaries / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(folder),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            stdout=server_log,
            stderr=subprocess.STDOUT,
            **as_postgres,
        )
        server_log.close()
        server = cls(folder, port, process)
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                text = (folder / "postgres.log").read_text(errors="replace")
                server.stop()
                raise RuntimeError(f"PostgreSQL did not start:\n{text}")
            time.sleep(0.05)
        while True:  # listening is not yet accepting: "the database system is starting up"
            try:
                _admin(server.admin_url, "SELECT 1")
                break
            except (OSError, asyncpg.CannotConnectNowError):
                if process.poll() is not None or time.monotonic() > deadline:
                    server.stop()
                    raise
                time.sleep(0.1)
        return server

    def create_database(self, template: str | None = None, name: str | None = None) -> str:
        """A new database (named ``name``, else a new name), empty or a copy of the database
        ``template`` (its URL or name: one nobody is connected to); its URL. (Synchronous, for
        fixtures of any kind: the admin statements run on their own event loop in a thread of
        their own.)"""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template.rsplit("/", 1)[-1]}"' if template else ""
        _admin(self.admin_url, f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[-1]
        _admin(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stops the server and removes its folder. Nothing in it needs keeping, so the
        shutdown is PostgreSQL's immediate one (SIGQUIT: no checkpoint), and a server that
        does not end on it within seconds is killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _admin(url: str, statement: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result(30)
