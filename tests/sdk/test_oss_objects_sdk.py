"""oss2 (2.19.1) and alibabacloud-oss-v2 (1.4.1) against the emulator's OSS objects, bucket
policy and report delivery, V1 and V4: `put/get/delete_bucket_policy` and
`NoSuchBucketPolicy`, `list_objects` / `list_objects_v2` with small pages and a delimiter,
`get_object` and `NoSuchKey`; after the clock advances and the RAM role is marked writable,
the report's manifest at `prefix/bucket/id/YYYY-MM-DDTHH-MMZ/` with its checksum."""

import gzip
import hashlib
import json

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest
from oss2.models import (
    InventoryBucketDestination,
    InventoryConfiguration,
    InventoryDestination,
    InventoryFilter,
    InventorySchedule,
)

from conftest import (
    OSS_ACCESS_KEY_ID,
    OSS_ACCESS_KEY_SECRET,
    advance_clock,
    allow_role,
    create_bucket,
    deliveries,
    put_object,
    unique_name,
)
from test_oss_sdk import REGION, V2Client

KEYS = ["a/1", "a/2", "b", "c/x/y", "d"]
UID = "1000000000000000"


def auth(version):
    if version == "v1":
        return oss2.Auth(OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET)
    return oss2.AuthV4(OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET)


@pytest.fixture
def planted(emulator_url):
    bucket = unique_name("ossobjs")
    create_bucket(emulator_url, "oss", bucket)
    for key in KEYS:
        put_object(emulator_url, "oss", bucket, key, key.encode())
    return bucket


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_oss2_policy_round_trips_and_no_policy_is_no_such_bucket_policy(emulator_url, planted, version):
    bucket = oss2.Bucket(auth(version), emulator_url, planted, region=REGION)
    with pytest.raises(oss2.exceptions.ServerError) as missing:
        bucket.get_bucket_policy()
    assert (missing.value.status, missing.value.code) == (404, "NoSuchBucketPolicy")
    assert missing.value.ec == "0030-00000006"
    policy = json.dumps({"Version": "1", "Statement": []})
    assert bucket.put_bucket_policy(policy).status == 200
    assert bucket.get_bucket_policy().policy == policy
    bucket.delete_bucket_policy()
    with pytest.raises(oss2.exceptions.ServerError):
        bucket.get_bucket_policy()


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_oss2_lists_pages_and_rolls_up(emulator_url, planted, version):
    bucket = oss2.Bucket(auth(version), emulator_url, planted, region=REGION)
    assert [o.key for o in oss2.ObjectIterator(bucket, max_keys=2)] == KEYS
    page = bucket.list_objects(max_keys=2)
    assert page.is_truncated and page.next_marker == "a/2"
    rolled = bucket.list_objects(delimiter="/")
    assert [o.key for o in rolled.object_list] == ["b", "d"]
    assert rolled.prefix_list == ["a/", "c/"]
    assert [o.key for o in oss2.ObjectIteratorV2(bucket, max_keys=2)] == KEYS
    after = bucket.list_objects_v2(start_after="b")
    assert [o.key for o in after.object_list] == ["c/x/y", "d"]


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_oss2_gets_objects_and_a_missing_key_is_no_such_key(emulator_url, planted, version):
    bucket = oss2.Bucket(auth(version), emulator_url, planted, region=REGION)
    assert bucket.get_object("c/x/y").read() == b"c/x/y"
    with pytest.raises(oss2.exceptions.NoSuchKey):
        bucket.get_object("nope")


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_the_v2_sdk_pages_with_its_paginator_and_gets_objects(emulator_url, planted, version):
    client = V2Client(emulator_url, version).client
    paginator = client.list_objects_v2_paginator(limit=2)
    keys = [o.key for page in paginator.iter_page(ossv2.ListObjectsV2Request(bucket=planted)) for o in page.contents or []]
    assert keys == KEYS
    got = client.get_object(ossv2.GetObjectRequest(bucket=planted, key="a/1"))
    assert got.body.read() == b"a/1"
    with pytest.raises(ossv2.exceptions.OperationError) as missing:
        client.get_object(ossv2.GetObjectRequest(bucket=planted, key="nope"))
    assert missing.value.unwrap().code == "NoSuchKey"


def test_a_report_arrives_once_the_ram_role_may_write(emulator_url):
    source, destination = unique_name("osssrc"), unique_name("ossdst")
    role = unique_name("Role")
    create_bucket(emulator_url, "oss", source)
    create_bucket(emulator_url, "oss", destination)
    put_object(emulator_url, "oss", source, "logs/one.txt", b"one")
    bucket = oss2.Bucket(auth("v4"), emulator_url, source, region=REGION)
    bucket.put_bucket_inventory_configuration(
        InventoryConfiguration(
            inventory_id="daily",
            is_enabled=True,
            included_object_versions="Current",
            inventory_filter=InventoryFilter(prefix="logs/"),
            inventory_schedule=InventorySchedule(frequency="Daily"),
            optional_fields=["Size"],
            inventory_destination=InventoryDestination(
                bucket_destination=InventoryBucketDestination(
                    account_id=UID,
                    role_arn="acs:ram::%s:role/%s" % (UID, role),
                    bucket=destination,
                    inventory_format="CSV",
                    prefix="reports",
                )
            ),
        )
    )
    advance_clock(emulator_url, 86400)
    allow_role(emulator_url, "oss", UID, role)
    advance_clock(emulator_url, 86400)

    mine = [d for d in deliveries(emulator_url) if d["sourceBucket"] == source]
    assert [d["delivered"] for d in mine] == [False, True]
    dest = oss2.Bucket(auth("v1"), emulator_url, destination, region=REGION)
    prefix = "reports/%s/daily/" % source
    folders = [p for p in dest.list_objects(prefix=prefix, delimiter="/").prefix_list if p != prefix + "data/"]
    assert len(folders) == 1 and folders[0].endswith("T00-00Z/")
    manifest = dest.get_object(folders[0] + "manifest.json").read()
    checksum = dest.get_object(folders[0] + "manifest.checksum").read()
    assert checksum.decode() == hashlib.md5(manifest).hexdigest()
    document = json.loads(manifest)
    assert document["sourceBucket"] == source
    data = dest.get_object(document["files"][0]["key"]).read()
    assert hashlib.md5(data).hexdigest() == document["files"][0]["MD5checksum"]
    assert gzip.decompress(data).decode().count("\n") == 1
