#!/usr/bin/env python3
"""Post an invsync plan as one pull/merge request comment, updated in place on later pushes.

The comment is found by a hidden marker (an HTML comment), so each push edits the same comment
instead of adding one. Python 3 standard library only.

Usage: pr-comment.py github|gitlab PLAN_FILE [EXIT_CODE]
  github: GITHUB_TOKEN, GITHUB_REPOSITORY, PR_NUMBER (or GITHUB_EVENT_PATH), GITHUB_API_URL
  gitlab: GITLAB_TOKEN, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, CI_API_V4_URL
EXIT_CODE is `invsync plan --detailed-exitcode`'s: 0 in sync, 2 changes pending, else error.
The token is sent only in the Authorization / PRIVATE-TOKEN header and never printed.
"""
import json
import os
import sys
import urllib.parse
import urllib.request

MARKER = "<!-- invsync-plan -->"
# GitHub refuses comment bodies over 65,536 characters; stay one under the documented bound.
GITHUB_LIMIT = 65535
# GitLab notes hold 1,000,000 characters.
GITLAB_LIMIT = 1000000
TRUNCATED = "\n\n_… plan truncated to fit the comment size limit; run `invsync plan` for all of it._\n"
HEADINGS = {0: "in sync", 2: "changes pending"}


def body(plan, exit_code, limit):
    """The comment: marker, status line, plan; never longer than `limit` characters."""
    status = HEADINGS.get(exit_code, "plan failed (exit code %s)" % exit_code)
    head = "%s\n**invsync plan: %s**\n\n" % (MARKER, status)
    text = head + plan
    if len(text) <= limit:
        return text
    return head + plan[: limit - len(head) - len(TRUNCATED)] + TRUNCATED


def call(method, url, headers, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def find(list_url, headers):
    """The id of the first comment carrying the marker, following pagination."""
    page = 1
    while True:
        separator = "&" if "?" in list_url else "?"
        items = call("GET", "%s%sper_page=100&page=%d" % (list_url, separator, page), headers)
        for item in items:
            if MARKER in (item.get("body") or ""):
                return item["id"]
        if len(items) < 100:
            return None
        page += 1


def github(plan, exit_code):
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo = os.environ["GITHUB_REPOSITORY"]
    number = os.environ.get("PR_NUMBER")
    if not number:
        with open(os.environ["GITHUB_EVENT_PATH"]) as event:
            number = json.load(event)["pull_request"]["number"]
    headers = {
        "Authorization": "Bearer " + os.environ["GITHUB_TOKEN"],
        "X-GitHub-Api-Version": "2022-11-28",
    }
    comments = "%s/repos/%s/issues/%s/comments" % (api, repo, number)
    text = body(plan, exit_code, GITHUB_LIMIT)
    existing = find(comments, headers)
    if existing is None:
        created = call("POST", comments, headers, {"body": text})
        print("created comment %s" % created["id"])
    else:
        call("PATCH", "%s/repos/%s/issues/comments/%s" % (api, repo, existing), headers, {"body": text})
        print("updated comment %s" % existing)


def gitlab(plan, exit_code):
    api = os.environ["CI_API_V4_URL"].rstrip("/")
    project = urllib.parse.quote(os.environ["CI_PROJECT_ID"], safe="")
    notes = "%s/projects/%s/merge_requests/%s/notes" % (api, project, os.environ["CI_MERGE_REQUEST_IID"])
    headers = {"PRIVATE-TOKEN": os.environ["GITLAB_TOKEN"]}
    text = body(plan, exit_code, GITLAB_LIMIT)
    existing = find(notes, headers)
    if existing is None:
        created = call("POST", notes, headers, {"body": text})
        print("created note %s" % created["id"])
    else:
        call("PUT", "%s/%s" % (notes, existing), headers, {"body": text})
        print("updated note %s" % existing)


def main(argv):
    if len(argv) not in (3, 4) or argv[1] not in ("github", "gitlab"):
        print(__doc__, file=sys.stderr)
        return 64
    with open(argv[2], encoding="utf-8") as f:
        plan = f.read()
    exit_code = int(argv[3]) if len(argv) == 4 else 2
    try:
        (github if argv[1] == "github" else gitlab)(plan, exit_code)
    except urllib.error.HTTPError as error:
        # Credentials travel in headers only, so the URL is safe to print.
        print("%s: HTTP %s" % (error.url, error.code), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
