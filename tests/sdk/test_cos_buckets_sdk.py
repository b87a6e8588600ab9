"""cos-python-sdk-v5 (1.9.44) against the emulator's COS GET Service and bucket tagging:
`list_buckets` (sent to `ServiceDomain`, here the emulator's address, with `marker` and
`max-keys`), `put_bucket_tagging` (with its Content-MD5), `get_bucket_tagging` and
`delete_bucket_tagging`."""

import pytest
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError

from conftest import COS_SECRET_ID, COS_SECRET_KEY, create_bucket, unique_name
from test_cos_sdk import APPID


@pytest.fixture
def client(emulator_port):
    config = CosConfig(
        Region="ap-guangzhou",
        SecretId=COS_SECRET_ID,
        SecretKey=COS_SECRET_KEY,
        Scheme="http",
        IP="127.0.0.1",
        Port=emulator_port,
        ServiceDomain="127.0.0.1:%d" % emulator_port,
    )
    return CosS3Client(config, retry=0)


def buckets_of(page):
    if page["Buckets"] is None:
        return []
    return page["Buckets"]["Bucket"]


def test_list_buckets_pages_by_marker_and_lists_every_bucket_once(client, emulator_url):
    prefix = unique_name("cosfleet")
    names = {}
    for i in range(5):
        name = "%s-%02d-%s" % (prefix, i, APPID)
        region = "ap-beijing" if i % 2 else "ap-guangzhou"
        create_bucket(emulator_url, "cos", name, region=region)
        names[name] = region
    seen, marker, pages = [], "", 0
    while True:
        page = client.list_buckets(Marker=marker, MaxKeys=2)
        pages += 1
        for bucket in buckets_of(page):
            assert bucket["BucketType"] == "cos"
            assert bucket["CreationDate"]
            if bucket["Name"] in names:
                assert bucket["Location"] == names[bucket["Name"]]
                seen.append(bucket["Name"])
        if page["IsTruncated"] != "true":
            break
        marker = page["NextMarker"]
        assert pages < 1000
    assert seen == sorted(names)
    assert client.list_buckets()["Owner"]["ID"].startswith("qcs::cam::uin/")


def test_list_buckets_filters_by_region(client, emulator_url):
    name = "%s-%s" % (unique_name("cosregion"), APPID)
    create_bucket(emulator_url, "cos", name, region="ap-chengdu")
    listed = buckets_of(client.list_buckets(Region="ap-chengdu"))
    assert name in [b["Name"] for b in listed]
    assert {b["Location"] for b in listed} == {"ap-chengdu"}


def test_tags_round_trip_and_a_bucket_without_tags_is_no_such_tag_set_error(client, emulator_url):
    bucket = "%s-%s" % (unique_name("costags"), APPID)
    create_bucket(emulator_url, "cos", bucket)
    with pytest.raises(CosServiceError) as missing:
        client.get_bucket_tagging(Bucket=bucket)
    assert missing.value.get_status_code() == 404
    assert missing.value.get_error_code() == "NoSuchTagSetError"
    tags = [{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "prod"}]
    client.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": {"Tag": tags}})
    got = client.get_bucket_tagging(Bucket=bucket)["TagSet"]["Tag"]
    assert sorted(got, key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])
    client.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(CosServiceError):
        client.get_bucket_tagging(Bucket=bucket)
