#!/usr/bin/env python3
"""A real headless Chromium (Debian's `chromium`, driven by Playwright) playing the person who
signs in: flora-mcp starts it as BROWSER with the sign-in URL as its one argument. It opens the
fake FLORA's sign-in page, types an email and the password, picks a workspace on the consent
form, presses Allow, follows the redirect to flora-mcp's loopback callback and records the page
it lands on. Playwright never downloads a browser here: it launches /usr/bin/chromium.

Environment:
  CHROMIUM_BROWSER_LOG        a file to append "opened" and the landing page's text to
  CHROMIUM_BROWSER_WORKSPACE  the workspace id to pick (default: the one preselected)
  CHROMIUM_PATH               the Chromium binary (default /usr/bin/chromium)
"""
import os
import sys
import tempfile

from playwright.sync_api import sync_playwright

PASSWORD = "flora-fake-password"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def log(line):
    path = os.environ.get("CHROMIUM_BROWSER_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def main():
    url = sys.argv[1]
    log("opened")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=FLAGS,
        )
        page = context.new_page()
        page.goto(url)
        page.fill("#email", "person@example.com")
        page.fill("#password", PASSWORD)
        workspace = os.environ.get("CHROMIUM_BROWSER_WORKSPACE")
        if workspace:
            page.check('input[name="workspace_id"][value="{}"]'.format(workspace))
        page.click("#allow")
        page.wait_for_selector("#outcome", timeout=20000)
        log("landed: " + page.inner_text("#outcome"))
        context.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as failure:  # the test reads the log, not this process's stderr
        log("error: {!r}".format(failure))
        raise
