#!/usr/bin/env python3
"""Posts an `invsync plan --output markdown` as one pull/merge request comment, updated in place.

Usage: post-plan-comment.py [--platform github|gitlab] [--exit-code N] [--key NAME] PLAN_FILE

The comment starts with a hidden marker (`<!-- invsync-plan -->`, or `<!-- invsync-plan:NAME -->`
with --key, for several plans in one repository). A later run edits the comment whose body
starts with that marker instead of adding another; a comment without it is never touched.

GitHub (GitHub Actions sets all but the token):
  GITHUB_TOKEN, GITHUB_API_URL, GITHUB_REPOSITORY (owner/name), GITHUB_EVENT_PATH (its
  pull_request.number) or INVSYNC_PR_NUMBER; GITHUB_SERVER_URL and GITHUB_RUN_ID for the link
  to the job log.
GitLab (GitLab CI sets all but the token):
  INVSYNC_GITLAB_TOKEN (a project access token with the `api` scope; GITLAB_TOKEN also works),
  CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, CI_JOB_URL.

Bodies are kept within GitHub's 65,535-character comment limit: a longer plan is cut at a line
(closing an open code fence) with a note pointing at the job log. The token is sent only to
the API's own origin and never printed. Exit status: 0 posted, 1 failed (the reason on stderr).
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

MARKER = "<!-- invsync-plan -->"
# GitHub refuses comment bodies longer than this many characters; GitLab allows more.
MAX_CHARS = 65535
PER_PAGE = 100
# Bounded: a comment is not worth more than a few seconds of a CI job.
RETRY_DELAYS = (1.0, 2.0)
TIMEOUT = 30


class CommentError(Exception):
    """A failure worth one line on stderr; never carries a token."""


def marker(key):
    return "<!-- invsync-plan:%s -->" % key if key else MARKER


def exit_heading(exit_code):
    """What the plan's exit status means, for the top of the comment."""
    if exit_code is None:
        return ""
    if exit_code == 0:
        return "**invsync plan**: in sync (exit 0).\n\n"
    if exit_code == 2:
        return "**invsync plan**: changes pending or blocked (exit 2).\n\n"
    return "**invsync plan failed** (exit %d): the job log has the errors.\n\n" % exit_code


def compose(plan, head, job_url, limit=MAX_CHARS):
    """The comment body: `head` (marker and heading), then `plan`, within `limit` characters.

    A plan that does not fit is cut after its last whole line that does, an open ``` fence is
    closed, and a note says how much was shown and where the rest is.
    """
    body = head + plan
    if len(body) <= limit:
        return body
    where = "the job log (%s)" % job_url if job_url else "the job log"
    # Sized for the widest figures, so the note never outgrows the room left for it.
    note_template = "\n\n---\n**Plan truncated**: %d of %d characters shown; the full plan is in %s.\n"
    room = limit - len(head) - len(note_template % (len(plan), len(plan), where)) - len("```\n")
    if room < 0:
        raise CommentError("the job URL is too long to fit a comment")
    cut = plan[:room]
    newline = cut.rfind("\n")
    if newline > 0:
        cut = cut[: newline + 1]
    fences = sum(1 for line in cut.splitlines() if line.startswith("```"))
    if fences % 2:
        cut += "```\n"
    return head + cut + note_template % (len(cut), len(plan), where)


class Api:
    """JSON over HTTPS to one API base URL, with the token in a header."""

    def __init__(self, base, auth_header, token):
        self.base = base.rstrip("/")
        self.origin = urllib.parse.urlsplit(self.base)[:2]
        self.auth_header = auth_header
        self.token = token

    def request(self, method, url, body=None):
        """Returns (decoded JSON, response headers); retries 429 and 5xx twice."""
        if not url.startswith("http"):
            url = self.base + url
        if urllib.parse.urlsplit(url)[:2] != self.origin:
            # A pagination link elsewhere would receive the token.
            raise CommentError("refusing to follow a link off the API origin")
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(len(RETRY_DELAYS) + 1):
            req = urllib.request.Request(url, data=data, method=method)
            req.add_header(self.auth_header, self.token)
            req.add_header("Accept", "application/json")
            req.add_header("User-Agent", "invsync-plan-comment")
            if data is not None:
                req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                    text = resp.read().decode()
                    return (json.loads(text) if text else None), resp.headers
            except urllib.error.HTTPError as e:
                retryable = e.code == 429 or e.code >= 500
                if not retryable or attempt == len(RETRY_DELAYS):
                    raise CommentError(
                        "%s %s: HTTP %d %s" % (method, redact(url), e.code, api_message(e))
                    ) from None
            except (urllib.error.URLError, OSError) as e:
                if attempt == len(RETRY_DELAYS):
                    raise CommentError("%s %s: %s" % (method, redact(url), e)) from None
            time.sleep(RETRY_DELAYS[attempt])
        raise AssertionError("unreachable")

    def pages(self, path):
        """Every item of a paginated list, following the `next` link (GitHub and GitLab)."""
        url = "%s%s?per_page=%d" % (self.base, path, PER_PAGE)
        while url:
            items, headers = self.request("GET", url)
            if not isinstance(items, list):
                raise CommentError("GET %s: expected a JSON list" % redact(url))
            yield from items
            url = next_link(headers.get("Link", ""))


def next_link(link_header):
    """The rel="next" URL of an RFC 8288 Link header, or None."""
    for part in link_header.split(","):
        pieces = part.split(";")
        if any(p.strip() == 'rel="next"' for p in pieces[1:]):
            return pieces[0].strip().strip("<>")
    return None


def redact(url):
    """The URL without its query string (which holds nothing secret, but is noise)."""
    return urllib.parse.urlsplit(url)._replace(query="").geturl()


def api_message(error):
    try:
        payload = json.loads(error.read().decode() or "null")
    except (ValueError, OSError):
        return ""
    if isinstance(payload, dict):
        return str(payload.get("message", ""))[:200]
    return ""


def require(name, *alternatives):
    for var in (name,) + alternatives:
        value = os.environ.get(var, "").strip()
        if value:
            return value
    raise CommentError("%s is not set" % " or ".join((name,) + alternatives))


def github_target():
    repo = require("GITHUB_REPOSITORY")
    number = os.environ.get("INVSYNC_PR_NUMBER", "").strip()
    if not number:
        event_path = require("GITHUB_EVENT_PATH")
        with open(event_path, encoding="utf-8") as f:
            event = json.load(f)
        number = str((event.get("pull_request") or {}).get("number", ""))
    if not number.isdigit():
        raise CommentError("not a pull request event: no pull_request.number in GITHUB_EVENT_PATH")
    api = Api(
        os.environ.get("GITHUB_API_URL") or "https://api.github.com",
        "Authorization",
        "Bearer " + require("GITHUB_TOKEN"),
    )
    server, run = os.environ.get("GITHUB_SERVER_URL"), os.environ.get("GITHUB_RUN_ID")
    job_url = "%s/%s/actions/runs/%s" % (server, repo, run) if server and run else ""
    return {
        "api": api,
        "list": "/repos/%s/issues/%s/comments" % (repo, number),
        "edit": lambda cid: ("PATCH", "/repos/%s/issues/comments/%s" % (repo, cid)),
        "create": ("POST", "/repos/%s/issues/%s/comments" % (repo, number)),
        "job_url": job_url,
        "ours": lambda c: True,
    }


def gitlab_target():
    project = urllib.parse.quote(require("CI_PROJECT_ID"), safe="")
    iid = require("CI_MERGE_REQUEST_IID")
    api = Api(require("CI_API_V4_URL"), "PRIVATE-TOKEN", require("INVSYNC_GITLAB_TOKEN", "GITLAB_TOKEN"))
    notes = "/projects/%s/merge_requests/%s/notes" % (project, iid)
    return {
        "api": api,
        "list": notes,
        "edit": lambda nid: ("PUT", "%s/%s" % (notes, nid)),
        "create": ("POST", notes),
        "job_url": os.environ.get("CI_JOB_URL", ""),
        # System notes ("added 1 commit") are GitLab's own and cannot be edited.
        "ours": lambda c: not c.get("system"),
    }


def detect_platform():
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    if os.environ.get("GITLAB_CI") == "true":
        return "gitlab"
    raise CommentError("pass --platform github or gitlab (neither GITHUB_ACTIONS nor GITLAB_CI is set)")


def post(plan, platform, exit_code=None, key=None):
    """Creates or updates the marked comment; returns (action, comment id)."""
    target = github_target() if platform == "github" else gitlab_target()
    mark = marker(key)
    body = compose(plan, mark + "\n" + exit_heading(exit_code), target["job_url"])
    api = target["api"]
    for comment in api.pages(target["list"]):
        if target["ours"](comment) and str(comment.get("body", "")).startswith(mark + "\n"):
            method, path = target["edit"](comment["id"])
            api.request(method, path, {"body": body})
            return "updated", comment["id"]
    method, path = target["create"]
    created, _ = api.request(method, path, {"body": body})
    return "created", (created or {}).get("id")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan_file", help="the output of invsync plan --output markdown")
    parser.add_argument("--platform", choices=("github", "gitlab"))
    parser.add_argument("--exit-code", type=int, help="invsync plan's exit status, shown on top")
    parser.add_argument("--key", help="tells apart several plans in one pull request")
    args = parser.parse_args(argv)
    if args.key and (not args.key.replace("-", "").replace("_", "").isalnum() or "--" in args.key):
        parser.error("--key takes letters, digits, '-' and '_' only")
    try:
        with open(args.plan_file, encoding="utf-8") as f:
            plan = f.read()
        platform = args.platform or detect_platform()
        action, comment_id = post(plan, platform, args.exit_code, args.key)
    except (CommentError, OSError, ValueError) as e:
        print("post-plan-comment: %s" % e, file=sys.stderr)
        return 1
    print("post-plan-comment: %s comment %s" % (action, comment_id))
    return 0


if __name__ == "__main__":
    sys.exit(main())
