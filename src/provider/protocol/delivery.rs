//! The one delivery client of the S3-family APIs: [`DeliveryApi`] over the same signed HTTP as
//! the inventory calls, for any [`Dialect`].
//!
//! Every call goes to the destination bucket's regional endpoint, addressed as its inventory
//! calls are (virtual-hosted or path style, the endpoint override honoured): `GET /` with the
//! ListObjects (version 1) parameters, `GET /{key}` with the key percent-encoded as the
//! provider's SDKs send it, `GET /?policy`.

use std::sync::Arc;

use super::{Client, Dialect};
use crate::model::{BucketKey, Endpoint};
use crate::provider::delivery::{DeliveryApi, ObjectPage, ObjectQuery};
use crate::provider::request::InventoryCall;
use crate::provider::send::request_error;
use crate::provider::{BoxFuture, Operation, ProviderError};

/// The most keys one listing page may ask for, on every provider.
const MAX_KEYS: u32 = 1000;

impl<D: Dialect> Client<D> {
    /// The client as a delivery client, sending to `endpoint` when given, as the registry
    /// hands them out.
    pub(crate) fn shared_delivery(self, endpoint: Option<Endpoint>) -> Arc<dyn DeliveryApi> {
        Arc::new(match endpoint {
            Some(endpoint) => self.with_endpoint(endpoint),
            None => self,
        })
    }

    async fn object_page(
        &self,
        bucket: &BucketKey,
        query: ObjectQuery<'_>,
    ) -> Result<ObjectPage, ProviderError> {
        if !(1..=MAX_KEYS).contains(&query.max_keys) {
            return Err(request_error(
                D::PROVIDER,
                Operation::ListObjects,
                bucket,
                format!("max-keys {} is not within 1-{MAX_KEYS}", query.max_keys),
            ));
        }
        let max_keys = query.max_keys.to_string();
        let params = listing_params(&query, &max_keys);
        let call = InventoryCall::ListObjects { params: &params };
        let raw = self.send(bucket, &call).await?;
        D::read_object_page(query.delimiter, raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(D::PROVIDER, Operation::ListObjects, bucket))
    }

    async fn object(
        &self,
        bucket: &BucketKey,
        key: &str,
        max_bytes: usize,
    ) -> Result<Vec<u8>, ProviderError> {
        if key.is_empty() {
            return Err(request_error(
                D::PROVIDER,
                Operation::GetObject,
                bucket,
                "an object key cannot be empty".to_string(),
            ));
        }
        let raw = self.send(bucket, &InventoryCall::GetObject { key }).await?;
        D::read_object(max_bytes, raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(D::PROVIDER, Operation::GetObject, bucket))
    }

    async fn policy(&self, bucket: &BucketKey) -> Result<Option<String>, ProviderError> {
        let raw = self.send(bucket, &InventoryCall::GetBucketPolicy).await?;
        D::read_policy(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(D::PROVIDER, Operation::GetBucketPolicy, bucket))
    }
}

/// The decoded ListObjects parameters of `query`, empty ones left out (an empty `prefix` or
/// `marker` means the same as none).
fn listing_params<'a>(query: &ObjectQuery<'a>, max_keys: &'a str) -> Vec<(&'static str, &'a str)> {
    let mut params = Vec::with_capacity(4);
    if !query.prefix.is_empty() {
        params.push(("prefix", query.prefix));
    }
    if let Some(delimiter) = query.delimiter.filter(|d| !d.is_empty()) {
        params.push(("delimiter", delimiter));
    }
    if let Some(marker) = query.marker.filter(|m| !m.is_empty()) {
        params.push(("marker", marker));
    }
    params.push(("max-keys", max_keys));
    params
}

impl<D: Dialect> DeliveryApi for Client<D> {
    fn list_objects<'a>(
        &'a self,
        bucket: &'a BucketKey,
        query: ObjectQuery<'a>,
    ) -> BoxFuture<'a, Result<ObjectPage, ProviderError>> {
        Box::pin(self.object_page(bucket, query))
    }

    fn get_object<'a>(
        &'a self,
        bucket: &'a BucketKey,
        key: &'a str,
        max_bytes: usize,
    ) -> BoxFuture<'a, Result<Vec<u8>, ProviderError>> {
        Box::pin(self.object(bucket, key, max_bytes))
    }

    fn bucket_policy<'a>(
        &'a self,
        bucket: &'a BucketKey,
    ) -> BoxFuture<'a, Result<Option<String>, ProviderError>> {
        Box::pin(self.policy(bucket))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_parameters_are_left_out_and_max_keys_is_always_sent() {
        let query = ObjectQuery {
            prefix: "inv/",
            delimiter: Some("/"),
            marker: Some(""),
            max_keys: 100,
        };
        assert_eq!(
            listing_params(&query, "100"),
            [("prefix", "inv/"), ("delimiter", "/"), ("max-keys", "100")]
        );
    }
}
