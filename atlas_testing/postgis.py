"""A real PostgreSQL + PostGIS cluster for the store tests (one per test session).

When ``ATLAS_TEST_DATABASE_URL`` is set, that database is used (its ``atlas_*`` tables are
dropped before each test). Otherwise, when Debian's PostgreSQL 15 binaries exist, a private
cluster is created with ``initdb`` in a temporary folder, listening only on a Unix socket there
(run as the ``postgres`` user when the tests run as root, since ``initdb`` refuses root), with a
template database holding PostGIS; each test gets a fresh database copied from it. The cluster
is stopped and removed at the end of the session. With neither, the PostGIS cases are skipped,
unless ``ATLAS_REQUIRE_POSTGIS=1`` (CI), which makes them fail.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TEST_URL_ENV = "ATLAS_TEST_DATABASE_URL"
REQUIRE_ENV = "ATLAS_REQUIRE_POSTGIS"
TEMPLATE = "atlas_template"
#: The user a root test run starts the cluster as.
CLUSTER_USER = "postgres"
START_TIMEOUT_S = 60


@dataclass
class PostgisServer:
    """A reachable PostgreSQL server with PostGIS: where it is and how to get a clean database."""

    base_url: str  # postgresql+psycopg://user@/db?host=… (no database for a private cluster)
    private: bool
    counter: itertools.count

    def fresh_url(self) -> str:
        """The URL of a database with PostGIS and no atlas tables."""
        import psycopg
        from sqlalchemy.engine import make_url

        if not self.private:
            url = make_url(self.base_url)
            with psycopg.connect(_libpq(url), autocommit=True) as conn:
                conn.execute(
                    "DROP TABLE IF EXISTS atlas_feature, atlas_layer_version, atlas_layer, "
                    "atlas_view, atlas_migration CASCADE"
                )
            return self.base_url
        name = f"atlas_test_{next(self.counter)}"
        url = make_url(self.base_url)
        with psycopg.connect(_libpq(url.set(database="postgres")), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return url.set(database=name).render_as_string(hide_password=False)


def _libpq(url: object) -> str:
    from sqlalchemy.engine import URL

    assert isinstance(url, URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _skip_or_fail(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def _run_as(user: str | None, args: list[str], cwd: Path) -> None:
    command = ["runuser", "-u", user, "--", *args] if user else args
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode:
        raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr.strip()[-800:]}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_cluster() -> Generator[str, None, None]:
    """Create and start a private cluster; yield its URL (no database); stop and remove it."""
    user = CLUSTER_USER if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    data = base / "data"
    port = _free_port()
    if user:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    started = False
    try:
        _run_as(
            user,
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "atlas",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            base,
        )
        options = f"-k {base} -c listen_addresses='' -p {port} -c fsync=off"
        _run_as(
            user,
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(base / "server.log"),
                "-w",
                "-t",
                str(START_TIMEOUT_S),
                "start",
            ],
            base,
        )
        started = True
        url = f"postgresql+psycopg://atlas@/postgres?host={base}&port={port}"
        import psycopg

        with psycopg.connect(
            f"postgresql://atlas@/postgres?host={base}&port={port}", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        with psycopg.connect(
            f"postgresql://atlas@/{TEMPLATE}?host={base}&port={port}", autocommit=True
        ) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield url
    finally:
        if started:
            _run_as(
                user, [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], base
            )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[PostgisServer]:
    """The session's PostGIS server (see the module docstring); skips when there is none."""
    url = os.environ.get(TEST_URL_ENV, "").strip()
    if url:
        yield PostgisServer(url, private=False, counter=itertools.count())
        return
    missing = [p.name for p in (PG_BIN / "initdb", PG_BIN / "pg_ctl") if not p.exists()]
    if missing:
        _skip_or_fail(
            f"PostGIS tests need {TEST_URL_ENV} or Debian's PostgreSQL 15 ({', '.join(missing)} "
            "missing: apt-get install postgresql postgresql-15-postgis-3)"
        )
    cluster = start_cluster()
    try:
        base_url = next(cluster)
    except RuntimeError as error:
        _skip_or_fail(f"the private PostgreSQL cluster did not start: {error}")
        raise
    try:
        yield PostgisServer(base_url, private=True, counter=itertools.count())
    finally:
        cluster.close()
