//! The object and bucket-policy calls on the store (ListObjects V1 and V2, GetObject,
//! HeadObject, Get/Put/DeleteBucketPolicy), with the rules every provider shares; what
//! differs comes from the dialect's [`ObjectRules`]. Pure.
//!
//! `encoding-type=url` is accepted and not applied: keys are listed as stored, XML-escaped,
//! and `EncodingType` is not echoed, so SDKs do not decode them (they decode only when the
//! answer says the keys are encoded).

use super::bucket_index::BucketDefaults;
use super::call::ObjectCall;
use super::clock;
use super::dialect::{EmulatedProvider, ObjectRules};
use super::errors::{ApiError, element};
use super::objects::{self, ListQuery, MAX_KEYS, ObjectPage, StoredObject};
use super::operations::{Outcome, RawBody, Success, store_error};
use super::route::ApiRequest;
use super::state::Store;
use super::token;
use std::time::{Duration, UNIX_EPOCH};

/// Carries out object call `call` of `request` on `store`; `implied` is where a bucket a
/// write brings into existence lives.
///
/// # Errors
/// The dialect's answers: no such key, no policy, a body that is not JSON, a bad `max-keys`
/// or continuation token, a bucket that does not exist under strict buckets.
pub(crate) fn execute(
    dialect: &dyn EmulatedProvider,
    store: &mut Store,
    request: &ApiRequest,
    call: ObjectCall,
    body: &[u8],
    implied: BucketDefaults<'_>,
) -> Result<Outcome, ApiError> {
    let rules = dialect.object_rules();
    let provider = request.provider;
    let bucket = request.bucket.as_str();
    let store_error = |e| store_error(dialect, e);
    match call {
        ObjectCall::ListObjects | ObjectCall::ListObjectsV2 => {
            let v2 = call == ObjectCall::ListObjectsV2 && rules.list_v2;
            let query = list_query(request, v2)?;
            let all = store.objects(provider, bucket).map_err(store_error)?;
            let page = objects::list(&all, &query);
            let document = if v2 {
                render_v2(rules, request, &query, &page)
            } else {
                render_v1(rules, request, &query, &page)
            };
            Ok(document_outcome(200, document))
        }
        ObjectCall::GetObject | ObjectCall::HeadObject => {
            let object = store
                .object(provider, bucket, &request.key)
                .map_err(store_error)?
                .ok_or_else(rules.no_such_key)?;
            Ok(Outcome {
                success: Success {
                    status: 200,
                    body: None,
                    raw: Some(raw_object(rules, &object, call == ObjectCall::HeadObject)),
                },
                changed: false,
            })
        }
        ObjectCall::GetPolicy => match store.policy(provider, bucket).map_err(store_error)? {
            Some(policy) => Ok(Outcome {
                success: Success {
                    status: 200,
                    body: None,
                    raw: Some(RawBody {
                        bytes: policy.into_bytes(),
                        content_type: "application/json",
                        headers: Vec::new(),
                        head_only: false,
                    }),
                },
                changed: false,
            }),
            None => Err((rules.no_policy)()),
        },
        ObjectCall::PutPolicy => {
            if serde_json::from_slice::<serde_json::Value>(body)
                .map(|v| !v.is_object())
                .unwrap_or(true)
            {
                return Err(ApiError::new(
                    400,
                    "MalformedPolicy",
                    "Policies must be valid JSON and the first byte must be '{'",
                ));
            }
            let text = String::from_utf8_lossy(body).into_owned();
            store
                .set_policy(provider, bucket, Some(text), implied)
                .map_err(store_error)?;
            Ok(empty_outcome(rules.put_policy_status, true))
        }
        ObjectCall::DeletePolicy => {
            let had = store
                .set_policy(provider, bucket, None, implied)
                .map_err(store_error)?;
            Ok(empty_outcome(204, had))
        }
    }
}

fn document_outcome(status: u16, document: String) -> Outcome {
    Outcome {
        success: Success {
            status,
            body: Some(document),
            raw: None,
        },
        changed: false,
    }
}

fn empty_outcome(status: u16, changed: bool) -> Outcome {
    Outcome {
        success: Success {
            status,
            body: None,
            raw: None,
        },
        changed,
    }
}

/// The listing a request asks for.
fn list_query(request: &ApiRequest, v2: bool) -> Result<ListQuery, ApiError> {
    let max_keys = match request.non_empty_param("max-keys") {
        None => MAX_KEYS,
        Some(raw) => raw.parse::<usize>().map(|n| n.min(MAX_KEYS)).map_err(|_| {
            ApiError::invalid_argument("Provided max-keys not an integer or within integer range")
        })?,
    };
    let after = if v2 {
        match request.non_empty_param("continuation-token") {
            Some(t) => Some(token::decode(t).ok_or_else(|| {
                ApiError::invalid_argument("The continuation token provided is incorrect")
            })?),
            None => request.non_empty_param("start-after").map(str::to_string),
        }
    } else {
        request.non_empty_param("marker").map(str::to_string)
    };
    Ok(ListQuery {
        prefix: request.param("prefix").unwrap_or_default().to_string(),
        delimiter: request.param("delimiter").unwrap_or_default().to_string(),
        after,
        max_keys,
    })
}

fn open(rules: &ObjectRules) -> String {
    match rules.namespace {
        Some(ns) => {
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"{ns}\">")
        }
        None => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>".to_string(),
    }
}

fn etag(rules: &ObjectRules, object: &StoredObject) -> String {
    let hex = if rules.etag_upper {
        object.md5.to_ascii_uppercase()
    } else {
        object.md5.clone()
    };
    format!("\"{hex}\"")
}

fn contents(out: &mut String, rules: &ObjectRules, page: &ObjectPage, owner: bool) {
    for (key, object) in &page.contents {
        out.push_str("<Contents>");
        element(out, "Key", key);
        element(
            out,
            "LastModified",
            &clock::iso8601_millis(UNIX_EPOCH + Duration::from_secs(object.modified)),
        );
        element(out, "ETag", &etag(rules, object));
        if rules.object_type {
            element(out, "Type", "Normal");
        }
        element(out, "Size", &object.body.len().to_string());
        element(out, "StorageClass", "STANDARD");
        if owner {
            out.push_str("<Owner>");
            element(out, "ID", rules.owner.0);
            element(out, "DisplayName", rules.owner.1);
            out.push_str("</Owner>");
        }
        out.push_str("</Contents>");
    }
    for prefix in &page.prefixes {
        out.push_str("<CommonPrefixes>");
        element(out, "Prefix", prefix);
        out.push_str("</CommonPrefixes>");
    }
}

fn render_v1(
    rules: &ObjectRules,
    request: &ApiRequest,
    query: &ListQuery,
    page: &ObjectPage,
) -> String {
    let mut out = open(rules);
    element(&mut out, "Name", &request.bucket);
    element(&mut out, "Prefix", &query.prefix);
    element(
        &mut out,
        "Marker",
        query.after.as_deref().unwrap_or_default(),
    );
    element(&mut out, "MaxKeys", &query.max_keys.to_string());
    if !query.delimiter.is_empty() {
        element(&mut out, "Delimiter", &query.delimiter);
    }
    element(
        &mut out,
        "IsTruncated",
        if page.truncated { "true" } else { "false" },
    );
    if page.truncated
        && (rules.next_marker_always || !query.delimiter.is_empty())
        && let Some(last) = &page.last
    {
        element(&mut out, "NextMarker", last);
    }
    contents(&mut out, rules, page, true);
    out.push_str("</ListBucketResult>");
    out
}

fn render_v2(
    rules: &ObjectRules,
    request: &ApiRequest,
    query: &ListQuery,
    page: &ObjectPage,
) -> String {
    let mut out = open(rules);
    element(&mut out, "Name", &request.bucket);
    element(&mut out, "Prefix", &query.prefix);
    if let Some(start_after) = request.non_empty_param("start-after") {
        element(&mut out, "StartAfter", start_after);
    }
    if let Some(token) = request.non_empty_param("continuation-token") {
        element(&mut out, "ContinuationToken", token);
    }
    element(&mut out, "MaxKeys", &query.max_keys.to_string());
    if !query.delimiter.is_empty() {
        element(&mut out, "Delimiter", &query.delimiter);
    }
    element(
        &mut out,
        "IsTruncated",
        if page.truncated { "true" } else { "false" },
    );
    if page.truncated
        && let Some(last) = &page.last
    {
        element(&mut out, "NextContinuationToken", &token::encode(last));
    }
    element(&mut out, "KeyCount", &page.key_count().to_string());
    let owner = request.param("fetch-owner") == Some("true");
    contents(&mut out, rules, page, owner);
    out.push_str("</ListBucketResult>");
    out
}

fn raw_object(rules: &ObjectRules, object: &StoredObject, head_only: bool) -> RawBody {
    let modified = UNIX_EPOCH + Duration::from_secs(object.modified);
    RawBody {
        bytes: object.body.clone(),
        content_type: "application/octet-stream",
        headers: vec![
            ("etag", etag(rules, object)),
            ("last-modified", httpdate::fmt_http_date(modified)),
        ],
        head_only,
    }
}
