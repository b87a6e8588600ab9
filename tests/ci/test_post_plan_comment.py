"""deploy/ci/post-plan-comment.py against a local fake of the GitHub and GitLab REST endpoints.

Run: python3 -m unittest discover -s tests/ci  (INVSYNC_BIN names the binary for the end-to-end
case; target/debug/invsync is used when it exists.)
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from fake_code_host import FakeCodeHost

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "ci" / "post-plan-comment.py"
GOLDEN = ROOT / "tests" / "golden" / "plan"
MARKER = "<!-- invsync-plan -->"
TOKEN = "ghp_fakeTokenThatMustNeverBePrinted0001"
GITHUB_THREAD = ("acme/manifests", "7")
GITLAB_THREAD = ("acme%2Fmanifests", "5")


class PostPlanComment(unittest.TestCase):
    def setUp(self):
        self.host = FakeCodeHost(TOKEN)
        self.addCleanup(self.host.close)
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        event = pathlib.Path(self.tmp.name, "event.json")
        event.write_text(json.dumps({"pull_request": {"number": 7}}))
        self.github_env = {
            "GITHUB_API_URL": self.host.url,
            "GITHUB_REPOSITORY": "acme/manifests",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_RUN_ID": "4242",
        }
        self.gitlab_env = {
            "CI_API_V4_URL": self.host.url + "/api/v4",
            "CI_PROJECT_ID": "acme/manifests",
            "CI_MERGE_REQUEST_IID": "5",
            "INVSYNC_GITLAB_TOKEN": TOKEN,
            "CI_JOB_URL": "https://gitlab.example/acme/manifests/-/jobs/99",
        }

    def run_script(self, plan, platform="github", extra=(), env=None):
        plan_file = pathlib.Path(self.tmp.name, "plan.md")
        plan_file.write_text(plan, encoding="utf-8")
        base = {"PATH": os.environ.get("PATH", "")}
        base.update(env if env is not None else (self.github_env if platform == "github" else self.gitlab_env))
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--platform", platform, *extra, str(plan_file)],
            env=base,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertNotIn(TOKEN, result.stdout + result.stderr, "the token was printed")
        return result

    def methods(self):
        return [(m, p) for m, p, _ in self.host.requests if m != "GET"]

    def test_the_first_run_creates_one_comment_starting_with_the_marker(self):
        plan = (GOLDEN / "create.md").read_text()
        result = self.run_script(plan, extra=["--exit-code", "2"])
        self.assertEqual(result.returncode, 0, result.stderr)
        comments = self.host.in_thread(GITHUB_THREAD)
        self.assertEqual(len(comments), 1)
        body = comments[0]["body"]
        self.assertTrue(body.startswith(MARKER + "\n"))
        self.assertIn("changes pending or blocked (exit 2)", body)
        self.assertTrue(body.endswith(plan))
        self.assertIn("created comment %d" % comments[0]["id"], result.stdout)
        self.assertTrue(all(auth == "Bearer " + TOKEN for _, _, auth in self.host.requests))

    def test_a_later_run_updates_the_same_comment_instead_of_adding_one(self):
        self.run_script((GOLDEN / "create.md").read_text(), extra=["--exit-code", "2"])
        first = self.host.in_thread(GITHUB_THREAD)[0]["id"]
        result = self.run_script((GOLDEN / "in_sync.md").read_text(), extra=["--exit-code", "0"])
        self.assertEqual(result.returncode, 0, result.stderr)
        comments = self.host.in_thread(GITHUB_THREAD)
        self.assertEqual([c["id"] for c in comments], [first])
        self.assertIn("in sync (exit 0)", comments[0]["body"])
        self.assertEqual(self.methods()[-1], ("PATCH", "/repos/acme/manifests/issues/comments/%d" % first))

    def test_a_comment_without_the_marker_at_its_start_is_never_edited(self):
        human = self.host.add(GITHUB_THREAD, "Looks good. Quoting the bot:\n> " + MARKER + "\n> Plan: ...")
        other_key = self.host.add(GITHUB_THREAD, "<!-- invsync-plan:staging -->\nanother plan")
        result = self.run_script((GOLDEN / "update.md").read_text())
        self.assertEqual(result.returncode, 0, result.stderr)
        comments = self.host.in_thread(GITHUB_THREAD)
        self.assertEqual(len(comments), 3)
        self.assertEqual(comments[0]["body"], human["body"])
        self.assertEqual(comments[1]["body"], other_key["body"])
        self.assertEqual([m for m, _ in self.methods()], ["POST"])

    def test_a_key_keeps_two_plans_in_one_pull_request_apart(self):
        self.run_script("plan A\n", extra=["--key", "staging"])
        self.run_script("plan B\n", extra=["--key", "production"])
        self.run_script("plan A2\n", extra=["--key", "staging"])
        bodies = [c["body"] for c in self.host.in_thread(GITHUB_THREAD)]
        self.assertEqual(bodies, ["<!-- invsync-plan:staging -->\nplan A2\n", "<!-- invsync-plan:production -->\nplan B\n"])

    def test_the_marked_comment_is_found_on_a_later_page(self):
        for i in range(130):
            self.host.add(GITHUB_THREAD, "review comment %d" % i)
        ours = self.host.add(GITHUB_THREAD, MARKER + "\nold plan")
        self.host.add(GITHUB_THREAD, "after")
        result = self.run_script((GOLDEN / "update.md").read_text())
        self.assertEqual(result.returncode, 0, result.stderr)
        gets = [p for m, p, _ in self.host.requests if m == "GET"]
        self.assertEqual(len(gets), 2, "page 1 and page 2")
        self.assertEqual(self.methods(), [("PATCH", "/repos/acme/manifests/issues/comments/%d" % ours["id"])])
        self.assertEqual(len(self.host.in_thread(GITHUB_THREAD)), 132)

    def test_a_pagination_link_to_another_host_is_not_followed_with_the_token(self):
        for i in range(101):
            self.host.add(GITHUB_THREAD, "review comment %d" % i)
        self.host.next_link_override = "http://127.0.0.2:1/steal?page=2"
        result = self.run_script("plan\n")
        self.assertEqual(result.returncode, 1)
        self.assertIn("refusing to follow a link off the API origin", result.stderr)
        self.assertEqual(self.methods(), [])

    def test_a_plan_longer_than_githubs_limit_is_cut_with_a_note_and_balanced_fences(self):
        block = "<details><summary>change</summary>\n\n```diff\n" + "+line of diff\n" * 400 + "```\n\n</details>\n"
        plan = "### invsync plan\n\n" + block * 60
        self.assertGreater(len(plan), 65535)
        result = self.run_script(plan, extra=["--exit-code", "2"])
        self.assertEqual(result.returncode, 0, result.stderr)
        body = self.host.in_thread(GITHUB_THREAD)[0]["body"]
        self.assertLessEqual(len(body), 65535)
        self.assertGreater(len(body), 60000, "as much of the plan as fits")
        self.assertTrue(body.startswith(MARKER + "\n"))
        self.assertIn("**Plan truncated**", body)
        self.assertIn("https://github.example/acme/manifests/actions/runs/4242", body)
        fences = [line for line in body.splitlines() if line.startswith("```")]
        self.assertEqual(len(fences) % 2, 0, "every code fence is closed")

    def test_a_plan_within_invsyncs_markdown_bound_is_never_cut(self):
        # invsync plan --markdown-max-bytes defaults to 60,000 bytes (at most 60,000 characters).
        plan = ("x" * 99 + "\n") * 600
        result = self.run_script(plan, extra=["--exit-code", "1"])
        self.assertEqual(result.returncode, 0, result.stderr)
        body = self.host.in_thread(GITHUB_THREAD)[0]["body"]
        self.assertTrue(body.endswith(plan))
        self.assertNotIn("truncated", body)

    def test_the_token_is_never_printed_when_the_api_refuses_it(self):
        env = dict(self.github_env, GITHUB_TOKEN=TOKEN + "-wrong")
        result = self.run_script("plan\n", env=env)
        self.assertEqual(result.returncode, 1)
        self.assertIn("HTTP 401 Bad credentials", result.stderr)
        self.assertNotIn(TOKEN + "-wrong", result.stdout + result.stderr)

    def test_a_server_error_is_retried_and_still_leaves_one_comment(self):
        self.host.failures = [502]
        result = self.run_script("plan\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(self.host.in_thread(GITHUB_THREAD)), 1)

    def test_a_run_outside_a_pull_request_says_so_and_posts_nothing(self):
        event = pathlib.Path(self.tmp.name, "push.json")
        event.write_text(json.dumps({"ref": "refs/heads/main"}))
        result = self.run_script("plan\n", env=dict(self.github_env, GITHUB_EVENT_PATH=str(event)))
        self.assertEqual(result.returncode, 1)
        self.assertIn("not a pull request event", result.stderr)
        self.assertEqual(self.host.requests, [])

    def test_gitlab_creates_then_updates_one_note_skipping_system_notes(self):
        for i in range(120):
            self.host.add(GITLAB_THREAD, "note %d" % i)
        self.host.add(GITLAB_THREAD, MARKER + "\nlooks like ours but is GitLab's", system=True)
        plan = (GOLDEN / "oss_replace.md").read_text()
        first = self.run_script(plan, platform="gitlab", extra=["--exit-code", "2"])
        self.assertEqual(first.returncode, 0, first.stderr)
        second = self.run_script(plan, platform="gitlab", extra=["--exit-code", "0"])
        self.assertEqual(second.returncode, 0, second.stderr)
        notes = self.host.in_thread(GITLAB_THREAD)
        ours = [n for n in notes if n["body"].startswith(MARKER) and not n.get("system")]
        self.assertEqual(len(ours), 1)
        self.assertIn("in sync (exit 0)", ours[0]["body"])
        self.assertEqual(notes[120]["body"], MARKER + "\nlooks like ours but is GitLab's")
        prefix = "/api/v4/projects/acme%2Fmanifests/merge_requests/5/notes"
        self.assertEqual(self.methods(), [("POST", prefix), ("PUT", "%s/%d" % (prefix, ours[0]["id"]))])
        self.assertTrue(all(auth == TOKEN for _, _, auth in self.host.requests))

    def test_gitlab_truncation_points_at_the_job(self):
        plan = "line\n" * 20000
        result = self.run_script(plan, platform="gitlab")
        self.assertEqual(result.returncode, 0, result.stderr)
        body = self.host.in_thread(GITLAB_THREAD)[0]["body"]
        self.assertLessEqual(len(body), 65535)
        self.assertIn("https://gitlab.example/acme/manifests/-/jobs/99", body)

    def test_a_failed_plan_golden_is_posted_whole_under_a_failure_heading(self):
        plan = (GOLDEN / "mixed_with_failure.md").read_text()
        result = self.run_script(plan, extra=["--exit-code", "1"])
        self.assertEqual(result.returncode, 0, result.stderr)
        body = self.host.in_thread(GITHUB_THREAD)[0]["body"]
        self.assertEqual(body, MARKER + "\n**invsync plan failed** (exit 1): the job log has the errors.\n\n" + plan)


def invsync_binary():
    named = os.environ.get("INVSYNC_BIN")
    if named:
        return named
    default = ROOT / "target" / "debug" / "invsync"
    return str(default) if default.exists() else None


@unittest.skipUnless(invsync_binary(), "needs INVSYNC_BIN or target/debug/invsync")
class RealPlan(unittest.TestCase):
    """invsync plan against its emulator, piped into the script as the templates do."""

    CREDENTIALS = {
        "TENCENTCLOUD_SECRET_ID": "AKIDciTemplateTest000000000000000000",
        "TENCENTCLOUD_SECRET_KEY": "ciTemplateTestSecretKey000000000",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIciTemplateTest",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "ciTemplateTestSecret0000000",
        "AWS_ACCESS_KEY_ID": "AKIACITEMPLATETEST00",
        "AWS_SECRET_ACCESS_KEY": "ciTemplateTestAwsSecret0000000000000000",
    }

    def setUp(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.emulator_url = "http://127.0.0.1:%d" % port
        env = dict(os.environ, **self.CREDENTIALS)
        self.emulator = subprocess.Popen(
            [invsync_binary(), "emulator", "--listen", "127.0.0.1:%d" % port],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        self.addCleanup(self._stop)
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(self.emulator_url + "/_emulator/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or self.emulator.poll() is not None:
                    self.fail("the emulator did not start")
                time.sleep(0.1)
        self.host = FakeCodeHost(TOKEN)
        self.addCleanup(self.host.close)

    def _stop(self):
        self.emulator.terminate()
        self.emulator.wait(timeout=10)

    def test_a_real_plan_with_changes_exits_2_and_lands_in_the_comment(self):
        env = dict(
            os.environ,
            INVSYNC_COS_ENDPOINT=self.emulator_url,
            INVSYNC_OSS_ENDPOINT=self.emulator_url,
            INVSYNC_S3_ENDPOINT=self.emulator_url,
            AWS_EC2_METADATA_DISABLED="true",
            **self.CREDENTIALS,
        )
        plan = subprocess.run(
            [invsync_binary(), "plan", "--manifests", str(ROOT / "manifests"), "--output", "markdown", "--detailed-exitcode"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(plan.returncode, 2, plan.stderr)
        for secret in self.CREDENTIALS.values():
            self.assertNotIn(secret, plan.stdout + plan.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            plan_file = pathlib.Path(tmp, "plan.md")
            plan_file.write_text(plan.stdout)
            event = pathlib.Path(tmp, "event.json")
            event.write_text(json.dumps({"pull_request": {"number": 7}}))
            posted = subprocess.run(
                [sys.executable, str(SCRIPT), "--exit-code", str(plan.returncode), str(plan_file)],
                env={
                    "PATH": os.environ.get("PATH", ""),
                    "GITHUB_ACTIONS": "true",
                    "GITHUB_API_URL": self.host.url,
                    "GITHUB_REPOSITORY": "acme/manifests",
                    "GITHUB_EVENT_PATH": str(event),
                    "GITHUB_TOKEN": TOKEN,
                },
                capture_output=True,
                text=True,
                timeout=60,
            )
        self.assertEqual(posted.returncode, 0, posted.stderr)
        body = self.host.in_thread(GITHUB_THREAD)[0]["body"]
        self.assertTrue(body.startswith(MARKER + "\n**invsync plan**: changes pending or blocked (exit 2)."))
        self.assertIn("to create", body)
        self.assertIn("cos://examplebucket-1250000000", body)
        self.assertIn("s3://example-logs", body)
        self.assertTrue(body.endswith(plan.stdout))


if __name__ == "__main__":
    unittest.main()
