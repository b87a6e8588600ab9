"""boto3 / botocore (1.44.8, SigV4, path-style addressing) against the emulator: the S3 bucket
inventory API as the official AWS SDK for Python speaks it."""

import os

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import (
    S3_ACCESS_KEY_ID,
    S3_ACCOUNT_ID,
    S3_REGION,
    S3_SECRET_ACCESS_KEY,
    running_emulator,
    unique_name,
)

FIELDS = ["Size", "LastModifiedDate", "StorageClass", "ETag", "ObjectOwner"]


def make_client(url, key=S3_ACCESS_KEY_ID, secret=S3_SECRET_ACCESS_KEY, token=None, region=S3_REGION):
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1, "mode": "standard"}),
    )


@pytest.fixture
def s3(emulator_url):
    return make_client(emulator_url)


@pytest.fixture
def bucket():
    return unique_name("s3-sdk")


def configuration(id_, prefix="logs/", destination="arn:aws:s3:::inventory-reports", **overrides):
    config = {
        "Id": id_,
        "IsEnabled": True,
        "Filter": {"Prefix": prefix},
        "Destination": {
            "S3BucketDestination": {
                "AccountId": S3_ACCOUNT_ID,
                "Bucket": destination,
                "Format": "CSV",
                "Prefix": "inventory",
                "Encryption": {"SSEKMS": {"KeyId": "arn:aws:kms:us-east-1:%s:key/k1" % S3_ACCOUNT_ID}},
            }
        },
        "Schedule": {"Frequency": "Weekly"},
        "IncludedObjectVersions": "Current",
        "OptionalFields": list(FIELDS),
    }
    config.update(overrides)
    return config


def put(s3, bucket, id_, config=None, **kw):
    return s3.put_bucket_inventory_configuration(
        Bucket=bucket, Id=id_, InventoryConfiguration=config or configuration(id_), **kw
    )


def error_of(excinfo):
    err = excinfo.value.response
    return err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Code"], err


def list_all(s3, bucket):
    ids, pages, token = [], [], None
    while True:
        kw = {"ContinuationToken": token} if token else {}
        page = s3.list_bucket_inventory_configurations(Bucket=bucket, **kw)
        if token:
            assert page["ContinuationToken"] == token
        found = [c["Id"] for c in page.get("InventoryConfigurationList", [])]
        ids.extend(found)
        pages.append(len(found))
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            return ids, pages
        token = page["NextContinuationToken"]
        assert token


def test_put_answers_204_and_get_returns_the_configuration(s3, bucket):
    response = put(s3, bucket, "report-1")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    got = s3.get_bucket_inventory_configuration(Bucket=bucket, Id="report-1")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["InventoryConfiguration"] == configuration("report-1")


def test_put_of_an_existing_id_replaces_it(s3, bucket):
    put(s3, bucket, "report-1")
    response = put(s3, bucket, "report-1", configuration("report-1", prefix="other/"))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    got = s3.get_bucket_inventory_configuration(Bucket=bucket, Id="report-1")
    assert got["InventoryConfiguration"]["Filter"] == {"Prefix": "other/"}


def test_list_pages_through_201_configurations_sorted_by_id(s3, bucket, stats):
    expected = sorted("inv-%03d" % i for i in range(201))
    for id_ in reversed(expected):
        put(s3, bucket, id_)
    before = stats().get(("s3", "list", 200), 0)
    ids, pages = list_all(s3, bucket)
    assert ids == expected
    assert pages == [100, 100, 1]
    assert stats()[("s3", "list", 200)] - before == 3


def test_list_of_a_bucket_without_configurations_is_empty_and_not_truncated(s3, bucket):
    page = s3.list_bucket_inventory_configurations(Bucket=bucket)
    assert page["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert page["IsTruncated"] is False
    assert "InventoryConfigurationList" not in page


def test_delete_answers_204_and_get_then_is_no_such_configuration(s3, bucket):
    put(s3, bucket, "gone")
    response = s3.delete_bucket_inventory_configuration(Bucket=bucket, Id="gone")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_inventory_configuration(Bucket=bucket, Id="gone")
    status, code, err = error_of(excinfo)
    assert (status, code) == (404, "NoSuchConfiguration")
    assert err["Error"]["Message"] == "The specified configuration does not exist."
    assert len(err["ResponseMetadata"]["RequestId"]) == 16
    assert err["ResponseMetadata"]["HostId"]


def test_an_id_that_differs_from_the_body_is_id_mismatch(s3, bucket):
    with pytest.raises(ClientError) as excinfo:
        put(s3, bucket, "in-url", configuration("in-body"))
    status, code, err = error_of(excinfo)
    assert (status, code) == (400, "IdMismatch")
    assert err["Error"]["Message"] == "Document ID does not match the specified configuration ID."


def test_a_destination_that_is_not_a_bucket_arn_is_invalid_s3_destination_bucket(s3, bucket):
    with pytest.raises(ClientError) as excinfo:
        put(s3, bucket, "r1", configuration("r1", destination="inventory-reports"))
    assert error_of(excinfo)[:2] == (400, "InvalidS3DestinationBucket")


@pytest.mark.parametrize(
    "change",
    [
        {"Schedule": {"Frequency": "Hourly"}},
        {"IncludedObjectVersions": "Latest"},
        {"OptionalFields": ["Size", "FavouriteColour"]},
        {
            "Destination": {
                "S3BucketDestination": {"Bucket": "arn:aws:s3:::inventory-reports", "Format": "JSON"}
            }
        },
    ],
    ids=["frequency", "object-versions", "optional-field", "format"],
)
def test_a_value_outside_the_model_is_malformed_xml(s3, bucket, change):
    with pytest.raises(ClientError) as excinfo:
        put(s3, bucket, "r1", configuration("r1", **change))
    assert error_of(excinfo)[:2] == (400, "MalformedXML")


def test_the_thousand_and_first_configuration_is_refused(s3, bucket):
    for i in range(1000):
        put(s3, bucket, "c%04d" % i)
    with pytest.raises(ClientError) as excinfo:
        put(s3, bucket, "one-too-many")
    assert error_of(excinfo)[:2] == (400, "TooManyConfigurations")
    assert put(s3, bucket, "c0007")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_an_expected_bucket_owner_of_another_account_is_access_denied(s3, bucket):
    put(s3, bucket, "r1", ExpectedBucketOwner=S3_ACCOUNT_ID)
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_inventory_configuration(Bucket=bucket, Id="r1", ExpectedBucketOwner="999999999999")
    assert error_of(excinfo)[:2] == (403, "AccessDenied")


def test_a_wrong_secret_is_signature_does_not_match(emulator_url, bucket):
    bad = make_client(emulator_url, secret="not-the-right-secret")
    with pytest.raises(ClientError) as excinfo:
        put(bad, bucket, "r1")
    status, code, err = error_of(excinfo)
    assert (status, code) == (403, "SignatureDoesNotMatch")
    assert err["Error"]["StringToSign"].startswith("AWS4-HMAC-SHA256\n")


def test_an_unknown_access_key_is_invalid_access_key_id(emulator_url, bucket):
    bad = make_client(emulator_url, key="AKIANOBODYKNOWSTHIS0")
    with pytest.raises(ClientError) as excinfo:
        bad.list_bucket_inventory_configurations(Bucket=bucket)
    assert error_of(excinfo)[:2] == (403, "InvalidAccessKeyId")


def test_a_wrong_region_is_authorization_header_malformed_naming_the_bucket_region(emulator_url, bucket, stats):
    wrong = make_client(emulator_url, region="eu-west-1")
    # botocore re-signs for the region the error names, as it does against AWS.
    events = []
    wrong.meta.events.register("needs-retry.s3", lambda response, **kw: events.append(response))
    before = stats().get(("s3", "list", 400), 0)
    page = wrong.list_bucket_inventory_configurations(Bucket=bucket)
    assert page["IsTruncated"] is False
    assert stats()[("s3", "list", 400)] - before == 1
    first = events[0][1]
    assert first["Error"]["Code"] == "AuthorizationHeaderMalformed"
    assert first["Error"]["Region"] == S3_REGION


@pytest.fixture(scope="module")
def temporary_emulator_url():
    """An emulator that accepts only a temporary key, with its session token."""
    binary = os.environ.get("INVSYNC_BIN")
    if not binary:
        pytest.skip("needs INVSYNC_BIN to start an emulator with temporary credentials")
    with running_emulator(
        binary,
        AWS_ACCESS_KEY_ID=TEMPORARY_KEY_ID,
        AWS_SECRET_ACCESS_KEY=S3_SECRET_ACCESS_KEY,
        AWS_SESSION_TOKEN=SESSION_TOKEN,
    ) as url:
        yield url


TEMPORARY_KEY_ID = "ASIAINVSYNCSDKTEMP00"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE/token+value=="


def test_a_session_token_is_accepted_and_required(temporary_emulator_url, bucket):
    sts = make_client(temporary_emulator_url, key=TEMPORARY_KEY_ID, token=SESSION_TOKEN)
    put(sts, bucket, "sts1")
    assert sts.get_bucket_inventory_configuration(Bucket=bucket, Id="sts1")["InventoryConfiguration"]["Id"] == "sts1"
    without = make_client(temporary_emulator_url, key=TEMPORARY_KEY_ID)
    with pytest.raises(ClientError) as excinfo:
        without.get_bucket_inventory_configuration(Bucket=bucket, Id="sts1")
    assert error_of(excinfo)[:2] == (403, "InvalidToken")
    wrong = make_client(temporary_emulator_url, key=TEMPORARY_KEY_ID, token="another-token")
    with pytest.raises(ClientError) as excinfo:
        wrong.get_bucket_inventory_configuration(Bucket=bucket, Id="sts1")
    assert error_of(excinfo)[:2] == (403, "InvalidToken")
