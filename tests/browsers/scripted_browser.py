#!/usr/bin/env python3
"""A scripted stand-in for a person in a browser, for the sign-in tests: flora-mcp starts it as
BROWSER with the sign-in URL as its one argument. It loads the fake FLORA's sign-in page, fills
in the form (any email, the fake's password, a workspace), submits it, and follows the redirect
to flora-mcp's loopback callback - optionally tampering with it first.

Environment:
  SCRIPTED_BROWSER_MODE       consent (default) | wrong-state | drop-state
  SCRIPTED_BROWSER_WORKSPACE  the workspace id to pick (default: the first one offered)
  SCRIPTED_BROWSER_LOG        a file to append one line per launch and the callback page's outcome
"""
import html.parser
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "flora-fake-password"


class Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = {}
        self.workspaces = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag != "input":
            return
        if attrs.get("type") == "hidden":
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif attrs.get("type") == "radio" and attrs.get("name") == "workspace_id":
            self.workspaces.append(attrs["value"])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log(line):
    path = os.environ.get("SCRIPTED_BROWSER_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def main():
    url = sys.argv[1]
    log("opened")
    page = urllib.request.urlopen(url, timeout=20).read().decode()
    form = Form()
    form.feed(page)
    workspace = os.environ.get("SCRIPTED_BROWSER_WORKSPACE") or form.workspaces[0]
    fields = dict(form.fields, email="person@example.com", password=PASSWORD,
                  workspace_id=workspace)
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
    opener = urllib.request.build_opener(NoRedirect)
    body = urllib.parse.urlencode(fields).encode()
    try:
        opener.open(origin + "/authorize", data=body, timeout=20)
        log("no redirect")
        return
    except urllib.error.HTTPError as answer:
        location = answer.headers["Location"]
    parts = urllib.parse.urlsplit(location)
    query = dict(urllib.parse.parse_qsl(parts.query))
    mode = os.environ.get("SCRIPTED_BROWSER_MODE", "consent")
    if mode == "wrong-state":
        query["state"] = "forged-" + query.get("state", "")
    elif mode == "drop-state":
        query.pop("state", None)
    callback = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    try:
        outcome = urllib.request.urlopen(callback, timeout=20).read().decode()
    except urllib.error.HTTPError as refused:
        outcome = refused.read().decode()
    log("callback: " + outcome)


if __name__ == "__main__":
    try:
        main()
    except Exception as failure:  # the test reads the log, not this process's stderr
        log("error: {!r}".format(failure))
        raise
