"""oss2 (2.19.1, V1 and V4 signatures) and alibabacloud-oss-v2 (1.4.1, V1 and V4, path style)
against the emulator: the OSS inventory API as the official SDKs speak it."""

import alibabacloud_oss_v2 as ossv2
import oss2
import pytest
from oss2.models import (
    InventoryBucketDestination,
    InventoryConfiguration,
    InventoryDestination,
    InventoryFilter,
    InventorySchedule,
    InventoryServerSideEncryptionOSS,
)

from conftest import OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, unique_name

REGION = "cn-hangzhou"
FIELDS = ["Size", "LastModifiedDate", "ETag", "StorageClass"]


class ServiceFailure(Exception):
    """An SDK's service error, reduced to what every SDK reports."""

    def __init__(self, status, code, request_id, ec):
        super().__init__("%s %s" % (status, code))
        self.status, self.code, self.request_id, self.ec = status, code, request_id, ec


class Oss2Client:
    """oss2 with `oss2.Auth` (V1) or `oss2.AuthV4`; an IP endpoint makes it use path style."""

    def __init__(self, url, version, key_id=OSS_ACCESS_KEY_ID, secret=OSS_ACCESS_KEY_SECRET, token=None):
        self.url = url
        if token is not None:
            self.auth = oss2.StsAuth(key_id, secret, token, auth_version=version)
        elif version == "v1":
            self.auth = oss2.Auth(key_id, secret)
        else:
            self.auth = oss2.AuthV4(key_id, secret)

    def _bucket(self, name):
        return oss2.Bucket(self.auth, self.url, name, region=REGION)

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except oss2.exceptions.ServerError as e:
            raise ServiceFailure(e.status, e.code, e.request_id, getattr(e, "ec", None)) from e

    def put(self, bucket, id_, prefix="logs/", enabled=True):
        config = InventoryConfiguration(
            inventory_id=id_,
            is_enabled=enabled,
            included_object_versions="All",
            inventory_filter=InventoryFilter(prefix=prefix, storage_class="Standard,IA"),
            inventory_schedule=InventorySchedule(frequency="Daily"),
            optional_fields=list(FIELDS),
            inventory_destination=InventoryDestination(
                bucket_destination=InventoryBucketDestination(
                    account_id="1000000000000000",
                    role_arn="acs:ram::1000000000000000:role/AliyunOSSRole",
                    bucket="dest-bucket",
                    inventory_format="CSV",
                    prefix="reports/",
                    sse_oss_encryption=InventoryServerSideEncryptionOSS(),
                )
            ),
        )
        self._call(self._bucket(bucket).put_bucket_inventory_configuration, config)

    def get(self, bucket, id_):
        r = self._call(self._bucket(bucket).get_bucket_inventory_configuration, id_)
        dest = r.inventory_destination.bucket_destination
        return {
            "id": r.inventory_id,
            "enabled": r.is_enabled,
            "prefix": r.inventory_filter.prefix,
            "storage_class": r.inventory_filter.storage_class,
            "fields": r.optional_fields,
            "dest_bucket": "acs:oss:::" + dest.bucket,
            "frequency": r.inventory_schedule.frequency,
        }

    def list_page(self, bucket, token):
        r = self._call(self._bucket(bucket).list_bucket_inventory_configurations, token)
        return [c.inventory_id for c in r.inventory_configurations], r.is_truncated, r.next_continuation_token

    def delete(self, bucket, id_):
        self._call(self._bucket(bucket).delete_bucket_inventory_configuration, id_)


class V2Client:
    """alibabacloud-oss-v2 with an explicit `http://127.0.0.1:PORT` endpoint and path style."""

    def __init__(self, url, version, key_id=OSS_ACCESS_KEY_ID, secret=OSS_ACCESS_KEY_SECRET, token=None):
        cfg = ossv2.config.load_default()
        cfg.credentials_provider = ossv2.credentials.StaticCredentialsProvider(key_id, secret, token)
        cfg.region = REGION
        cfg.endpoint = url
        cfg.use_path_style = True
        cfg.signature_version = version
        cfg.retry_max_attempts = 1
        self.client = ossv2.Client(cfg)

    def _call(self, fn, request):
        try:
            return fn(request)
        except ossv2.exceptions.OperationError as e:
            inner = e.unwrap()
            if isinstance(inner, ossv2.exceptions.ServiceError):
                raise ServiceFailure(inner.status_code, inner.code, inner.request_id, inner.ec) from e
            raise

    def put(self, bucket, id_, prefix="logs/", enabled=True):
        config = ossv2.InventoryConfiguration(
            id=id_,
            is_enabled=enabled,
            included_object_versions="All",
            filter=ossv2.InventoryFilter(prefix=prefix, storage_class="Standard,IA"),
            schedule=ossv2.InventorySchedule(frequency="Daily"),
            optional_fields=ossv2.OptionalFields(fields=list(FIELDS)),
            destination=ossv2.InventoryDestination(
                oss_bucket_destination=ossv2.InventoryOSSBucketDestination(
                    format="CSV",
                    account_id="1000000000000000",
                    role_arn="acs:ram::1000000000000000:role/AliyunOSSRole",
                    bucket="acs:oss:::dest-bucket",
                    prefix="reports/",
                    encryption=ossv2.InventoryEncryption(sse_oss=""),
                )
            ),
        )
        self._call(
            self.client.put_bucket_inventory,
            ossv2.PutBucketInventoryRequest(bucket=bucket, inventory_id=id_, inventory_configuration=config),
        )

    def get(self, bucket, id_):
        r = self._call(
            self.client.get_bucket_inventory, ossv2.GetBucketInventoryRequest(bucket=bucket, inventory_id=id_)
        ).inventory_configuration
        return {
            "id": r.id,
            "enabled": r.is_enabled,
            "prefix": r.filter.prefix,
            "storage_class": r.filter.storage_class,
            "fields": list(r.optional_fields.fields),
            "dest_bucket": r.destination.oss_bucket_destination.bucket,
            "frequency": r.schedule.frequency,
        }

    def list_page(self, bucket, token):
        r = self._call(
            self.client.list_bucket_inventory,
            ossv2.ListBucketInventoryRequest(bucket=bucket, continuation_token=token),
        ).list_inventory_configurations_result
        ids = [c.id for c in (r.inventory_configurations or [])]
        return ids, r.is_truncated, r.next_continuation_token

    def delete(self, bucket, id_):
        self._call(
            self.client.delete_bucket_inventory,
            ossv2.DeleteBucketInventoryRequest(bucket=bucket, inventory_id=id_),
        )


SDKS = {
    "oss2-v1": lambda url, **kw: Oss2Client(url, "v1", **kw),
    "oss2-v4": lambda url, **kw: Oss2Client(url, "v4", **kw),
    "ossv2-v1": lambda url, **kw: V2Client(url, "v1", **kw),
    "ossv2-v4": lambda url, **kw: V2Client(url, "v4", **kw),
}


@pytest.fixture(params=sorted(SDKS))
def make(request, emulator_url):
    return lambda **kw: SDKS[request.param](emulator_url, **kw)


@pytest.fixture
def client(make):
    return make()


@pytest.fixture
def bucket():
    return unique_name("oss-sdk")


def list_all(client, bucket):
    ids, pages, token = [], [], None
    while True:
        page, truncated, token = client.list_page(bucket, token)
        ids.extend(page)
        pages.append(len(page))
        if not truncated:
            assert token is None
            return ids, pages
        assert token


def test_put_then_get_returns_the_configuration(client, bucket):
    client.put(bucket, "report1")
    got = client.get(bucket, "report1")
    assert got["id"] == "report1"
    assert got["enabled"] is True
    assert got["prefix"] == "logs/"
    assert got["fields"] == FIELDS
    assert got["dest_bucket"] == "acs:oss:::dest-bucket"
    assert got["frequency"] == "Daily"
    assert set(got["storage_class"].split(",")) == {"Standard", "IA"}


def test_put_of_an_existing_id_is_refused_with_409(client, bucket):
    client.put(bucket, "report1")
    with pytest.raises(ServiceFailure) as err:
        client.put(bucket, "report1", prefix="other/")
    assert err.value.status == 409
    assert err.value.code == "InventoryConfigurationAlreadyExists"
    assert client.get(bucket, "report1")["prefix"] == "logs/"


def test_list_pages_through_120_configurations(client, bucket):
    expected = sorted("inv-%03d" % i for i in range(120))
    for id_ in reversed(expected):
        client.put(bucket, id_)
    ids, pages = list_all(client, bucket)
    assert ids == expected
    assert pages == [100, 20]


def test_list_of_a_bucket_without_configurations_is_no_such_inventory(client, bucket):
    with pytest.raises(ServiceFailure) as err:
        client.list_page(bucket, None)
    assert err.value.status == 404
    assert err.value.code == "NoSuchInventory"
    assert len(err.value.request_id) == 24


def test_delete_removes_the_configuration_and_get_then_answers_404(client, bucket):
    client.put(bucket, "gone")
    client.delete(bucket, "gone")
    with pytest.raises(ServiceFailure) as err:
        client.get(bucket, "gone")
    assert err.value.status == 404
    assert err.value.code == "NoSuchInventory"


def test_a_wrong_secret_is_rejected_with_signature_does_not_match(make, bucket):
    bad = make(secret="not-the-right-secret")
    with pytest.raises(ServiceFailure) as err:
        bad.put(bucket, "x")
    assert err.value.status == 403
    assert err.value.code == "SignatureDoesNotMatch"
    assert err.value.ec


def test_an_unknown_access_key_is_rejected_with_invalid_access_key_id(make, bucket):
    bad = make(key_id="LTAInobodyKnowsThisOne")
    with pytest.raises(ServiceFailure) as err:
        bad.get(bucket, "x")
    assert err.value.status == 403
    assert err.value.code == "InvalidAccessKeyId"


def test_temporary_credentials_with_a_security_token_are_accepted(make, bucket):
    sts = make(token="STS.EXAMPLE/token+value=")
    sts.put(bucket, "sts1")
    assert sts.get(bucket, "sts1")["id"] == "sts1"
    sts.delete(bucket, "sts1")


# The 2026 model (Monthly, Once, IncrementalInventory, the newest optional fields) exists only in
# alibabacloud-oss-v2; the shapes below follow its integration test
# (aliyun/alibabacloud-oss-python-sdk-v2: tests/integration/test_bucket_inventory_client.py).
NEW_FIELDS = ["Size", "TransitionTime", "ObjectAcl", "TaggingCount", "ObjectType", "Crc64"]
INCREMENTAL_FIELDS = ["SequenceNumber", "RecordType", "RecordTimestamp", "Requester", "SourceIp", "Crc64"]


@pytest.fixture(params=["v1", "v4"])
def v2(request, emulator_url):
    return V2Client(emulator_url, request.param)


def v2_put(v2, bucket, id_, schedule, incremental=None, fields=NEW_FIELDS):
    config = ossv2.InventoryConfiguration(
        id=id_,
        is_enabled=True,
        included_object_versions="Current",
        schedule=schedule,
        optional_fields=ossv2.OptionalFields(fields=list(fields)),
        incremental_inventory=incremental,
        destination=ossv2.InventoryDestination(
            oss_bucket_destination=ossv2.InventoryOSSBucketDestination(
                format="CSV",
                account_id="1000000000000000",
                role_arn="acs:ram::1000000000000000:role/AliyunOSSRole",
                bucket="acs:oss:::dest-bucket",
            )
        ),
    )
    v2._call(
        v2.client.put_bucket_inventory,
        ossv2.PutBucketInventoryRequest(bucket=bucket, inventory_id=id_, inventory_configuration=config),
    )


def v2_get(v2, bucket, id_):
    return v2._call(
        v2.client.get_bucket_inventory, ossv2.GetBucketInventoryRequest(bucket=bucket, inventory_id=id_)
    ).inventory_configuration


def test_a_monthly_inventory_round_trips_with_its_day_and_the_newest_fields(v2, bucket):
    v2_put(v2, bucket, "monthly", ossv2.InventorySchedule(frequency="Monthly", day_of_month=3))
    got = v2_get(v2, bucket, "monthly")
    assert got.schedule.frequency == "Monthly"
    assert got.schedule.day_of_month == 3
    assert list(got.optional_fields.fields) == NEW_FIELDS


def test_a_once_inventory_round_trips_with_auto_delete(v2, bucket):
    v2_put(v2, bucket, "once", ossv2.InventorySchedule(frequency="Once", auto_delete=True))
    got = v2_get(v2, bucket, "once")
    assert got.schedule.frequency == "Once"
    assert got.schedule.auto_delete is True


def test_an_incremental_inventory_round_trips(v2, bucket):
    incremental = ossv2.IncrementalInventory(
        is_enabled=True,
        schedule=ossv2.IncrementInventorySchedule(frequency=600),
        optional_fields=ossv2.OptionalFields(fields=list(INCREMENTAL_FIELDS)),
    )
    v2_put(v2, bucket, "incremental", ossv2.InventorySchedule(frequency="Daily"), incremental=incremental)
    got = v2_get(v2, bucket, "incremental").incremental_inventory
    assert got.is_enabled is True
    assert got.schedule.frequency == 600
    assert list(got.optional_fields.fields) == INCREMENTAL_FIELDS


def test_an_unknown_frequency_or_field_is_refused_with_400(v2, bucket):
    with pytest.raises(ServiceFailure) as err:
        v2_put(v2, bucket, "hourly", ossv2.InventorySchedule(frequency="Hourly"))
    assert err.value.status == 400
    with pytest.raises(ServiceFailure) as err:
        v2_put(v2, bucket, "bad-field", ossv2.InventorySchedule(frequency="Daily"), fields=["Size", "Nope"])
    assert err.value.status == 400
