//! The bucket-level calls on the store, with the rules every provider shares: the account's
//! bucket listing and the bucket's tags; what differs (paging parameters, documents, limits,
//! the "no tags" answer) comes from the request's [`EmulatedProvider`]. Pure.

use super::bucket_index::BucketDefaults;
use super::call::BucketCall;
use super::config::EmulatorConfig;
use super::dialect::{BucketListing, EmulatedProvider};
use super::errors::ApiError;
use super::operations::{Outcome, Success, store_error};
use super::route::ApiRequest;
use super::state::Store;
use super::tagging;

/// What a bucket-level call needs besides the request and the store.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BucketContext<'a> {
    pub(crate) config: &'a EmulatorConfig,
    /// Where and when a bucket that this request brings into existence lives.
    pub(crate) implied: BucketDefaults<'a>,
    /// What a bucket without a recorded region or creation time is listed with.
    pub(crate) listed: BucketDefaults<'a>,
}

/// Carries out the bucket-level `call` of `request` on `store` by `dialect`'s rules.
///
/// - Listing: the dialect reads the page's filter from the query and renders the page.
/// - GET tagging: the tags, or the dialect's "no tags" answer.
/// - PUT tagging: replaces every tag with the body's, checked against the dialect's limits;
///   the bucket springs into existence unless buckets are strict.
/// - DELETE tagging: removes every tag, or only the keys a non-empty `tagging` parameter
///   lists, comma-separated (OSS's form); on a bucket without tags, the dialect's answer.
///
/// # Errors
/// The dialect's answer for a refused query or body, a bucket that does not exist (strict
/// buckets) or a bucket without tags where that is an error.
pub(crate) fn execute(
    dialect: &dyn EmulatedProvider,
    store: &mut Store,
    request: &ApiRequest,
    call: BucketCall,
    body: &[u8],
    context: BucketContext<'_>,
) -> Result<Outcome, ApiError> {
    let provider = request.provider;
    let bucket = request.bucket.as_str();
    let store_error = |e| store_error(dialect, e);
    match call {
        BucketCall::ListBuckets => {
            let filter = dialect.bucket_filter(request)?;
            let page = store.list_buckets(provider, &filter, context.listed);
            let document = dialect.buckets_document(&BucketListing {
                request,
                filter: &filter,
                page: &page,
                config: context.config,
            });
            Ok(outcome(200, Some(document), false))
        }
        BucketCall::GetTagging => {
            let tags = store.tags(provider, bucket).map_err(store_error)?;
            Ok(outcome(200, Some(dialect.tags_document(&tags)?), false))
        }
        BucketCall::PutTagging => {
            let tags = tagging::parse(body, dialect.tag_rules())
                .map_err(|fault| dialect.tag_error(&fault))?;
            store
                .set_tags(provider, bucket, tags, context.implied)
                .map_err(store_error)?;
            Ok(outcome(dialect.put_tags_status(), None, true))
        }
        BucketCall::DeleteTagging => {
            let keys: Option<Vec<String>> = request
                .params
                .iter()
                .find(|(k, _)| k == "tagging")
                .filter(|(_, v)| !v.is_empty())
                .map(|(_, v)| v.split(',').map(str::to_string).collect());
            let had = store
                .delete_tags(provider, bucket, keys.as_deref())
                .map_err(store_error)?;
            if !had {
                dialect.delete_missing_tags()?;
            }
            Ok(outcome(204, None, had))
        }
    }
}

fn outcome(status: u16, body: Option<String>, changed: bool) -> Outcome {
    Outcome {
        success: Success {
            status,
            body,
            raw: None,
        },
        changed,
    }
}
