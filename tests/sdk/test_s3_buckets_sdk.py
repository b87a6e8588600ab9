"""boto3 / botocore (1.44.8) against the emulator's S3 bucket listing and bucket tags:
`list_buckets` and its paginator (MaxBuckets, Prefix, BucketRegion, ContinuationToken),
`put_bucket_tagging` (with the checksum botocore adds), `get_bucket_tagging` and
`delete_bucket_tagging`."""

import pytest
from botocore.exceptions import ClientError

from conftest import create_bucket, unique_name
from test_s3_sdk import make_client


@pytest.fixture
def s3(emulator_url):
    return make_client(emulator_url)


@pytest.fixture
def fleet(emulator_url):
    """Seven buckets under one unique prefix: four in eu-west-1, three in us-east-1."""
    prefix = unique_name("fleet") + "-"
    names = {}
    for i in range(7):
        region = "eu-west-1" if i < 4 else "us-east-1"
        name = "%s%02d" % (prefix, i)
        create_bucket(emulator_url, "s3", name, region=region)
        names[name] = region
    return prefix, names


def test_the_paginator_lists_every_bucket_once_with_its_region(s3, fleet):
    prefix, names = fleet
    pages = s3.get_paginator("list_buckets").paginate(
        Prefix=prefix, PaginationConfig={"PageSize": 3}
    )
    seen, sizes = [], []
    for page in pages:
        sizes.append(len(page["Buckets"]))
        assert page["Prefix"] == prefix
        assert page["Owner"]["ID"]
        for bucket in page["Buckets"]:
            assert bucket["BucketRegion"] == names[bucket["Name"]]
            assert bucket["CreationDate"].year >= 2024
            seen.append(bucket["Name"])
    assert sizes == [3, 3, 1]
    assert seen == sorted(names)


def test_bucket_region_filters_and_max_buckets_pages_by_hand(s3, fleet):
    prefix, names = fleet
    first = s3.list_buckets(Prefix=prefix, BucketRegion="eu-west-1", MaxBuckets=3)
    assert [b["Name"] for b in first["Buckets"]] == sorted(names)[:3]
    second = s3.list_buckets(
        Prefix=prefix, BucketRegion="eu-west-1", MaxBuckets=3, ContinuationToken=first["ContinuationToken"]
    )
    assert [b["Name"] for b in second["Buckets"]] == sorted(names)[3:4]
    assert "ContinuationToken" not in second


def test_an_unpaginated_listing_answers_every_bucket_at_once(s3, fleet):
    _, names = fleet
    listed = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert set(names) <= listed
    assert "ContinuationToken" not in s3.list_buckets()


def test_tags_round_trip_and_a_bucket_without_tags_is_no_such_tag_set(s3, emulator_url):
    bucket = unique_name("s3-tags")
    create_bucket(emulator_url, "s3", bucket)
    with pytest.raises(ClientError) as missing:
        s3.get_bucket_tagging(Bucket=bucket)
    assert missing.value.response["Error"]["Code"] == "NoSuchTagSet"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    tags = [{"Key": "team", "Value": "data"}, {"Key": "env", "Value": ""}]
    put = s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 204
    got = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert sorted(got, key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])
    deleted = s3.delete_bucket_tagging(Bucket=bucket)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError):
        s3.get_bucket_tagging(Bucket=bucket)


def test_more_than_fifty_tags_are_invalid_tag(s3, emulator_url):
    bucket = unique_name("s3-tags")
    create_bucket(emulator_url, "s3", bucket)
    tags = [{"Key": "k%d" % i, "Value": "v"} for i in range(51)]
    with pytest.raises(ClientError) as refused:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert refused.value.response["Error"]["Code"] == "InvalidTag"


def test_tags_set_through_the_admin_api_are_served(s3, emulator_url):
    bucket = unique_name("s3-tags")
    create_bucket(emulator_url, "s3", bucket, tags={"owner": "platform"})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "owner", "Value": "platform"}]
