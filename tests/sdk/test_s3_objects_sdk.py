"""boto3 / botocore (1.44.8) against the emulator's S3 objects, bucket policy and report
delivery: `put/get/delete_bucket_policy` and `NoSuchBucketPolicy`, `list_objects` and
`list_objects_v2` with small pages and a delimiter, their paginators, `get_object` and
`NoSuchKey`; after the clock advances, the report's manifest at the documented path with its
`manifest.checksum`."""

import hashlib
import json

import pytest
from botocore.exceptions import ClientError

from conftest import S3_ACCOUNT_ID, advance_clock, create_bucket, deliveries, put_object, unique_name
from test_s3_sdk import configuration, make_client

KEYS = ["a/1", "a/2", "b", "c/x/y", "d"]


@pytest.fixture
def s3(emulator_url):
    return make_client(emulator_url)


@pytest.fixture
def planted(emulator_url):
    bucket = unique_name("s3-objs")
    create_bucket(emulator_url, "s3", bucket)
    for key in KEYS:
        put_object(emulator_url, "s3", bucket, key, key.encode())
    return bucket


def test_bucket_policy_round_trips_and_a_bucket_without_one_is_no_such_bucket_policy(s3, planted):
    with pytest.raises(ClientError) as missing:
        s3.get_bucket_policy(Bucket=planted)
    assert missing.value.response["Error"]["Code"] == "NoSuchBucketPolicy"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    put = s3.put_bucket_policy(Bucket=planted, Policy=policy)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_policy(Bucket=planted)["Policy"] == policy
    s3.delete_bucket_policy(Bucket=planted)
    with pytest.raises(ClientError):
        s3.get_bucket_policy(Bucket=planted)


def test_list_objects_pages_with_small_max_keys_and_rolls_up_by_delimiter(s3, planted):
    first = s3.list_objects(Bucket=planted, MaxKeys=2)
    assert [o["Key"] for o in first["Contents"]] == ["a/1", "a/2"]
    assert first["IsTruncated"]
    rest = s3.list_objects(Bucket=planted, Marker="a/2")
    assert [o["Key"] for o in rest["Contents"]] == ["b", "c/x/y", "d"]
    rolled = s3.list_objects(Bucket=planted, Delimiter="/")
    assert [o["Key"] for o in rolled["Contents"]] == ["b", "d"]
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["a/", "c/"]
    keys = [o["Key"] for page in s3.get_paginator("list_objects").paginate(
        Bucket=planted, PaginationConfig={"PageSize": 2}) for o in page.get("Contents", [])]
    assert keys == KEYS


def test_list_objects_v2_pages_by_token_and_starts_after(s3, planted):
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket=planted, PaginationConfig={"PageSize": 2}))
    assert [len(p["Contents"]) for p in pages] == [2, 2, 1]
    assert [p["KeyCount"] for p in pages] == [2, 2, 1]
    after = s3.list_objects_v2(Bucket=planted, StartAfter="b", Prefix="", Delimiter="/")
    assert [o["Key"] for o in after["Contents"]] == ["d"]
    assert [p["Prefix"] for p in after["CommonPrefixes"]] == ["c/"]


def test_get_object_returns_the_bytes_and_a_missing_key_is_no_such_key(s3, planted):
    got = s3.get_object(Bucket=planted, Key="c/x/y")
    assert got["Body"].read() == b"c/x/y"
    assert got["ETag"] == '"%s"' % hashlib.md5(b"c/x/y").hexdigest()
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket=planted, Key="nope")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


def test_a_report_arrives_at_the_documented_path_once_the_policy_grants_it(s3, emulator_url):
    source, destination = unique_name("s3-src"), unique_name("s3-dst")
    create_bucket(emulator_url, "s3", source)
    create_bucket(emulator_url, "s3", destination)
    put_object(emulator_url, "s3", source, "logs/one.txt", b"one")
    s3.put_bucket_inventory_configuration(
        Bucket=source,
        Id="daily",
        InventoryConfiguration=configuration(
            "daily", destination="arn:aws:s3:::" + destination, Schedule={"Frequency": "Daily"}
        ),
    )
    advance_clock(emulator_url, 86400)
    assert s3.list_objects_v2(Bucket=destination)["KeyCount"] == 0
    statement = {
        "Sid": "InventoryExamplePolicy",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": ["arn:aws:s3:::%s/*" % destination],
        "Condition": {
            "ArnLike": {"aws:SourceArn": "arn:aws:s3:::" + source},
            "StringEquals": {"aws:SourceAccount": S3_ACCOUNT_ID, "s3:x-amz-acl": "bucket-owner-full-control"},
        },
    }
    s3.put_bucket_policy(Bucket=destination, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    advance_clock(emulator_url, 86400)

    mine = [d for d in deliveries(emulator_url) if d["sourceBucket"] == source]
    assert [d["delivered"] for d in mine] == [False, True]
    prefix = "inventory/%s/daily/" % source
    folders = s3.list_objects_v2(Bucket=destination, Prefix=prefix, Delimiter="/")["CommonPrefixes"]
    stamps = sorted(p["Prefix"] for p in folders if p["Prefix"] != prefix + "data/")
    assert len(stamps) == 1 and stamps[0].endswith("T00-00Z/")
    manifest = s3.get_object(Bucket=destination, Key=stamps[0] + "manifest.json")["Body"].read()
    checksum = s3.get_object(Bucket=destination, Key=stamps[0] + "manifest.checksum")["Body"].read()
    assert checksum.decode() == hashlib.md5(manifest).hexdigest()
    document = json.loads(manifest)
    assert document["sourceBucket"] == source
    assert document["destinationBucket"] == "arn:aws:s3:::" + destination
    data = s3.get_object(Bucket=destination, Key=document["files"][0]["key"])["Body"].read()
    assert hashlib.md5(data).hexdigest() == document["files"][0]["MD5checksum"]
