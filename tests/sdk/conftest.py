"""Starts (or finds) the invsync emulator for the official-SDK conformance tests.

If INVSYNC_EMULATOR_URL is set, the tests use that emulator; it must accept the credentials in
TENCENTCLOUD_SECRET_ID/KEY, ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET and AWS_ACCESS_KEY_ID/
AWS_SECRET_ACCESS_KEY (or the defaults below), with its S3 buckets in us-east-1.
Otherwise they start `$INVSYNC_BIN emulator --listen 127.0.0.1:PORT` on a free port with those
credentials in its environment, and stop it afterwards.
"""

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.request
import uuid

import pytest

COS_SECRET_ID = os.environ.get("TENCENTCLOUD_SECRET_ID", "AKIDinvsyncSdkConformance0000000000")
COS_SECRET_KEY = os.environ.get("TENCENTCLOUD_SECRET_KEY", "cosSdkConformanceSecretKey0000000")
OSS_ACCESS_KEY_ID = os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIinvsyncSdkConformance")
OSS_ACCESS_KEY_SECRET = os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ossSdkConformanceSecret00000")
S3_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID", "AKIAINVSYNCSDKCONFORM")
S3_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY", "s3SdkConformanceSecretAccessKey000000000")
# The emulator's defaults: the region of its S3 buckets and the account that owns them.
S3_REGION = "us-east-1"
S3_ACCOUNT_ID = "123456789012"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url, process=None, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError("emulator exited with status %s" % process.returncode)
        try:
            with urllib.request.urlopen(url + "/_emulator/healthz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("emulator at %s did not become healthy" % url)


@contextlib.contextmanager
def running_emulator(binary, **env_overrides):
    """Runs `binary emulator` on a free port with `env_overrides` in its environment; yields
    its URL once healthy and stops it afterwards."""
    port = _free_port()
    env = dict(os.environ)
    env.update(env_overrides)
    process = subprocess.Popen(
        [binary, "emulator", "--listen", "127.0.0.1:%d" % port],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = "http://127.0.0.1:%d" % port
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def emulator_url():
    url = os.environ.get("INVSYNC_EMULATOR_URL")
    if url:
        url = url.rstrip("/")
        _wait_healthy(url)
        yield url
        return
    binary = os.environ.get("INVSYNC_BIN")
    if not binary:
        pytest.fail("set INVSYNC_BIN (path to the invsync binary) or INVSYNC_EMULATOR_URL")
    with running_emulator(
        binary,
        TENCENTCLOUD_SECRET_ID=COS_SECRET_ID,
        TENCENTCLOUD_SECRET_KEY=COS_SECRET_KEY,
        ALIBABA_CLOUD_ACCESS_KEY_ID=OSS_ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=OSS_ACCESS_KEY_SECRET,
        AWS_ACCESS_KEY_ID=S3_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=S3_SECRET_ACCESS_KEY,
        # A long-term key: requests must come without a session token.
        AWS_SESSION_TOKEN="",
    ) as url:
        yield url


@pytest.fixture(scope="session")
def emulator_port(emulator_url):
    return int(emulator_url.rsplit(":", 1)[1])


@pytest.fixture
def stats(emulator_url):
    """Reads the emulator's request counts: stats() -> {(provider, op, status): count}."""

    def read():
        with urllib.request.urlopen(emulator_url + "/_emulator/stats", timeout=5) as resp:
            data = json.load(resp)
        return {(e["provider"], e["operation"], e["status"]): e["count"] for e in data["requests"]}

    return read


def unique_name(prefix):
    """A bucket name no other test uses (buckets spring into existence in the emulator)."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def create_bucket(url, provider, name, region=None, tags=None):
    """Creates a bucket through the emulator's admin API (`PUT /_emulator/buckets/...`)."""
    body = {}
    if region is not None:
        body["region"] = region
    if tags is not None:
        body["tags"] = tags
    request = urllib.request.Request(
        "%s/_emulator/buckets/%s/%s" % (url, provider, name),
        data=json.dumps(body).encode(),
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert resp.status in (200, 201)
        return json.load(resp)


def put_object(url, provider, bucket, key, body):
    """Plants an object through the emulator's admin API (`PUT /_emulator/objects/...`)."""
    request = urllib.request.Request(
        "%s/_emulator/objects/%s/%s/%s" % (url, provider, bucket, key),
        data=body,
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert resp.status == 201


def advance_clock(url, seconds):
    """Moves the emulator's clock forward (`POST /_emulator/clock`); returns its answer."""
    request = urllib.request.Request(
        url + "/_emulator/clock",
        data=json.dumps({"advanceSeconds": seconds}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.load(resp)


def deliveries(url):
    """Every report delivery the emulator made or refused (`GET /_emulator/deliveries`)."""
    with urllib.request.urlopen(url + "/_emulator/deliveries", timeout=5) as resp:
        return json.load(resp)["deliveries"]


def allow_role(url, provider, uid, role):
    """Marks a RAM role as allowed to write reports (`PUT /_emulator/roles/...`)."""
    request = urllib.request.Request(
        "%s/_emulator/roles/%s/%s/%s" % (url, provider, uid, role), data=b"", method="PUT"
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert resp.status == 204
