//! `invsync import --all-buckets`: one manifest per selected bucket of an account, written
//! into a directory, so that a fleet that already has inventories is adopted in one step.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use futures_util::stream::{self, StreamExt};
use invsync::cli::ImportArgs;
use invsync::error_chain::Chain;
use invsync::fleet::{BucketSelector, Glob, Verdict};
use invsync::manifest::import::import;
use invsync::model::{BucketKey, DiscoveredBucket, ProviderBucketOptions};
use invsync::provider::InventoryApi;
use invsync::provider::addressing::is_region_id;
use invsync::provider::discovery::{BucketTags, DiscoveryApi};
use invsync::provider::endpoint_policy::EndpointPolicy;
use invsync::provider::registry::{self, ProviderSpec};
use invsync::reconcile::Clients;

/// Buckets read at once; the transport's rate limit per account and region still applies.
const CONCURRENCY: usize = 8;

/// What became of one listed bucket.
enum Outcome {
    /// The selector does not select it.
    NotSelected,
    /// Its manifest was written to `path`; `left_out` configurations are comments in it.
    Written { path: PathBuf, left_out: usize },
    /// It has no inventory configurations: nothing to adopt.
    NoConfigurations,
    /// It could not be read (its tags or its configurations), or named a bucket invsync
    /// cannot address: the reason, error chain included.
    Unreadable(String),
    /// Its manifest file exists and `--force` was not given.
    Exists(PathBuf),
    /// Its manifest could not be written.
    NotWritten(PathBuf, String),
}

/// What every bucket's import shares.
struct Shared<'a> {
    spec: &'static ProviderSpec,
    selector: &'a BucketSelector,
    discovery: Arc<dyn DiscoveryApi>,
    clients: &'a Clients,
    options: &'a ProviderBucketOptions,
    out: &'a Path,
    force: bool,
}

/// Lists the account's buckets, reads each selected bucket's configurations and writes its
/// manifest (the single-bucket `import` rendering) to `--out/BUCKET.yaml`; prints each file
/// written on stdout and every bucket left out for a reason on stderr.
///
/// Exit codes: 0 every selected bucket was read (those without configurations get no file);
/// 1 some bucket could not be read, a file exists without `--force` or could not be written,
/// or `--strict` and some configuration was left out. The manifests that could be written are
/// written either way. A listing that fails, or a bad flag, is an error before any file.
pub(crate) async fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let Some(out) = args.out.as_deref() else {
        bail!("--all-buckets needs --out DIR");
    };
    check_out_dir(out)?;
    let selector = selector(args)?;
    let options = super::import_options::bucket_options(args)?;
    let clients = super::clients(&args.provider_args, EndpointPolicy::default())?;
    let context = Shared {
        spec: registry::spec(args.provider),
        selector: &selector,
        discovery: clients.discovery(args.provider, &options),
        clients: &clients,
        options: &options,
        out,
        force: args.force,
    };
    let listed = context
        .discovery
        .list_buckets(&selector.listing_filter())
        .await
        .with_context(|| format!("listing the {} account's buckets", context.spec.title))?;
    let outcomes: Vec<(BucketKey, Outcome)> = stream::iter(&listed)
        .map(|bucket| {
            let context = &context;
            async move { (bucket.key(args.provider), import_one(context, bucket).await) }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    report(&outcomes, listed.len(), args.strict)
}

/// `--out` must be an existing directory: manifests are never scattered into a new one.
fn check_out_dir(out: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(out) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => bail!(
            "--out {}: not a directory; name the directory the manifests go into",
            out.display()
        ),
        Err(e) => bail!("--out {}: {e}; create the directory first", out.display()),
    }
}

/// A region becomes part of a host name: it must be a region id, by the provider's rules too.
fn check_region(spec: &ProviderSpec, region: &str) -> Result<(), String> {
    if !is_region_id(region) {
        return Err(format!(
            "region `{}` is not a region id such as `{}`",
            region.escape_debug(),
            spec.region_example
        ));
    }
    (spec.check_region)(region).map_err(|(problem, hint)| format!("{problem} ({hint})"))
}

/// The selector the flags describe.
fn selector(args: &ImportArgs) -> anyhow::Result<BucketSelector> {
    let spec = registry::spec(args.provider);
    for region in &args.region {
        check_region(spec, region).map_err(|problem| anyhow::anyhow!("--region: {problem}"))?;
    }
    let globs = |flag: &str, patterns: &[String]| -> anyhow::Result<Vec<Glob>> {
        patterns
            .iter()
            .map(|p| Glob::new(p).with_context(|| format!("{flag} {p:?}")))
            .collect()
    };
    let mut selector = BucketSelector {
        names: globs("--match", &args.names)?,
        exclude: globs("--exclude", &args.exclude)?,
        regions: args.region.clone(),
        ..BucketSelector::default()
    };
    for tag in &args.tags {
        selector
            .add_tag(tag)
            .with_context(|| format!("--tag {tag:?}"))?;
    }
    Ok(selector)
}

/// Decides on `bucket`, reads it and writes its manifest.
async fn import_one(context: &Shared<'_>, bucket: &DiscoveredBucket) -> Outcome {
    if context.selector.verdict_without_tags(bucket) != Verdict::Selected {
        return Outcome::NotSelected;
    }
    // The name comes from the service: it must be a bucket name before it becomes part of a
    // URL or of a file name.
    if let Err(problem) = (context.spec.check_bucket_name)(&bucket.name) {
        return Outcome::Unreadable(format!(
            "the listing names an invalid bucket: bucket {problem}"
        ));
    }
    if let Err(problem) = check_region(context.spec, &bucket.region) {
        return Outcome::Unreadable(format!("the listing gives an invalid region: {problem}"));
    }
    let tags = if context.selector.needs_tags() {
        match context
            .discovery
            .bucket_tags(&bucket.name, &bucket.region)
            .await
        {
            Ok(tags) => tags,
            Err(e) => return Outcome::Unreadable(format!("reading its tags: {}", Chain(&e))),
        }
    } else {
        BucketTags::new()
    };
    if !context.selector.matches(bucket, &tags) {
        return Outcome::NotSelected;
    }
    let key = bucket.key(context.spec.provider);
    let live = match context.clients.for_bucket_with(&key, None, context.options) {
        Ok(client) => client.list(&key).await,
        Err(e) => Err(e),
    };
    let live = match live {
        Ok(live) => live,
        Err(e) => return Outcome::Unreadable(Chain(&e).to_string()),
    };
    if live.is_empty() {
        return Outcome::NoConfigurations;
    }
    let imported = import(&key, &bucket.name, context.options, &live);
    let path = context.out.join(format!("{}.yaml", bucket.name));
    match write(&path, &imported.yaml, context.force) {
        Ok(()) => Outcome::Written {
            path,
            left_out: imported.left_out,
        },
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Outcome::Exists(path),
        Err(e) => Outcome::NotWritten(path, e.to_string()),
    }
}

/// Writes `text` to `path`: a new file only, unless `force` (then an existing file is
/// replaced). `create_new` also refuses a symlink planted at the path.
fn write(path: &Path, text: &str, force: bool) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// Prints what was written on stdout, every bucket left out for a reason on stderr and a
/// summary; the exit code.
fn report(
    outcomes: &[(BucketKey, Outcome)],
    listed: usize,
    strict: bool,
) -> anyhow::Result<ExitCode> {
    let (mut written, mut empty, mut failed, mut left_out) = (0, 0, 0, 0);
    for (key, outcome) in outcomes {
        match outcome {
            Outcome::NotSelected => {}
            Outcome::Written {
                path,
                left_out: missing,
            } => {
                written += 1;
                super::output::println(&path.display().to_string())?;
                if *missing > 0 {
                    left_out += missing;
                    eprintln!(
                        "invsync: {key}: {missing} configuration(s) could not be expressed as a \
                         manifest; see the comments in {}",
                        path.display()
                    );
                }
            }
            Outcome::NoConfigurations => {
                empty += 1;
                eprintln!("invsync: {key}: no inventory configurations; no manifest written");
            }
            Outcome::Unreadable(reason) => {
                failed += 1;
                eprintln!("invsync: {key}: could not be read: {reason}");
            }
            Outcome::Exists(path) => {
                failed += 1;
                eprintln!(
                    "invsync: {key}: {} exists; not overwritten (--force replaces it)",
                    path.display()
                );
            }
            Outcome::NotWritten(path, reason) => {
                failed += 1;
                eprintln!(
                    "invsync: {key}: could not write {}: {reason}",
                    path.display()
                );
            }
        }
    }
    let selected = outcomes
        .iter()
        .filter(|(_, o)| !matches!(o, Outcome::NotSelected))
        .count();
    eprintln!(
        "invsync: {listed} bucket(s) listed, {selected} selected: {written} manifest(s) written, \
         {empty} without configurations, {failed} failed"
    );
    if failed > 0 || (strict && left_out > 0) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
