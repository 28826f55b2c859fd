"""PostgreSQL and Redis of their own, on spare ports, for fault drills.

A drill restarts or kills these, never the servers CI and the other tests use. PostgreSQL's
``initdb`` refuses root, so the cluster belongs to the ``postgres`` user (see RECIPES)."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def available() -> str:
    """Why a drill cannot run here, or "" when it can."""
    if postgres_bin() is None:
        return "PostgreSQL server binaries are not installed"
    if os.geteuid() != 0 and not shutil.which("sudo"):
        return "needs root (or sudo) to run initdb as the postgres user"
    if not shutil.which("redis-server"):
        return "redis-server is not installed"
    return ""


def _as_postgres(command: str) -> subprocess.CompletedProcess:
    runner = ["su", "postgres", "-s", "/bin/sh", "-c", command]
    if os.geteuid() != 0:
        runner = ["sudo", "-u", "postgres", "sh", "-c", command]
    return subprocess.run(runner, check=True, capture_output=True, text=True, timeout=120)


class ThrowawayPostgres:
    def __init__(self):
        self.bin = postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="civic-drill-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port(5498)
        _as_postgres(f"{self.bin}/initdb -D {self.dir}/data -E UTF8 --locale=C.UTF-8 -U postgres -A trust")
        self.start()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/civic_drill"

    def _ctl(self, action: str, *extra: str):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        _as_postgres(
            f"{self.bin}/pg_ctl -D {self.dir}/data -o '{options}' -l {self.dir}/log -w {action} {' '.join(extra)}"
        )

    def start(self):
        self._ctl("start")

    def restart(self):
        """A fast restart: sessions are cut, the server is back in about a second."""
        self._ctl("restart", "-m", "fast")

    def psql(self, sql: str, database: str = "postgres"):
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-qAtc", sql],
            check=True,
            capture_output=True,
            text=True,
        )

    def create_database(self):
        self.psql(
            "CREATE DATABASE civic_drill TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'"
        )
        self.psql("CREATE EXTENSION IF NOT EXISTS pg_trgm", database="civic_drill")

    def stop(self):
        try:
            self._ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayRedis:
    def __init__(self):
        self.port = free_port(6498)
        self.dir = Path(tempfile.mkdtemp(prefix="civic-drill-redis-"))
        self.pidfile = self.dir / "redis.pid"
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--dir",
                str(self.dir),
            ],
            check=True,
            capture_output=True,
        )
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("the drill's Redis did not start")

    def restart(self):
        """Stop without saving and start empty: the broker forgets everything it held."""
        self.stop(keep_dir=True)
        self.start()

    def stop(self, keep_dir=False):
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode != 0:
                break
            time.sleep(0.05)
        if not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayReplica(ThrowawayPostgres):
    """A streaming replica of a ``ThrowawayPostgres``: a copy taken with ``pg_basebackup -R``
    (which writes ``standby.signal`` and the ``primary_conninfo`` to follow), on its own port.
    initdb's defaults already allow it: ``wal_level=replica``, ten WAL senders, and a ``trust``
    replication line for 127.0.0.1 in pg_hba.conf."""

    def __init__(self, primary: ThrowawayPostgres):
        self.bin = primary.bin
        self.dir = Path(tempfile.mkdtemp(prefix="civic-drill-replica-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port(primary.port + 1)
        # -c fast: checkpoint at once instead of waiting for a spread one (minutes on an idle server).
        _as_postgres(
            f"{self.bin}/pg_basebackup -h 127.0.0.1 -p {primary.port} -U postgres"
            f" -D {self.dir}/data -R -X stream -c fast"
        )
        self.start()

    def replay_pause(self):
        self.psql("SELECT pg_wal_replay_pause()")

    def replay_resume(self):
        self.psql("SELECT pg_wal_replay_resume()")


def pgbouncer_bin() -> str | None:
    return shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)


class ThrowawayPgBouncer:
    """PgBouncer in transaction mode, on a spare port, in front of a PostgreSQL on 127.0.0.1:
    every database name is passed through (``* =``), users are trusted as the server trusts them.
    It refuses to run as root, so it runs as ``postgres`` in a folder that user owns."""

    def __init__(self, server_port: int, pool_size: int = 20):
        self.dir = Path(tempfile.mkdtemp(prefix="civic-pgbouncer-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port(6432)
        (self.dir / "users.txt").write_text('"postgres" ""\n')
        (self.dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={server_port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            "auth_type = trust\nadmin_users = postgres\n"
            f"auth_file = {self.dir}/users.txt\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {pool_size}\nmax_client_conn = 500\n"
            # Django reads these at connect; the rest of a client's startup packet is refused.
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.dir}/pgbouncer.log\npidfile = {self.dir}/pgbouncer.pid\n"
        )
        for name in ("users.txt", "pgbouncer.ini"):
            shutil.chown(self.dir / name, "postgres", "postgres")
        _as_postgres(f"{pgbouncer_bin()} -d {self.dir}/pgbouncer.ini")
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("PgBouncer did not start")

    def show(self, what: str) -> str:
        """An admin console command (``SHOW POOLS``, ``SHOW STATS``), as psql's unaligned rows."""
        return subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "pgbouncer",
                "-Atc",
                f"SHOW {what}",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def stop(self):
        pidfile = self.dir / "pgbouncer.pid"
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
            for _ in range(100):
                if not pidfile.exists():
                    break
                time.sleep(0.05)
        shutil.rmtree(self.dir, ignore_errors=True)
