"""Starts the fake FLORA and connects the official MCP Python SDK to a real `flora-mcp`.

Used by the demo (`just demo`) and by the pytest suite. Binaries come from the environment
(`FLORA_MCP_BIN`, `FAKE_FLORA_BIN`) or from `target/debug/` of this checkout.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import AsyncIterator, Iterator

from mcp import ClientSession, StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parents[2]
# The fake's default key; it exists only inside the fake FLORA started below.
FAKE_API_KEY = "sk_test_fake_0000000000000000"


def binary(env_name: str, default: str) -> str:
    path = os.environ.get(env_name) or str(ROOT / "target" / "debug" / default)
    if not Path(path).is_file():
        sys.exit(f"{path} does not exist: build it first (just build)")
    return path


@contextlib.contextmanager
def fake_flora() -> Iterator[str]:
    """Runs the fake FLORA on a free loopback port and yields its API base URL."""
    process = subprocess.Popen(
        [binary("FAKE_FLORA_BIN", "fake-flora"), "--port", "0", "--exit-on-stdin-close"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "FAKE_FLORA_LOG": os.environ.get("FAKE_FLORA_LOG", "warn")},
    )
    try:
        line = process.stdout.readline().strip() if process.stdout else ""
        prefix = "fake-flora listening on "
        if not line.startswith(prefix):
            raise RuntimeError(f"the fake FLORA did not start: {line!r}")
        yield line[len(prefix):]
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.asynccontextmanager
async def flora_session(
    api_base: str, list_roots_callback=None, **extra_env: str
) -> AsyncIterator[ClientSession]:
    """An initialized MCP client session with `flora-mcp` serving against `api_base`; with
    `list_roots_callback`, the client declares roots and answers `roots/list` with it."""
    env = {
        "FLORA_BASE_URL": api_base,
        "FLORA_API_KEY": FAKE_API_KEY,
        "FLORA_MCP_LOG": "warn",
        # Should anything ever look for an authorization server, it finds the fake's.
        "FLORA_OAUTH_ISSUER": api_base.rsplit("/api/v1", 1)[0],
        **extra_env,
    }
    params = StdioServerParameters(command=binary("FLORA_MCP_BIN", "flora-mcp"), env=env)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write, list_roots_callback=list_roots_callback) as session:
            await session.initialize()
            yield session
