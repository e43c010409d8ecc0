"""DuckDB extensions from the installed Python packages, never from the network.

By default DuckDB installs and loads extensions from its online repository the first
time a statement needs one; the analysts' networks often have none, and a program
should not fetch code behind its user's back. So every DuckDB this program starts has
auto-install and auto-load off, and the extensions it needs (DuckLake and PostgreSQL for
the team set-up) are loaded by path from the ``duckdb-extension-*`` packages that pip
installed beside DuckDB, built for the same DuckDB version. Parquet, JSON and ICU are
built into the DuckDB wheel itself.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

import duckdb

#: Settings of every DuckDB instance: nothing installed or loaded behind our back.
NO_DOWNLOADS: dict[str, Any] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

#: Extension name -> the package that carries its binary. The ``postgres`` package's
#: file (``postgres.duckdb_extension``) loads only under the extension's own name, which
#: is what the ``postgres-scanner`` package ships (the same binary).
PACKAGES = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
}


class ExtensionMissing(Exception):
    """An extension's package is not installed for this DuckDB version."""


def path(name: str) -> Path:
    """Where the installed package keeps an extension's binary for this DuckDB."""
    package = PACKAGES[name]
    pip_name = package.replace("_", "-")
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        raise ExtensionMissing(
            f"the DuckDB extension {name!r} is not installed (pip package {pip_name})"
        ) from None
    found = Path(str(root)) / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not found.is_file():
        raise ExtensionMissing(
            f"the DuckDB extension {name!r} is not installed for DuckDB {duckdb.__version__} "
            f"(pip package {pip_name}=={duckdb.__version__})"
        )
    return found


def instance(database: str = ":memory:", **config: Any) -> duckdb.DuckDBPyConnection:
    """A new DuckDB instance that never downloads an extension, and draws no progress
    bar on the terminal (a long migration's index build would)."""
    con = duckdb.connect(database, config={**NO_DOWNLOADS, **config})
    con.execute("SET enable_progress_bar = false")  # a setting of this connection only
    return con


def load(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Load extensions into ``con``'s instance from their packages (no network)."""
    for name in names:
        con.execute(f"LOAD '{str(path(name)).replace(chr(39), chr(39) * 2)}'")
