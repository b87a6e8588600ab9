//! The paging loop every provider shares: follow continuation tokens until the last page.
//!
//! Providers answer a LIST 100 configurations at a time, so a bucket with `n` configurations
//! costs ⌈n/100⌉ calls (one call when it has none). [`crate::provider::response::list_page`]
//! turns each answer into a [`ListPage`]; this loop only follows the tokens and refuses to
//! follow a server that never ends. The account's bucket listing pages through the same loop
//! ([`list_pages`]), whatever the provider calls its token (`continuation-token`, `marker`).

use std::future::Future;

use crate::model::{BucketKey, LiveConfig, Provider};
use crate::provider::{Operation, ProviderError, ServiceError};

/// A list that has not ended after this many pages is a server fault, not a long list: the
/// providers allow 1,000 configurations per bucket, i.e. 10 pages of 100, and an account's
/// buckets come 1,000 a page (S3 allows 10,000 general purpose buckets per account by default;
/// a raised quota of 1,000,000 would still end in 1,000 pages).
pub(crate) const MAX_LIST_PAGES: usize = 1_000;

/// One page of a list, each item read on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The page's items, in the order the provider sent them.
    pub items: Vec<T>,
    /// The token of the next page; `None` on the last page.
    pub next_token: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            items: Vec::new(),
            next_token: None,
        }
    }
}

/// One page of a LIST of inventory configurations.
pub type ListPage = Page<LiveConfig>;

/// Every configuration of `bucket`: [`list_pages`] for a LIST.
///
/// # Errors
/// As [`list_pages`].
pub(crate) async fn list_all<F, Fut>(
    provider: Provider,
    bucket: &BucketKey,
    fetch_page: F,
) -> Result<Vec<LiveConfig>, ProviderError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<ListPage, ProviderError>>,
{
    list_pages(provider, Operation::List, &bucket.bucket, fetch_page).await
}

/// Every item of a paged list: calls `fetch_page` with no token, then with each page's
/// `next_token` until a page has none. `target` names what is listed in errors (a bucket, or
/// the account).
///
/// # Errors
/// The first error of `fetch_page`, returned as is; [`ProviderError::Decode`] when the service
/// hands out the token it was just given (it would loop forever) or the list does not end
/// after [`MAX_LIST_PAGES`] pages.
pub(crate) async fn list_pages<T, F, Fut>(
    provider: Provider,
    operation: Operation,
    target: &str,
    mut fetch_page: F,
) -> Result<Vec<T>, ProviderError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, ProviderError>>,
{
    let decode_error = |message: String| ProviderError::Decode {
        provider,
        operation,
        bucket: target.to_string(),
        message,
        source: None,
    };
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_LIST_PAGES {
        let page = fetch_page(token.clone()).await?;
        items.extend(page.items);
        match page.next_token {
            None => return Ok(items),
            Some(next) if token.as_deref() == Some(next.as_str()) => {
                return Err(decode_error(
                    "the service returned the same continuation token twice".into(),
                ));
            }
            Some(next) => token = Some(next),
        }
    }
    Err(decode_error(format!(
        "listing did not end after {MAX_LIST_PAGES} pages"
    )))
}

/// One LIST page's result, where an error answer that says "no configurations"
/// (`means_empty`, e.g. OSS's 404 `NoSuchInventory`) is an empty last page only when it
/// answers the first page (`token` is `None`).
///
/// # Errors
/// The same answer to a later page is [`ProviderError::Decode`] (its cause is the service's
/// answer): it contradicts the pages already read, so the list is incomplete, and a partial
/// list must never reach the planner, which would prune what it did not see. Other errors are
/// returned as they are.
pub(crate) fn empty_only_on_first_page(
    page: Result<ListPage, ProviderError>,
    token: Option<&str>,
    means_empty: impl Fn(&ServiceError) -> bool,
) -> Result<ListPage, ProviderError> {
    match page {
        Err(ProviderError::Service {
            provider,
            operation,
            bucket,
            error,
        }) if means_empty(&error) => match token {
            None => Ok(ListPage::default()),
            Some(_) => Err(ProviderError::Decode {
                provider,
                operation,
                bucket,
                message: "a page after the first answered that the bucket has no configurations, \
                          so the list is incomplete"
                    .to_string(),
                source: Some(error as crate::provider::BoxError),
            }),
        },
        page => page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ForeignConfig;
    use std::cell::RefCell;

    fn bucket() -> BucketKey {
        BucketKey {
            provider: Provider::OSS,
            bucket: "b".into(),
            region: "r".into(),
        }
    }

    fn config(id: &str) -> LiveConfig {
        LiveConfig::Foreign(ForeignConfig {
            provider: Provider::OSS,
            id: id.into(),
            raw_xml: String::new(),
            unmodelled: vec!["X".into()],
        })
    }

    fn page(id: &str, next: Option<&str>) -> ListPage {
        ListPage {
            items: vec![config(id)],
            next_token: next.map(str::to_string),
        }
    }

    fn run<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn pages_are_followed_with_each_token_until_one_has_none() {
        let asked = RefCell::new(Vec::new());
        let items = run(list_all(Provider::OSS, &bucket(), |token| {
            asked.borrow_mut().push(token.clone());
            let answer = match token.as_deref() {
                None => page("a", Some("t1")),
                Some("t1") => page("b", Some("t2")),
                _ => page("c", None),
            };
            async move { Ok(answer) }
        }))
        .unwrap();
        assert_eq!(items, vec![config("a"), config("b"), config("c")]);
        assert_eq!(
            *asked.borrow(),
            vec![None, Some("t1".to_string()), Some("t2".to_string())]
        );
    }

    fn no_such_inventory() -> Result<ListPage, ProviderError> {
        Err(ProviderError::Service {
            provider: Provider::OSS,
            operation: Operation::List,
            bucket: "b".into(),
            error: Box::new(ServiceError {
                status: 404,
                code: "NoSuchInventory".into(),
                message: "m".into(),
                request_id: "r".into(),
                ec: String::new(),
            }),
        })
    }

    #[test]
    fn no_configurations_is_an_empty_list_on_the_first_page_and_a_decode_error_later() {
        let means_empty = |e: &ServiceError| e.code == "NoSuchInventory";
        let first = empty_only_on_first_page(no_such_inventory(), None, means_empty);
        assert_eq!(first.unwrap(), ListPage::default());
        let later =
            empty_only_on_first_page(no_such_inventory(), Some("t2"), means_empty).unwrap_err();
        assert!(matches!(later, ProviderError::Decode { .. }), "{later}");
        assert_eq!(
            crate::error_chain::Chain(&later).to_string(),
            "oss list on b: unreadable response: a page after the first answered that the \
             bucket has no configurations, so the list is incomplete: HTTP 404 NoSuchInventory: m \
             (request id r)"
        );
        let other = empty_only_on_first_page(no_such_inventory(), None, |_| false).unwrap_err();
        assert!(other.is_not_found());
    }

    #[test]
    fn a_repeated_token_is_a_decode_error() {
        let err = run(list_all(Provider::OSS, &bucket(), |_| async {
            Ok(page("a", Some("same")))
        }))
        .unwrap_err();
        assert!(matches!(err, ProviderError::Decode { .. }), "{err}");
        assert!(err.to_string().contains("same continuation token twice"));
    }

    #[test]
    fn a_list_that_never_ends_stops_after_the_page_limit() {
        let calls = RefCell::new(0usize);
        let err = run(list_all(Provider::OSS, &bucket(), |_| {
            *calls.borrow_mut() += 1;
            let next = calls.borrow().to_string();
            async move { Ok(page("a", Some(&next))) }
        }))
        .unwrap_err();
        assert!(
            err.to_string().contains("did not end after 1000 pages"),
            "{err}"
        );
        assert_eq!(*calls.borrow(), MAX_LIST_PAGES);
    }
}
