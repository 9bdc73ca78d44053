"""Signing in with a real headless Chromium: the first tool call that needs FLORA opens the
browser, the person (Playwright driving Debian's `chromium`) signs in at the fake authorization
server and picks a workspace on its consent page, and the tool call then succeeds - in that
workspace - with the token kept in the kernel keyring, never in the MCP output."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from harness import ROOT, binary, fake_flora, flora_session

pytestmark = pytest.mark.anyio

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DRIVER = ROOT / "tests" / "browsers" / "chromium_browser.py"
# The fake's second workspace and its only project (tests/fake-flora/src/seed.rs).
OTHER_WORKSPACE_ID = "ws_h6d5hbvq6rei3cl4y088p0u1z174unk8"
OTHER_PROJECT_ID = "prj_dtuik4ba7buu6m6xvx8oo2xg8mxy4hea"


def read_when(log: Path, needle: str) -> str:
    """The log once it holds `needle` (Chromium may still be rendering the landing page when
    the tool call returns), or as it is after fifteen seconds."""
    deadline = time.monotonic() + 15
    while True:
        text = log.read_text() if log.exists() else ""
        if needle in text or time.monotonic() > deadline:
            return text
        time.sleep(0.1)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_person_signs_in_with_chromium_and_the_tool_call_succeeds(tmp_path: Path) -> None:
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install chromium"
    log = tmp_path / "chromium.log"
    # The driver's `python3` must be this virtual environment's, which has Playwright.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    with fake_flora() as api_base:
        origin = api_base.removesuffix("/api/v1")
        env = {
            "FLORA_API_KEY": "",
            "PATH": path,
            "BROWSER": str(DRIVER),
            "CHROMIUM_BROWSER_LOG": str(log),
            "CHROMIUM_BROWSER_WORKSPACE": OTHER_WORKSPACE_ID,
            "FLORA_OAUTH_ISSUER": origin,
            "FLORA_MCP_KEYCHAIN": "keyutils",
            "FLORA_MCP_KEYCHAIN_SERVICE": f"flora-mcp-chromium-{uuid.uuid4().hex}",
            "FLORA_MCP_SIGN_IN_TIMEOUT": "90",
            "FLORA_MCP_DATA_DIR": str(tmp_path / "data"),
        }
        async with flora_session(api_base, **env) as session:
            result = await session.call_tool("list_projects", {})
            text = result.content[0].text
            assert not result.is_error, f"{text}\n{read_when(log, 'landed')}"
            assert OTHER_PROJECT_ID in text, "the workspace picked on the consent page is used"
            shown = read_when(log, "flora-mcp is signed in")
            assert "flora-mcp is signed in" in shown, shown

            again = await session.call_tool("list_workspaces", {})
            assert not again.is_error
            assert log.read_text().count("opened") == 1, "later calls are silent"
        # Leave nothing in this machine's kernel key store.
        subprocess.run(
            [binary("FLORA_MCP_BIN", "flora-mcp"), "logout"],
            env={**os.environ, **env, "FLORA_BASE_URL": api_base},
            capture_output=True, timeout=30, check=True,
        )
