//! One inventory, discovery or delivery call as plain data, and its signed form, for every provider.
//!
//! Each provider's `request.rs` has two pure steps, as aws-sigv4 separates them: `build`
//! (call and target to the unsigned [`SignedRequest`]: URL, the headers to sign, body) and
//! `authorize` (what the signature adds: the headers, returned, not applied). The client adds
//! them with [`SignedRequest::with_headers`] and sends the [`SignedRequest::into_reqwest`] form,
//! for every attempt.

use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use super::Operation;

/// Sent as `User-Agent` on every request; not signed.
pub(crate) const USER_AGENT: &str = concat!("invsync/", env!("CARGO_PKG_VERSION"));

/// Headers as `(name, value)`, in the order they are sent.
pub type Headers = Vec<(String, String)>;

/// One of the four inventory calls, with what it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InventoryCall<'a> {
    /// `GET /?inventory[&continuation-token=…]`.
    List {
        /// The previous page's `NextContinuationToken`; `None` for the first page.
        continuation_token: Option<&'a str>,
    },
    /// `GET /?inventory&<id parameter>=…`.
    Get {
        /// The configuration id.
        id: &'a str,
    },
    /// `PUT /?inventory&<id parameter>=…` with an `InventoryConfiguration` body.
    Put {
        /// The configuration id, as in the body's `<Id>`.
        id: &'a str,
        /// The `<InventoryConfiguration>` document, as sent.
        body: &'a str,
    },
    /// `DELETE /?inventory&<id parameter>=…`.
    Delete {
        /// The configuration id.
        id: &'a str,
    },
    /// `GET /` on the service endpoint (no bucket): one page of the account's bucket listing,
    /// with the paging and filter parameters in the provider's names, decoded.
    ListBuckets {
        /// `(name, value)` pairs, decoded, in the order they are sent.
        params: &'a [(&'static str, &'a str)],
    },
    /// `GET /?tagging` on the bucket: its tags.
    GetBucketTags,
    /// `GET /?prefix=…&delimiter=…&marker=…&max-keys=…` on the bucket: one page of its objects
    /// (`ListObjects`, version 1), with the parameters decoded; an empty one is not sent.
    ListObjects {
        /// `(name, value)` pairs, decoded, in the order they are sent.
        params: &'a [(&'static str, &'a str)],
    },
    /// `GET /{key}` on the bucket: one object's bytes.
    GetObject {
        /// The object key, not encoded; each dialect encodes it as its signer expects.
        key: &'a str,
    },
    /// `GET /?policy` on the bucket: its bucket policy.
    GetBucketPolicy,
}

impl InventoryCall<'_> {
    /// The HTTP method.
    pub fn method(&self) -> &'static str {
        match self {
            InventoryCall::List { .. }
            | InventoryCall::Get { .. }
            | InventoryCall::ListBuckets { .. }
            | InventoryCall::GetBucketTags
            | InventoryCall::ListObjects { .. }
            | InventoryCall::GetObject { .. }
            | InventoryCall::GetBucketPolicy => "GET",
            InventoryCall::Put { .. } => "PUT",
            InventoryCall::Delete { .. } => "DELETE",
        }
    }

    /// The operation, as counted in metrics and named in errors.
    pub fn operation(&self) -> Operation {
        match self {
            InventoryCall::List { .. } => Operation::List,
            InventoryCall::Get { .. } => Operation::Get,
            InventoryCall::Put { .. } => Operation::Put,
            InventoryCall::Delete { .. } => Operation::Delete,
            InventoryCall::ListBuckets { .. } => Operation::ListBuckets,
            InventoryCall::GetBucketTags => Operation::GetBucketTags,
            InventoryCall::ListObjects { .. } => Operation::ListObjects,
            InventoryCall::GetObject { .. } => Operation::GetObject,
            InventoryCall::GetBucketPolicy => Operation::GetBucketPolicy,
        }
    }

    /// The object key the call reads, not encoded; empty for a call on the bucket itself.
    pub fn object_key(&self) -> &str {
        match self {
            InventoryCall::GetObject { key } => key,
            _ => "",
        }
    }

    /// True for a call to the service endpoint rather than to a bucket.
    pub(crate) fn is_service_call(&self) -> bool {
        matches!(self, InventoryCall::ListBuckets { .. })
    }

    /// The decoded query parameters, in the order they are sent: the `inventory`
    /// sub-resource first, then `continuation-token` or the id under the provider's
    /// `id_param` (`id`, `inventoryId`); a listing's own parameters; `tagging`; `policy`; none
    /// for an object.
    pub fn query(&self, id_param: &'static str) -> Vec<(&'static str, &str)> {
        match self {
            InventoryCall::List {
                continuation_token: Some(token),
            } => vec![("inventory", ""), ("continuation-token", token)],
            InventoryCall::List {
                continuation_token: None,
            } => vec![("inventory", "")],
            InventoryCall::Get { id }
            | InventoryCall::Put { id, .. }
            | InventoryCall::Delete { id } => vec![("inventory", ""), (id_param, id)],
            InventoryCall::ListBuckets { params } | InventoryCall::ListObjects { params } => {
                params.to_vec()
            }
            InventoryCall::GetBucketTags => vec![("tagging", "")],
            InventoryCall::GetObject { .. } => Vec::new(),
            InventoryCall::GetBucketPolicy => vec![("policy", "")],
        }
    }

    /// The request body: the configuration of a PUT, empty otherwise.
    pub fn body(&self) -> &str {
        match self {
            InventoryCall::Put { body, .. } => body,
            _ => "",
        }
    }
}

/// `url` with `key` appended to its path as every provider's SDK sends an object key: each
/// byte but `A-Z a-z 0-9 - _ . ~ /` percent-encoded, after exactly one `/`
/// (`/bucket/` or `/` becomes `/bucket/key` or `/key`). An empty key leaves `url` as it is.
pub(crate) fn with_object_key(mut url: Url, key: &str) -> Url {
    if key.is_empty() {
        return url;
    }
    let base = url.path().trim_end_matches('/').to_string();
    url.set_path(&format!("{base}/{}", super::encoding::uri_encode_path(key)));
    url
}

/// Where to send a call: the bucket, its region and the endpoint override.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Empty for a service call ([`InventoryCall::is_service_call`]).
    pub bucket: &'a str,
    /// The bucket's region; for a service call, the region of the service endpoint (empty
    /// where the provider has a global one).
    pub region: &'a str,
    /// Where to send instead of the provider's default host; `None` for the default.
    pub endpoint: Option<&'a Url>,
}

/// A request as plain data: unsigned as a provider's `request::build` returns it, signed once
/// the headers its `request::authorize` returns are added ([`SignedRequest::with_headers`]).
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The HTTP method, e.g. `GET`.
    pub method: &'static str,
    /// The full URL: scheme, host, path and encoded query.
    pub url: Url,
    /// Every header to send, `Authorization` included, in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The bytes sent; empty except for a PUT.
    pub body: Vec<u8>,
}

// Hand-written: the headers carry the signature and the security token.
impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Why a signed request has no HTTP form. Names the header, never its value (it may be a
/// signature or a token).
#[derive(Debug, thiserror::Error)]
pub(crate) enum BuildError {
    #[error("invalid method {method}")]
    Method {
        method: &'static str,
        #[source]
        source: <reqwest::Method as std::str::FromStr>::Err,
    },
    #[error("invalid header name {name}")]
    HeaderName {
        name: String,
        #[source]
        source: reqwest::header::InvalidHeaderName,
    },
    /// The `Authorization` header is built from the access key id, the only part of it that
    /// can hold such characters.
    #[error("{}", if *name == reqwest::header::AUTHORIZATION {
        "the access key id has characters HTTP cannot carry".to_string()
    } else {
        format!("header {name} has characters HTTP cannot carry")
    })]
    HeaderValue {
        name: HeaderName,
        #[source]
        source: reqwest::header::InvalidHeaderValue,
    },
}

impl SignedRequest {
    /// The unsigned form of `call` sent to `url` with `headers`: the call's method and body.
    pub fn unsigned(call: &InventoryCall<'_>, url: Url, headers: Headers) -> Self {
        SignedRequest {
            method: call.method(),
            url,
            headers,
            body: call.body().as_bytes().to_vec(),
        }
    }

    /// The same request with `headers` (a signer's output) appended, in their order.
    pub(crate) fn with_headers(mut self, headers: Headers) -> Self {
        self.headers.extend(headers);
        self
    }

    /// Every header as `(name, value)` slices, in the order they are sent, as signers read them.
    pub(crate) fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The request in reqwest's form, with [`USER_AGENT`] added. `Authorization` and security
    /// token values are marked sensitive.
    ///
    /// # Errors
    /// When a header value is not valid HTTP (a credential with a control character); the
    /// message names the header, never the value.
    pub(crate) fn into_reqwest(self) -> Result<reqwest::Request, BuildError> {
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).map_err(|source| {
            BuildError::Method {
                method: self.method,
                source,
            }
        })?;
        let mut request = reqwest::Request::new(method, self.url);
        let map = request.headers_mut();
        map.insert(
            reqwest::header::USER_AGENT,
            HeaderValue::from_static(USER_AGENT),
        );
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|source| {
                BuildError::HeaderName {
                    name: name.clone(),
                    source,
                }
            })?;
            let mut value =
                HeaderValue::from_str(value).map_err(|source| BuildError::HeaderValue {
                    name: name.clone(),
                    source,
                })?;
            if name == reqwest::header::AUTHORIZATION || name.as_str().ends_with("security-token") {
                value.set_sensitive(true);
            }
            map.append(name, value);
        }
        if !self.body.is_empty() {
            *request.body_mut() = Some(self.body.into());
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(headers: &[(&str, &str)], body: &[u8]) -> SignedRequest {
        SignedRequest {
            method: "PUT",
            url: Url::parse("http://127.0.0.1:9000/?inventory&id=a").unwrap(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    #[test]
    fn the_reqwest_form_carries_every_header_the_body_and_the_user_agent() {
        let request = signed(&[("Content-MD5", "x=="), ("Authorization", "sig")], b"<a/>")
            .into_reqwest()
            .unwrap();
        assert_eq!(request.method(), "PUT");
        assert_eq!(request.headers()["content-md5"], "x==");
        assert!(request.headers()["authorization"].is_sensitive());
        assert_eq!(request.headers()["user-agent"], USER_AGENT);
        assert_eq!(
            request.body().and_then(|b| b.as_bytes()),
            Some(&b"<a/>"[..])
        );
    }

    #[test]
    fn a_header_value_http_cannot_carry_is_named_without_its_value() {
        let err = signed(&[("x-cos-security-token", "to\nken")], b"")
            .into_reqwest()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "header x-cos-security-token has characters HTTP cannot carry"
        );
    }

    #[test]
    fn debug_output_shows_no_header() {
        let shown = format!("{:?}", signed(&[("Authorization", "secret-sig")], b""));
        assert!(!shown.contains("secret-sig"), "{shown}");
    }

    #[test]
    fn an_object_key_is_appended_once_encoded_after_one_slash() {
        let virtual_hosted = Url::parse("https://b.s3.amazonaws.com/").unwrap();
        let path_style = Url::parse("http://127.0.0.1:9000/b").unwrap();
        assert_eq!(
            with_object_key(virtual_hosted, "inv/a b/2026-01-01T00-00Z/manifest.json").as_str(),
            "https://b.s3.amazonaws.com/inv/a%20b/2026-01-01T00-00Z/manifest.json"
        );
        assert_eq!(
            with_object_key(path_style, "k+1/é").as_str(),
            "http://127.0.0.1:9000/b/k%2B1/%C3%A9"
        );
    }

    #[test]
    fn delivery_calls_name_their_query_and_key() {
        let params = [("prefix", "inv/"), ("delimiter", "/")];
        let list = InventoryCall::ListObjects { params: &params };
        assert_eq!(list.operation(), Operation::ListObjects);
        assert_eq!(list.query("id"), params.to_vec());
        let policy = InventoryCall::GetBucketPolicy;
        assert_eq!(policy.query("id"), vec![("policy", "")]);
        let object = InventoryCall::GetObject { key: "a/b" };
        assert_eq!((object.method(), object.object_key()), ("GET", "a/b"));
        assert!(object.query("id").is_empty());
    }

    #[test]
    fn each_call_names_its_method_and_operation() {
        let put = InventoryCall::Put {
            id: "a",
            body: "<x/>",
        };
        assert_eq!(
            (put.method(), put.operation(), put.body()),
            ("PUT", Operation::Put, "<x/>")
        );
        let list = InventoryCall::List {
            continuation_token: None,
        };
        assert_eq!(
            (list.method(), list.operation(), list.body()),
            ("GET", Operation::List, "")
        );
    }
}
