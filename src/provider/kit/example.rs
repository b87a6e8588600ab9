//! [`ProviderExample`]: what a provider shows in the demo and the benchmark, so that neither
//! names a provider.

/// A provider's examples: a bucket it accepts and manifest items in two styles, each a valid
/// manifest of the provider.
pub struct ProviderExample {
    /// What its access key ids start with (`AKID`), for made-up demo and benchmark keys.
    pub key_id_prefix: &'static str,
    /// A bucket name the provider accepts, for example bucket number `n`.
    pub bucket: fn(n: usize) -> String,
    /// The region of the example buckets.
    pub region: &'static str,
    /// The body of a generated item's `destination:` mapping, each line indented eight spaces.
    pub destination: &'static str,
    /// Bucket-level `spec` lines of its own, written as the README writes them (indented two
    /// spaces, each ending in a newline); empty for most providers.
    pub readme_bucket_lines: &'static str,
    /// Item number `n` after its `id`, `enabled` and `includedObjectVersions` lines, written
    /// the way the README's examples are: comments, both quote styles, flow and block
    /// collections; each line indented six spaces and ending in a newline.
    pub readme_item: fn(n: usize) -> String,
}
