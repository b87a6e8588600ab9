"""A local fake of the GitHub issue-comment and GitLab merge-request-note REST endpoints.

Comments live in memory. Lists are paginated as the real APIs do (`per_page`, `page`, an RFC
8288 `Link` header with rel="next"), every request is recorded, and a test can queue failures.
"""

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GITHUB_LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
GITHUB_EDIT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")
GITLAB_LIST = re.compile(r"^/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes$")
GITLAB_EDIT = re.compile(r"^/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes/(\d+)$")


class FakeCodeHost:
    def __init__(self, token):
        self.token = token
        self.comments = {}  # (thread key) -> list of {"id", "body", ...}
        self.requests = []  # (method, path, auth header value)
        self.failures = []  # statuses to answer the next requests with
        self.next_link_override = None
        self.next_id = 1000
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def add(self, thread, body, **extra):
        with self.lock:
            self.next_id += 1
            comment = dict(id=self.next_id, body=body, **extra)
            self.comments.setdefault(thread, []).append(comment)
            return comment

    def in_thread(self, key):
        return self.comments.get(key, [])

    def _handler(self):
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_PATCH(self):
                self._serve("PATCH")

            def do_PUT(self):
                self._serve("PUT")

            def _send(self, status, payload, headers=()):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _serve(self, method):
                url = urllib.parse.urlsplit(self.path)
                path = url.path
                github = GITHUB_LIST.match(path) or GITHUB_EDIT.match(path)
                auth = self.headers.get("Authorization" if github else "PRIVATE-TOKEN", "")
                body = None
                if method in ("POST", "PATCH", "PUT"):
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with host.lock:
                    host.requests.append((method, path, auth))
                    failure = host.failures.pop(0) if host.failures else None
                if failure:
                    return self._send(failure, {"message": "fake failure %d" % failure})
                want = ("Bearer " + host.token) if github else host.token
                if auth != want:
                    return self._send(401, {"message": "Bad credentials"})
                if m := GITHUB_LIST.match(path) or GITLAB_LIST.match(path):
                    key = m.groups()
                    if method == "GET":
                        return self._list(url, key)
                    if method == "POST":
                        return self._send(201, host.add(key, body["body"]))
                m = GITHUB_EDIT.match(path) if method == "PATCH" else None
                if m:
                    return self._edit(lambda key: key[0] == m.group(1), m.group(2), body)
                m = GITLAB_EDIT.match(path) if method == "PUT" else None
                if m:
                    thread = m.groups()[:2]
                    return self._edit(lambda key: key == thread, m.group(3), body)
                self._send(404, {"message": "Not Found"})

            def _list(self, url, key):
                query = urllib.parse.parse_qs(url.query)
                per_page = min(int(query.get("per_page", ["30"])[0]), 100)
                page = int(query.get("page", ["1"])[0])
                comments = host.in_thread(key)
                chunk = comments[(page - 1) * per_page : page * per_page]
                headers = []
                if page * per_page < len(comments):
                    nxt = host.next_link_override or "%s%s?per_page=%d&page=%d" % (
                        host.url,
                        url.path,
                        per_page,
                        page + 1,
                    )
                    headers.append(("Link", '<%s>; rel="next", <%s>; rel="first"' % (nxt, host.url)))
                self._send(200, chunk, headers)

            def _edit(self, thread_matches, comment_id, body):
                with host.lock:
                    for key, comments in host.comments.items():
                        if not thread_matches(key):
                            continue
                        for c in comments:
                            if str(c["id"]) == comment_id:
                                c["body"] = body["body"]
                                return self._send(200, c)
                self._send(404, {"message": "Not Found"})

        return Handler
