"""cos-python-sdk-v5 (1.9.44) against the emulator: the COS inventory API as the official SDK
speaks it, including its signature (host signed without the port) and its parsers."""

import pytest
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError

from conftest import COS_SECRET_ID, COS_SECRET_KEY, unique_name

APPID = "1250000000"


def make_client(port, secret_id=COS_SECRET_ID, secret_key=COS_SECRET_KEY, token=None):
    config = CosConfig(
        Region="ap-guangzhou",
        SecretId=secret_id,
        SecretKey=secret_key,
        Token=token,
        Scheme="http",
        IP="127.0.0.1",
        Port=port,
    )
    return CosS3Client(config, retry=0)


@pytest.fixture
def client(emulator_port):
    return make_client(emulator_port)


@pytest.fixture
def bucket():
    return "%s-%s" % (unique_name("cos-sdk"), APPID)


def inventory(id_, prefix="logs/", enabled="True"):
    """The configuration shape of the SDK's own docstring example."""
    return {
        "Id": id_,
        "Destination": {
            "COSBucketDestination": {
                "AccountId": "100000000001",
                "Bucket": "qcs::cos:ap-guangzhou::dest-1250000000",
                "Format": "CSV",
                "Prefix": "list1",
                "Encryption": {"SSECOS": {}},
            }
        },
        "IsEnabled": enabled,
        "Filter": {"Prefix": prefix},
        "IncludedObjectVersions": "All",
        "OptionalFields": {"Field": ["Size", "LastModifiedDate", "ETag", "StorageClass"]},
        "Schedule": {"Frequency": "Daily"},
    }


def list_all(client, bucket):
    """Every configuration id, following pages the way the SDK's docstring does."""
    ids, pages, token = [], [], ""
    while True:
        resp = client.list_bucket_inventory_configurations(Bucket=bucket, ContinuationToken=token)
        items = resp.get("InventoryConfiguration", [])
        if isinstance(items, dict):
            items = [items]
        pages.append(len(items))
        ids.extend(item["Id"] for item in items)
        if resp["IsTruncated"] == "true":
            token = resp["NextContinuationToken"]
        else:
            assert resp["IsTruncated"] == "false"
            assert "NextContinuationToken" not in resp
            return ids, pages


def test_put_then_get_returns_the_configuration_with_lowercase_is_enabled(client, bucket):
    client.put_bucket_inventory(Bucket=bucket, Id="list1", InventoryConfiguration=inventory("list1"))
    got = client.get_bucket_inventory(Bucket=bucket, Id="list1")
    assert got["Id"] == "list1"
    assert got["IsEnabled"] == "true"
    assert got["Filter"] == {"Prefix": "logs/"}
    assert got["OptionalFields"]["Field"] == ["Size", "LastModifiedDate", "ETag", "StorageClass"]
    destination = got["Destination"]["COSBucketDestination"]
    assert destination["AccountId"] == "100000000001"
    assert destination["Bucket"] == "qcs::cos:ap-guangzhou::dest-1250000000"
    assert got["Schedule"]["Frequency"] == "Daily"


def test_put_of_an_existing_id_replaces_it(client, bucket):
    client.put_bucket_inventory(Bucket=bucket, Id="list1", InventoryConfiguration=inventory("list1"))
    client.put_bucket_inventory(
        Bucket=bucket, Id="list1", InventoryConfiguration=inventory("list1", prefix="other/", enabled="false")
    )
    got = client.get_bucket_inventory(Bucket=bucket, Id="list1")
    assert got["Filter"]["Prefix"] == "other/"
    assert got["IsEnabled"] == "false"
    assert list_all(client, bucket)[0] == ["list1"]


def test_list_pages_through_150_configurations_in_creation_order(client, bucket):
    expected = ["ID-%d" % i for i in range(150)]
    for id_ in expected:
        client.put_bucket_inventory(Bucket=bucket, Id=id_, InventoryConfiguration=inventory(id_))
    ids, pages = list_all(client, bucket)
    assert ids == expected
    assert pages == [100, 50]


def test_list_of_a_bucket_without_configurations_is_empty_not_an_error(client, bucket):
    resp = client.list_bucket_inventory_configurations(Bucket=bucket)
    assert resp["IsTruncated"] == "false"
    assert "InventoryConfiguration" not in resp


def test_delete_removes_the_configuration_and_get_then_answers_404(client, bucket):
    client.put_bucket_inventory(Bucket=bucket, Id="gone", InventoryConfiguration=inventory("gone"))
    client.delete_bucket_inventory(Bucket=bucket, Id="gone")
    with pytest.raises(CosServiceError) as err:
        client.get_bucket_inventory(Bucket=bucket, Id="gone")
    assert err.value.get_status_code() == 404
    assert err.value.get_error_code() == "InventoryConfigurationNotFoundError"
    assert err.value.get_request_id()
    assert err.value.get_trace_id()


def test_a_wrong_secret_key_is_rejected_with_signature_does_not_match(emulator_port, bucket):
    bad = make_client(emulator_port, secret_key="not-the-right-key")
    with pytest.raises(CosServiceError) as err:
        bad.list_bucket_inventory_configurations(Bucket=bucket)
    assert err.value.get_status_code() == 403
    assert err.value.get_error_code() == "SignatureDoesNotMatch"
    assert err.value.get_request_id()


def test_an_unknown_secret_id_is_rejected_with_invalid_access_key_id(emulator_port, bucket):
    bad = make_client(emulator_port, secret_id="AKIDnobodyKnowsThisOne")
    with pytest.raises(CosServiceError) as err:
        bad.get_bucket_inventory(Bucket=bucket, Id="x")
    assert err.value.get_status_code() == 403
    assert err.value.get_error_code() == "InvalidAccessKeyId"


def test_temporary_credentials_send_a_security_token_that_is_accepted(emulator_port, bucket):
    with_token = make_client(emulator_port, token="EXAMPLETOKEN/abc+def=")
    with_token.put_bucket_inventory(Bucket=bucket, Id="tok", InventoryConfiguration=inventory("tok"))
    with_token.delete_bucket_inventory(Bucket=bucket, Id="tok")


def test_requests_are_counted_by_operation_and_status(client, bucket, stats):
    before = stats()
    client.put_bucket_inventory(Bucket=bucket, Id="c1", InventoryConfiguration=inventory("c1"))
    client.get_bucket_inventory(Bucket=bucket, Id="c1")
    client.delete_bucket_inventory(Bucket=bucket, Id="c1")
    after = stats()

    def delta(key):
        return after.get(key, 0) - before.get(key, 0)

    assert delta(("cos", "put", 200)) == 1
    assert delta(("cos", "get", 200)) == 1
    assert delta(("cos", "delete", 204)) == 1
