"""The demo's output folder and its fresh database.

The demo never opens a database it did not make: each run makes a new, timestamped file, and
removes an older one only if this folder's ``.datatool-demo`` record says the demo made it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

RECORD = ".datatool-demo"
OWN_DB = re.compile(r"^(demo|chat)-\d{8}-\d{6}(-\d+)?\.sqlite3$")


def fresh_database(out_dir: Path, stem: str) -> Path:
    """A path for a new database in ``out_dir``, after removing this stem's previous demo
    databases (only those recorded as made by the demo)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    record = out_dir / RECORD
    kept: list[str] = []
    if record.exists():
        for name in record.read_text(encoding="utf-8").split():
            if OWN_DB.match(name) and name.startswith(f"{stem}-"):
                for suffix in ("", "-wal", "-shm", "-journal"):
                    (out_dir / f"{name}{suffix}").unlink(missing_ok=True)
            elif OWN_DB.match(name) and (out_dir / name).exists():
                kept.append(name)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = out_dir / f"{stem}-{stamp}.sqlite3"
    n = 1
    while path.exists():
        n += 1
        path = out_dir / f"{stem}-{stamp}-{n}.sqlite3"
    record.write_text("\n".join([*kept, path.name]) + "\n", encoding="utf-8")
    return path
