"""cos-python-sdk-v5 (1.9.44) against the emulator's COS objects, bucket policy and report
delivery: `put/get/delete_bucket_policy` and the "no policy" error, `list_objects` with small
pages (`Marker`, `NextMarker`) and a delimiter, `get_object` and `NoSuchKey`; after the clock
advances, the report's manifest at `prefix/appid/bucket/id/YYYYMMDD/` with its checksum."""

import hashlib
import json

import pytest
from qcloud_cos.cos_exception import CosServiceError

from conftest import advance_clock, create_bucket, deliveries, put_object, unique_name
from test_cos_sdk import APPID, inventory, make_client

KEYS = ["a/1", "a/2", "b", "c/x/y", "d"]


@pytest.fixture
def client(emulator_port):
    return make_client(emulator_port)


@pytest.fixture
def planted(emulator_url):
    bucket = "%s-%s" % (unique_name("cosobjs"), APPID)
    create_bucket(emulator_url, "cos", bucket, region="ap-guangzhou")
    for key in KEYS:
        put_object(emulator_url, "cos", bucket, key, key.encode())
    return bucket


def test_bucket_policy_round_trips_and_a_bucket_without_one_is_404(client, planted):
    with pytest.raises(CosServiceError) as missing:
        client.get_bucket_policy(Bucket=planted)
    assert missing.value.get_status_code() == 404
    assert missing.value.get_error_code() == "NoSuchBucketPolicy"
    policy = {
        "Statement": [
            {
                "Principal": {"qcs": ["qcs::cam::uin/100000000001:uin/100000000011"]},
                "Effect": "allow",
                "Action": ["name/cos:GetBucket"],
                "Resource": ["qcs::cos:ap-guangzhou:uid/%s:%s/*" % (APPID, planted)],
            }
        ],
        "version": "2.0",
    }
    client.put_bucket_policy(Bucket=planted, Policy=policy)
    assert json.loads(client.get_bucket_policy(Bucket=planted)["Policy"]) == policy
    client.delete_bucket_policy(Bucket=planted)
    with pytest.raises(CosServiceError):
        client.get_bucket_policy(Bucket=planted)


def test_list_objects_pages_by_marker_and_rolls_up_by_delimiter(client, planted):
    keys, marker, pages = [], "", 0
    while True:
        page = client.list_objects(Bucket=planted, MaxKeys=2, Marker=marker)
        pages += 1
        keys.extend(o["Key"] for o in page.get("Contents", []))
        if page["IsTruncated"] != "true":
            break
        marker = page["NextMarker"]
    assert (keys, pages) == (KEYS, 3)
    rolled = client.list_objects(Bucket=planted, Delimiter="/")
    assert [o["Key"] for o in rolled["Contents"]] == ["b", "d"]
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["a/", "c/"]


def test_get_object_returns_the_bytes_and_a_missing_key_is_no_such_key(client, planted):
    got = client.get_object(Bucket=planted, Key="c/x/y")
    assert got["Body"].get_raw_stream().read() == b"c/x/y"
    with pytest.raises(CosServiceError) as missing:
        client.get_object(Bucket=planted, Key="nope")
    assert (missing.value.get_status_code(), missing.value.get_error_code()) == (404, "NoSuchKey")


def test_a_report_arrives_in_the_appid_layout_once_the_policy_allows_it(client, emulator_url):
    source = "%s-%s" % (unique_name("cossrc"), APPID)
    destination = "%s-%s" % (unique_name("cosdst"), APPID)
    create_bucket(emulator_url, "cos", source, region="ap-guangzhou")
    create_bucket(emulator_url, "cos", destination, region="ap-guangzhou")
    put_object(emulator_url, "cos", source, "logs/one.txt", b"one")
    config = inventory("daily")
    config["Destination"]["COSBucketDestination"]["Bucket"] = "qcs::cos:ap-guangzhou::" + destination
    client.put_bucket_inventory(Bucket=source, Id="daily", InventoryConfiguration=config)
    advance_clock(emulator_url, 86400)
    assert "Contents" not in client.list_objects(Bucket=destination)
    policy = {
        "Statement": [
            {
                "Principal": {"qcs": ["qcs::cam::uin/100000000001:service/cos"]},
                "Effect": "allow",
                "Action": ["name/cos:PutObject"],
                "Resource": ["qcs::cos:ap-guangzhou:uid/%s:%s/*" % (APPID, destination)],
            }
        ],
        "version": "2.0",
    }
    client.put_bucket_policy(Bucket=destination, Policy=policy)
    advance_clock(emulator_url, 86400)

    mine = [d for d in deliveries(emulator_url) if d["sourceBucket"] == source]
    assert [d["delivered"] for d in mine] == [False, True]
    name = source[: -len(APPID) - 1]
    prefix = "list1/%s/%s/daily/" % (APPID, name)
    folders = client.list_objects(Bucket=destination, Prefix=prefix, Delimiter="/")["CommonPrefixes"]
    assert len(folders) == 1 and len(folders[0]["Prefix"]) == len(prefix) + 9
    folder = folders[0]["Prefix"]
    manifest = client.get_object(Bucket=destination, Key=folder + "manifest.json")["Body"].get_raw_stream().read()
    checksum = client.get_object(Bucket=destination, Key=folder + "manifest.checksum")["Body"].get_raw_stream().read()
    assert checksum.decode() == hashlib.md5(manifest).hexdigest()
    document = json.loads(manifest)
    assert (document["sourceAppid"], document["sourceBucket"]) == (APPID, name)
    data_key = document["files"][0]["key"]
    data = client.get_object(Bucket=destination, Key=data_key)["Body"].get_raw_stream().read()
    assert hashlib.md5(data).hexdigest() == document["files"][0]["md5Checksum"]
    assert str(len(data)) == document["files"][0]["size"]
