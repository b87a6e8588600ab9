//! [`Call`]: which API call a routed request makes, inventory or bucket-level.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::provider::Operation;

/// A bucket-level call besides the inventory API: the account's bucket listing and the
/// bucket's tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BucketCall {
    /// `GET /` on the service: S3 `ListBuckets`, COS `GET Service`, OSS `ListBuckets`.
    ListBuckets,
    /// `GET /?tagging` on a bucket.
    GetTagging,
    /// `PUT /?tagging` on a bucket.
    PutTagging,
    /// `DELETE /?tagging` on a bucket.
    DeleteTagging,
}

impl BucketCall {
    /// Every bucket-level call.
    pub const ALL: [BucketCall; 4] = [
        BucketCall::ListBuckets,
        BucketCall::GetTagging,
        BucketCall::PutTagging,
        BucketCall::DeleteTagging,
    ];

    /// Snake-case name for logs, statistics and fault scopes (`list_buckets`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            BucketCall::ListBuckets => "list_buckets",
            BucketCall::GetTagging => "get_tagging",
            BucketCall::PutTagging => "put_tagging",
            BucketCall::DeleteTagging => "delete_tagging",
        }
    }
}

/// A call on a bucket's objects or its bucket policy: what the delivery checks read on a
/// destination bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectCall {
    /// `GET /` on a bucket: ListObjects (V1).
    ListObjects,
    /// `GET /?list-type=2`: ListObjectsV2.
    ListObjectsV2,
    /// `GET /{key}`.
    GetObject,
    /// `HEAD /{key}`.
    HeadObject,
    /// `GET /?policy`.
    GetPolicy,
    /// `PUT /?policy`.
    PutPolicy,
    /// `DELETE /?policy`.
    DeletePolicy,
}

impl ObjectCall {
    /// Every object call, in a fixed order.
    pub const ALL: [ObjectCall; 7] = [
        ObjectCall::ListObjects,
        ObjectCall::ListObjectsV2,
        ObjectCall::GetObject,
        ObjectCall::HeadObject,
        ObjectCall::GetPolicy,
        ObjectCall::PutPolicy,
        ObjectCall::DeletePolicy,
    ];

    /// The call's name in statistics and fault configurations.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectCall::ListObjects => "list_objects",
            ObjectCall::ListObjectsV2 => "list_objects_v2",
            ObjectCall::GetObject => "get_object",
            ObjectCall::HeadObject => "head_object",
            ObjectCall::GetPolicy => "get_policy",
            ObjectCall::PutPolicy => "put_policy",
            ObjectCall::DeletePolicy => "delete_policy",
        }
    }
}

/// The call a routed request makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Call {
    /// One of the four inventory operations.
    Inventory(Operation),
    /// A bucket-level call.
    Bucket(BucketCall),
    /// An object or bucket-policy call.
    Object(ObjectCall),
}

impl Call {
    /// The name statistics, logs and fault scopes use (`list`, `put`, `list_buckets`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Inventory(operation) => operation.as_str(),
            Call::Bucket(call) => call.as_str(),
            Call::Object(call) => call.as_str(),
        }
    }

    /// The call named `name` (case-insensitive), as [`Call::as_str`] spells it.
    pub fn from_name(name: &str) -> Option<Call> {
        let name = name.to_ascii_lowercase();
        let inventory = [
            Operation::List,
            Operation::Get,
            Operation::Put,
            Operation::Delete,
        ]
        .into_iter()
        .map(Call::Inventory);
        inventory
            .chain(BucketCall::ALL.into_iter().map(Call::Bucket))
            .chain(ObjectCall::ALL.into_iter().map(Call::Object))
            .find(|call| call.as_str() == name)
    }

    /// True for calls whose success answer carries a document (a fault may cut it short).
    pub(crate) fn answers_with_a_body(self) -> bool {
        matches!(
            self,
            Call::Inventory(Operation::List | Operation::Get)
                | Call::Bucket(BucketCall::ListBuckets | BucketCall::GetTagging)
                | Call::Object(
                    ObjectCall::ListObjects
                        | ObjectCall::ListObjectsV2
                        | ObjectCall::GetObject
                        | ObjectCall::GetPolicy
                )
        )
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_is_found_by_its_name() {
        for op in [
            Operation::List,
            Operation::Get,
            Operation::Put,
            Operation::Delete,
        ] {
            let call = Call::Inventory(op);
            assert_eq!(Call::from_name(call.as_str()), Some(call));
        }
        for bucket in BucketCall::ALL {
            assert_eq!(Call::from_name(bucket.as_str()), Some(Call::Bucket(bucket)));
        }
        assert_eq!(
            Call::from_name("LIST_BUCKETS"),
            Some(Call::Bucket(BucketCall::ListBuckets))
        );
        assert_eq!(Call::from_name("post"), None);
    }
}
