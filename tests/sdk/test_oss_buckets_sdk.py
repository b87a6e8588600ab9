"""oss2 (2.19.1) and alibabacloud-oss-v2 (1.4.1) against the emulator's OSS ListBuckets and
bucket tags: `Service.list_buckets`, `BucketIterator`, the v2 `list_buckets_paginator`,
`put/get/delete_bucket_tagging` (oss2) and `put/get/delete_bucket_tags` (v2), V1 and V4."""

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest
from oss2.models import Tagging, TaggingRule

from conftest import OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, create_bucket, unique_name
from test_oss_sdk import REGION, V2Client


def auth(version):
    if version == "v1":
        return oss2.Auth(OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET)
    return oss2.AuthV4(OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET)


@pytest.fixture
def fleet(emulator_url):
    """Five buckets under one unique prefix, in two regions."""
    prefix = unique_name("ossfleet") + "-"
    names = {}
    for i in range(5):
        region = "cn-beijing" if i % 2 else REGION
        name = "%s%02d" % (prefix, i)
        create_bucket(emulator_url, "oss", name, region=region)
        names[name] = region
    return prefix, names


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_the_oss2_bucket_iterator_lists_every_bucket_once_with_its_region(emulator_url, fleet, version):
    prefix, names = fleet
    service = oss2.Service(auth(version), emulator_url, region=REGION)
    seen = [(b.name, b.region, b.location) for b in oss2.BucketIterator(service, prefix=prefix, max_keys=2)]
    assert seen == [(n, names[n], "oss-" + names[n]) for n in sorted(names)]
    page = service.list_buckets(prefix=prefix, max_keys=2)
    assert page.is_truncated and page.next_marker == sorted(names)[1]
    assert len(page.buckets) == 2


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_the_v2_paginator_lists_every_bucket_once(emulator_url, fleet, version):
    prefix, names = fleet
    client = V2Client(emulator_url, version).client
    paginator = client.list_buckets_paginator(limit=2)
    seen, sizes = [], []
    for page in paginator.iter_page(ossv2.ListBucketsRequest(prefix=prefix)):
        sizes.append(len(page.buckets or []))
        seen.extend((b.name, b.region) for b in page.buckets or [])
    assert sizes == [2, 2, 1]
    assert seen == [(n, names[n]) for n in sorted(names)]


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_oss2_tags_round_trip_and_a_bucket_without_tags_has_an_empty_tag_set(emulator_url, version):
    name = unique_name("osstags")
    create_bucket(emulator_url, "oss", name)
    bucket = oss2.Bucket(auth(version), emulator_url, name, region=REGION)
    assert bucket.get_bucket_tagging().tag_set.tagging_rule == {}
    rule = TaggingRule()
    rule.add("team", "data")
    rule.add("env", "prod")
    assert bucket.put_bucket_tagging(Tagging(rule)).status == 200
    assert bucket.get_bucket_tagging().tag_set.tagging_rule == {"team": "data", "env": "prod"}
    assert bucket.delete_bucket_tagging().status == 204
    assert bucket.get_bucket_tagging().tag_set.tagging_rule == {}


def test_v2_tags_round_trip(emulator_url):
    name = unique_name("osstags")
    create_bucket(emulator_url, "oss", name)
    client = V2Client(emulator_url, "v4").client
    empty = client.get_bucket_tags(ossv2.GetBucketTagsRequest(bucket=name))
    assert empty.tagging is None or not (empty.tagging.tag_set and empty.tagging.tag_set.tags)
    tags = ossv2.TagSet(tags=[ossv2.Tag(key="team", value="data")])
    client.put_bucket_tags(ossv2.PutBucketTagsRequest(bucket=name, tagging=ossv2.models.Tagging(tag_set=tags)))
    got = client.get_bucket_tags(ossv2.GetBucketTagsRequest(bucket=name)).tagging.tag_set.tags
    assert [(t.key, t.value) for t in got] == [("team", "data")]
    client.delete_bucket_tags(ossv2.DeleteBucketTagsRequest(bucket=name))


def test_a_reserved_tag_key_is_refused_with_invalid_tag(emulator_url):
    name = unique_name("osstags")
    create_bucket(emulator_url, "oss", name)
    bucket = oss2.Bucket(auth("v4"), emulator_url, name, region=REGION)
    rule = TaggingRule()
    rule.add("aliyun-owned", "x")
    with pytest.raises(oss2.exceptions.ServerError) as refused:
        bucket.put_bucket_tagging(Tagging(rule))
    assert (refused.value.status, refused.value.code) == (400, "InvalidTag")
