//! [`BucketSelector`]: which discovered buckets a fleet covers, by name globs, exclusions,
//! regions and tags. Pure.
//!
//! In a manifest (the shape serde reads and writes):
//! ```yaml
//! names: ["logs-*", "audit-?"]   # any of them; none given: every name
//! exclude: ["*-tmp"]             # none of them
//! regions: [eu-west-1]           # any of them; none given: every region
//! tags:                          # all of them
//!   team: data                   # the tag with exactly this value
//!   inventory: ~                 # the tag, whatever its value
//! ```

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BucketFilter;
use super::glob::{Glob, GlobError};
use crate::model::DiscoveredBucket;

/// Which buckets of an account are selected.
///
/// A bucket is selected when its name matches one of [`names`](Self::names) (or there are
/// none), matches none of [`exclude`](Self::exclude), lies in one of
/// [`regions`](Self::regions) (or there are none) and carries every tag of
/// [`tags`](Self::tags). Tags are needed only when [`tags`](Self::tags) is not empty
/// ([`BucketSelector::needs_tags`]), so a selector without them costs no tag reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BucketSelector {
    /// Bucket-name patterns (`*`, `?`); a bucket matching any of them is a candidate. Empty:
    /// every bucket.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<Glob>,
    /// Bucket-name patterns of buckets never selected, whatever else matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Glob>,
    /// Region ids; a bucket in any of them is a candidate. Empty: every region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Tags every selected bucket carries: a value is matched exactly, `~` (null) asks only
    /// that the key is present.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, Option<String>>,
}

/// Why a selector refuses a bucket, or that it selects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every part of the selector holds for the bucket.
    Selected,
    /// The name matches none of `names`.
    NameNotMatched,
    /// The name matches this exclusion.
    Excluded(Glob),
    /// The bucket lies in a region the selector does not name.
    OtherRegion,
    /// The bucket lacks this tag (or carries another value).
    TagMismatch {
        /// The tag's key.
        key: String,
        /// The value selected; `None` when any value would do (the key is missing).
        wanted: Option<String>,
    },
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Selected => f.write_str("selected"),
            Verdict::NameNotMatched => f.write_str("its name matches no selected pattern"),
            Verdict::Excluded(glob) => write!(f, "excluded by `{glob}`"),
            Verdict::OtherRegion => f.write_str("in a region not selected"),
            Verdict::TagMismatch {
                key,
                wanted: Some(value),
            } => write!(f, "no tag {key}={value}"),
            Verdict::TagMismatch { key, wanted: None } => write!(f, "no tag {key}"),
        }
    }
}

/// Why a selector is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// A `names` or `exclude` pattern is refused.
    #[error(transparent)]
    Glob(#[from] GlobError),
    /// A tag selector, held as written (`KEY[=VALUE]`), whose key is empty.
    #[error("tag selector `{0}` has an empty key; write KEY=VALUE or KEY")]
    EmptyTagKey(String),
    /// The same tag key is given twice with different values.
    #[error("tag `{key}` is selected twice, with different values")]
    DuplicateTag {
        /// The tag's key.
        key: String,
    },
}

impl BucketSelector {
    /// True when deciding needs the bucket's tags: read them only then.
    pub fn needs_tags(&self) -> bool {
        !self.tags.is_empty()
    }

    /// The verdict on `bucket` from its name and region alone: [`Verdict::Selected`] means
    /// "selected, if its tags match" ([`BucketSelector::verdict`] decides).
    pub fn verdict_without_tags(&self, bucket: &DiscoveredBucket) -> Verdict {
        if !self.names.is_empty() && !self.names.iter().any(|g| g.matches(&bucket.name)) {
            return Verdict::NameNotMatched;
        }
        if let Some(glob) = self.exclude.iter().find(|g| g.matches(&bucket.name)) {
            return Verdict::Excluded(glob.clone());
        }
        if !self.regions.is_empty() && !self.regions.contains(&bucket.region) {
            return Verdict::OtherRegion;
        }
        Verdict::Selected
    }

    /// The verdict on `bucket` carrying `tags` (pass an empty map when
    /// [`BucketSelector::needs_tags`] is false).
    pub(crate) fn verdict(
        &self,
        bucket: &DiscoveredBucket,
        tags: &BTreeMap<String, String>,
    ) -> Verdict {
        let verdict = self.verdict_without_tags(bucket);
        if verdict != Verdict::Selected {
            return verdict;
        }
        for (key, wanted) in &self.tags {
            let ok = match (tags.get(key), wanted) {
                (Some(value), Some(wanted)) => value == wanted,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if !ok {
                return Verdict::TagMismatch {
                    key: key.clone(),
                    wanted: wanted.clone(),
                };
            }
        }
        Verdict::Selected
    }

    /// True when `bucket` carrying `tags` is selected.
    pub fn matches(&self, bucket: &DiscoveredBucket, tags: &BTreeMap<String, String>) -> bool {
        self.verdict(bucket, tags) == Verdict::Selected
    }

    /// What the provider may filter on before anything reaches [`BucketSelector::verdict`]:
    /// the one region when exactly one is named, the literal start of the one name pattern
    /// when exactly one is given. Never narrower than the selector.
    pub fn listing_filter(&self) -> BucketFilter {
        let prefix = match self.names.as_slice() {
            [one] if !one.literal_prefix().is_empty() => Some(one.literal_prefix().to_string()),
            _ => None,
        };
        let region = match self.regions.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        };
        BucketFilter { prefix, region }
    }

    /// Adds a tag selector as a flag spells it: `KEY=VALUE` (that value) or `KEY` (present).
    ///
    /// # Errors
    /// An empty key, or a key already selected with another value.
    pub fn add_tag(&mut self, text: &str) -> Result<(), SelectorError> {
        let (key, value) = match text.split_once('=') {
            Some((key, value)) => (key, Some(value.to_string())),
            None => (text, None),
        };
        if key.is_empty() {
            return Err(SelectorError::EmptyTagKey(text.to_string()));
        }
        match self.tags.get(key) {
            Some(existing) if *existing != value => Err(SelectorError::DuplicateTag {
                key: key.to_string(),
            }),
            _ => {
                self.tags.insert(key.to_string(), value);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(name: &str, region: &str) -> DiscoveredBucket {
        DiscoveredBucket {
            name: name.into(),
            region: region.into(),
            created: None,
        }
    }

    fn globs(patterns: &[&str]) -> Vec<Glob> {
        patterns.iter().map(|p| Glob::new(p).unwrap()).collect()
    }

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_empty_selector_selects_every_bucket_without_tags() {
        let all = BucketSelector::default();
        assert!(!all.needs_tags());
        assert!(all.matches(&bucket("anything", "anywhere"), &BTreeMap::new()));
        assert_eq!(all.listing_filter(), BucketFilter::default());
    }

    #[test]
    fn names_select_exclusions_win_and_regions_narrow() {
        let selector = BucketSelector {
            names: globs(&["logs-*", "audit-?"]),
            exclude: globs(&["*-tmp"]),
            regions: vec!["eu-west-1".into(), "eu-central-1".into()],
            ..BucketSelector::default()
        };
        let none = BTreeMap::new();
        assert!(selector.matches(&bucket("logs-prod", "eu-west-1"), &none));
        assert!(selector.matches(&bucket("audit-1", "eu-central-1"), &none));
        assert_eq!(
            selector.verdict(&bucket("data-prod", "eu-west-1"), &none),
            Verdict::NameNotMatched
        );
        assert_eq!(
            selector.verdict(&bucket("logs-tmp", "eu-west-1"), &none),
            Verdict::Excluded(Glob::new("*-tmp").unwrap())
        );
        assert_eq!(
            selector.verdict(&bucket("logs-prod", "us-east-1"), &none),
            Verdict::OtherRegion
        );
    }

    #[test]
    fn tags_match_by_exact_value_or_by_presence_and_all_are_needed() {
        let mut selector = BucketSelector::default();
        selector.add_tag("team=data").unwrap();
        selector.add_tag("inventory").unwrap();
        assert!(selector.needs_tags());
        let b = bucket("b", "r");
        assert!(selector.matches(&b, &tags(&[("team", "data"), ("inventory", "")])));
        assert!(selector.matches(&b, &tags(&[("team", "data"), ("inventory", "yes")])));
        assert_eq!(
            selector.verdict(&b, &tags(&[("team", "web"), ("inventory", "")])),
            Verdict::TagMismatch {
                key: "team".into(),
                wanted: Some("data".into())
            }
        );
        assert!(!selector.matches(&b, &tags(&[("team", "data")])));
        assert!(!selector.matches(&b, &BTreeMap::new()));
    }

    #[test]
    fn tag_flags_refuse_an_empty_key_and_a_contradiction() {
        let mut selector = BucketSelector::default();
        assert!(matches!(
            selector.add_tag("=x"),
            Err(SelectorError::EmptyTagKey(_))
        ));
        selector.add_tag("team=data").unwrap();
        selector.add_tag("team=data").unwrap();
        assert!(matches!(
            selector.add_tag("team=web"),
            Err(SelectorError::DuplicateTag { .. })
        ));
        // A value may hold `=`.
        selector.add_tag("expr=a=b").unwrap();
        assert_eq!(selector.tags["expr"].as_deref(), Some("a=b"));
    }

    #[test]
    fn the_listing_filter_is_never_narrower_than_the_selector() {
        let one = BucketSelector {
            names: globs(&["logs-*"]),
            regions: vec!["eu-west-1".into()],
            ..BucketSelector::default()
        };
        assert_eq!(
            one.listing_filter(),
            BucketFilter {
                prefix: Some("logs-".into()),
                region: Some("eu-west-1".into())
            }
        );
        let two = BucketSelector {
            names: globs(&["logs-*", "audit-*"]),
            regions: vec!["a".into(), "b".into()],
            ..BucketSelector::default()
        };
        assert_eq!(two.listing_filter(), BucketFilter::default());
        let wild = BucketSelector {
            names: globs(&["*-logs"]),
            ..BucketSelector::default()
        };
        assert_eq!(wild.listing_filter().prefix, None);
    }

    #[test]
    fn the_manifest_shape_round_trips_and_refuses_unknown_keys_and_bad_globs() {
        let yaml = "names: [\"logs-*\"]\nexclude: [\"*-tmp\"]\nregions: [eu-west-1]\n\
                    tags:\n  team: data\n  inventory: ~\n";
        let selector: BucketSelector = serde_saphyr::from_str(yaml).unwrap();
        assert_eq!(selector.tags["inventory"], None);
        assert_eq!(selector.tags["team"].as_deref(), Some("data"));
        let json = serde_json::to_value(&selector).unwrap();
        let back: BucketSelector = serde_json::from_value(json).unwrap();
        assert_eq!(back, selector);
        assert!(serde_saphyr::from_str::<BucketSelector>("name: [x]\n").is_err());
        assert!(serde_saphyr::from_str::<BucketSelector>("names: [\"a[0]\"]\n").is_err());
    }
}
