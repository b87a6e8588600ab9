//! Command-line arguments as clap parses them; every flag can also be set with an `INVSYNC_*`
//! environment variable.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::duration;
use crate::model::{Endpoint, Provider};
use crate::provider::endpoint_policy::{EndpointPattern, EndpointPolicy};
use crate::provider::registry;

/// What `invsync --version` prints after the name: the crate version and the git commit the
/// binary was built from (`unknown` outside a git checkout, e.g. from a crate tarball).
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("INVSYNC_BUILD_COMMIT"),
    ")"
);

/// Keeps object-storage bucket inventory configurations equal to a directory of YAML manifests.
///
/// Manifests declare, per bucket, the complete set of inventory configurations it should have.
/// `plan` shows what would change, `apply` makes it so, `run` keeps it so.
#[derive(Debug, Parser)]
#[command(
    name = "invsync",
    version = VERSION,
    propagate_version = true,
    max_term_width = 100
)]
#[command(after_help = after_help())]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,

    /// Log format on stderr.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "INVSYNC_LOG_FORMAT"
    )]
    pub log_format: LogFormat,
}

/// The top-level help's closing paragraphs: exit codes, and where each provider of the table
/// takes its credentials from.
fn after_help() -> String {
    let credentials: Vec<String> = Provider::ALL
        .into_iter()
        .map(|provider| {
            let spec = crate::provider::registry::spec(provider);
            let vars = spec.credential_vars;
            let fallback = match spec.credential_fallback {
                "" => String::new(),
                fallback => format!(", {fallback}"),
            };
            format!(
                "{} / {} [/ {}] for {}{fallback}",
                vars.id,
                vars.secret,
                vars.token,
                spec.short_title()
            )
        })
        .collect();
    format!(
        "Exit codes: 0 success (plan --detailed-exitcode: in sync), 1 error or invalid \
         manifests, 2 changes pending (plan --detailed-exitcode only).\n\
         Credentials: {}.",
        credentials.join("; ")
    )
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every manifest offline and print every problem found.
    Validate(ManifestArgs),
    /// Print the JSON Schema of the manifest format (for editors and CI linters).
    Schema,
    /// Read live state and print what `apply` would change.
    Plan(PlanArgs),
    /// Plan, then carry the plan out, bucket by bucket.
    Apply(ApplyArgs),
    /// Print the live inventory configurations of one bucket as a manifest.
    Import(ImportArgs),
    /// Keep reconciling: on start, on manifest change, every interval and on SIGHUP.
    Run(Box<RunArgs>),
    /// Print the conditions (Ready, Reconciling, Stalled) a running daemon reports for its
    /// buckets and configurations, with their report delivery.
    Status(StatusArgs),
    /// Serve a local COS + OSS + S3 inventory API for trying invsync out and for tests.
    Emulator(EmulatorArgs),
    /// Try invsync out: an embedded emulator with drifted live state, reconciled before your eyes.
    Demo(DemoArgs),
    /// Print a shell completion script, e.g. `invsync completions bash > ~/.local/share/bash-completion/completions/invsync`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory.
    Man(ManArgs),
}

/// Where the manifests are.
#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// Directory of `*.yaml` / `*.yml` manifests (searched recursively).
    #[arg(long, short = 'm', env = "INVSYNC_MANIFESTS", value_name = "DIR")]
    pub manifests: PathBuf,

    /// Let manifests send requests to this endpoint (`spec.endpoint`): HOST[:PORT] or
    /// *.DOMAIN[:PORT], optionally after http:// or https:// (repeatable; the environment
    /// variable takes a comma-separated list). Without it a manifest may name only the
    /// providers' own domains over HTTPS; INVSYNC_COS_ENDPOINT / INVSYNC_OSS_ENDPOINT need no
    /// allowing.
    #[arg(
        long = "allow-endpoint",
        value_name = "PATTERN",
        env = "INVSYNC_ALLOWED_ENDPOINTS",
        value_delimiter = ',',
        value_parser = parse_endpoint_pattern
    )]
    pub(crate) allow_endpoints: Vec<EndpointPattern>,
}

impl ManifestArgs {
    /// The endpoints manifests may name.
    pub fn endpoint_policy(&self) -> EndpointPolicy {
        EndpointPolicy::from_patterns(self.allow_endpoints.clone())
    }
}

fn parse_endpoint_pattern(text: &str) -> Result<EndpointPattern, String> {
    EndpointPattern::parse(text).map_err(|e| e.to_string())
}

/// Settings for talking to providers, shared by every command that does.
#[derive(Debug, Args, Clone)]
pub struct ProviderArgs {
    /// Send PROVIDER's requests to URL instead of its public endpoint, e.g.
    /// `--endpoint cos=http://127.0.0.1:9000` (repeatable, one per provider; the environment
    /// variable takes a comma-separated list). The last one of a provider wins, and it wins over
    /// that provider's own flag and variable below. A manifest's `spec.endpoint` takes
    /// precedence.
    #[arg(
        long = "endpoint",
        value_name = "PROVIDER=URL",
        env = "INVSYNC_ENDPOINTS",
        value_delimiter = ',',
        value_parser = EndpointOverrideParser,
        action = clap::ArgAction::Append
    )]
    pub endpoints: Vec<EndpointOverride>,

    /// Send COS requests here instead of https://BUCKET.cos.REGION.myqcloud.com (the Host header
    /// stays virtual-hosted). A manifest's `spec.endpoint` takes precedence.
    #[arg(long, env = "INVSYNC_COS_ENDPOINT", value_name = "URL", value_parser = EndpointParser)]
    pub(crate) cos_endpoint: Option<Endpoint>,

    /// Send OSS requests here instead of https://BUCKET.oss-REGION.aliyuncs.com (path style for
    /// an IP address or localhost). A manifest's `spec.endpoint` takes precedence.
    #[arg(long, env = "INVSYNC_OSS_ENDPOINT", value_name = "URL", value_parser = EndpointParser)]
    pub(crate) oss_endpoint: Option<Endpoint>,

    /// Send S3 requests here instead of https://BUCKET.s3.REGION.amazonaws.com (path style for
    /// an IP address, localhost or a manifest's `forcePathStyle`). A manifest's `spec.endpoint`
    /// takes precedence.
    #[arg(long, env = "INVSYNC_S3_ENDPOINT", value_name = "URL", value_parser = EndpointParser)]
    pub(crate) s3_endpoint: Option<Endpoint>,

    /// OSS request signature version.
    #[arg(
        long,
        value_enum,
        default_value = "v4",
        env = "INVSYNC_OSS_SIGNATURE_VERSION"
    )]
    pub oss_signature_version: OssSignatureArg,

    /// How many buckets are read or written at the same time.
    #[arg(long, default_value_t = 8, env = "INVSYNC_CONCURRENCY", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// Attempts per API call before a transport error, 5xx or throttling answer is given up on.
    #[arg(long, default_value_t = 5, env = "INVSYNC_MAX_ATTEMPTS", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,

    /// Most requests per second per provider account and region (the rate halves on
    /// throttling answers and recovers as requests succeed); 0 means no limit.
    #[arg(long, default_value_t = 500, env = "INVSYNC_MAX_REQUESTS_PER_SECOND")]
    pub max_requests_per_second: u32,

    /// Time limit of one HTTP request, e.g. `30s`.
    #[arg(long, default_value = "30s", env = "INVSYNC_REQUEST_TIMEOUT", value_parser = duration::parse_positive)]
    pub request_timeout: Duration,
}

impl ProviderArgs {
    /// The endpoint overrides given, by provider (`--cos-endpoint` is `cos`'s, and so on;
    /// `--endpoint PROVIDER=URL` wins over them, its last value per provider over earlier ones).
    pub fn endpoint_overrides(&self) -> BTreeMap<Provider, Endpoint> {
        let own_flags = [
            ("cos", &self.cos_endpoint),
            ("oss", &self.oss_endpoint),
            ("s3", &self.s3_endpoint),
        ]
        .into_iter()
        .filter_map(|(name, endpoint)| Some((Provider::from_name(name)?, endpoint.clone()?)));
        let generic = self
            .endpoints
            .iter()
            .map(|e| (e.provider, e.endpoint.clone()));
        own_flags.chain(generic).collect()
    }
}

/// One `--endpoint PROVIDER=URL`: the provider, and its endpoint, read once here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointOverride {
    /// The provider named before `=`.
    pub provider: Provider,
    /// The URL after `=`, validated; it replaces that provider's public endpoint.
    pub endpoint: Endpoint,
}

/// Reads `PROVIDER=URL`. Its errors name the flag and the known providers but never quote the
/// value: an endpoint written with a password must not reach a terminal or a log.
#[derive(Debug, Clone, Copy)]
struct EndpointOverrideParser;

impl clap::builder::TypedValueParser for EndpointOverrideParser {
    type Value = EndpointOverride;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<EndpointOverride, clap::Error> {
        parse_endpoint_override(value.to_str().unwrap_or("")).map_err(|message| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("{message}\n"),
            )
            .with_cmd(cmd)
        })
    }
}

/// The endpoint of `--endpoint PROVIDER=URL`; an error is the whole message, flag included.
fn parse_endpoint_override(text: &str) -> Result<EndpointOverride, String> {
    let known = || {
        Provider::ALL
            .iter()
            .map(|p| registry::spec(*p).name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((name, url)) = text.split_once('=') else {
        return Err(format!(
            "--endpoint: expected PROVIDER=URL, e.g. cos=http://127.0.0.1:9000 (providers: {})",
            known()
        ));
    };
    let Some(provider) = Provider::from_name(name) else {
        return Err(format!(
            "--endpoint: unknown provider `{}` (providers: {})",
            name.escape_debug(),
            known()
        ));
    };
    let endpoint = Endpoint::parse(url).map_err(|e| format!("--endpoint {provider}=URL: {e}"))?;
    Ok(EndpointOverride { provider, endpoint })
}

/// Reads a provider's own endpoint flag (`--cos-endpoint URL`). Its errors name the flag and
/// its variable and show at most `scheme://host[:port]` of the value.
#[derive(Debug, Clone, Copy)]
struct EndpointParser;

impl clap::builder::TypedValueParser for EndpointParser {
    type Value = Endpoint;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Endpoint, clap::Error> {
        Endpoint::parse(value.to_str().unwrap_or("")).map_err(|e| {
            let flag = arg.and_then(clap::Arg::get_long).unwrap_or("endpoint");
            let variable = arg
                .and_then(clap::Arg::get_env)
                .map(|v| format!(" ({})", v.to_string_lossy()))
                .unwrap_or_default();
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("--{flag}{variable}: {e}\n"),
            )
            .with_cmd(cmd)
        })
    }
}

/// Safety limits on deletions.
#[derive(Debug, Args, Clone)]
pub struct SafetyArgs {
    /// Refuse a bucket's plan when it would delete more than this many configurations.
    #[arg(long, default_value_t = 10, env = "INVSYNC_MAX_DELETES")]
    pub max_deletes: usize,

    /// Refuse a bucket's plan when it would delete more than this share (percent) of its live
    /// configurations (buckets with at least 4 live configurations).
    #[arg(long, default_value_t = 50, env = "INVSYNC_MAX_DELETE_PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub max_delete_percent: u8,

    /// Carry out deletions beyond the limits above.
    #[arg(long, env = "INVSYNC_ALLOW_MASS_DELETE")]
    pub allow_mass_delete: bool,
}

/// Limits of fleet policy rollouts (`plan`, `apply`, `run`: per discovery interval).
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// Write to at most this many buckets through policies in one pass: a policy change
    /// touching more is rolled out in waves, the first buckets (in key order) now, the rest by
    /// the next runs; the plan says how many passes remain.
    #[arg(long, default_value_t = 100, env = "INVSYNC_MAX_POLICY_WRITES_PER_PASS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_policy_writes_per_pass: u64,
}

/// Delivery checks of `plan` and `apply`: read-only calls on each configuration's report
/// destination.
#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// Check that each configuration's destination lets the inventory service write its reports
    /// (one bucket policy read per destination bucket), and show the statement to add where it
    /// does not: `on` or `off`.
    #[arg(long, default_value = "on", env = "INVSYNC_DELIVERY_CHECKS", value_name = "on|off", value_parser = parse_switch, action = clap::ArgAction::Set)]
    pub delivery_checks: bool,
}

/// Reads `on` or `off`.
fn parse_switch(text: &str) -> Result<bool, String> {
    match text {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(format!("expected `on` or `off`, got `{other}`")),
    }
}

/// Plan output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable, coloured on a terminal.
    Text,
    /// Machine-readable (format_version 1).
    Json,
    /// For pull-request comments, bounded in size.
    Markdown,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Even when stdout is a pipe or a file.
    Always,
    /// Plain text, whatever stdout is.
    Never,
}

/// `invsync plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Where the manifests are (`--manifests`, `--allow-endpoint`).
    #[command(flatten)]
    pub manifests: ManifestArgs,
    /// How providers are reached (endpoints, retries, rate and time limits).
    #[command(flatten)]
    pub provider: ProviderArgs,
    /// Limits on deletions (`--max-deletes`, `--max-delete-percent`, `--allow-mass-delete`).
    #[command(flatten)]
    pub safety: SafetyArgs,
    /// Limits of fleet policy rollouts (`--max-policy-writes-per-pass`).
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Delivery checks (`--delivery-checks`).
    #[command(flatten)]
    pub delivery: DeliveryArgs,

    /// Output format.
    #[arg(
        long,
        short = 'o',
        value_enum,
        default_value = "text",
        env = "INVSYNC_OUTPUT"
    )]
    pub output: OutputFormat,

    /// Exit 2 when changes are pending, 0 when everything is in sync.
    #[arg(long, env = "INVSYNC_DETAILED_EXITCODE")]
    pub detailed_exitcode: bool,

    /// Colour text output.
    #[arg(long, value_enum, default_value = "auto", env = "INVSYNC_COLOR")]
    pub color: ColorChoice,

    /// Largest Markdown output in bytes (GitHub comments hold 65536).
    #[arg(long, default_value_t = 60_000, env = "INVSYNC_MARKDOWN_MAX_BYTES")]
    pub markdown_max_bytes: usize,
}

/// `invsync apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Where the manifests are (`--manifests`, `--allow-endpoint`).
    #[command(flatten)]
    pub manifests: ManifestArgs,
    /// How providers are reached (endpoints, retries, rate and time limits).
    #[command(flatten)]
    pub provider: ProviderArgs,
    /// Limits on deletions (`--max-deletes`, `--max-delete-percent`, `--allow-mass-delete`).
    #[command(flatten)]
    pub safety: SafetyArgs,
    /// Limits of fleet policy rollouts (`--max-policy-writes-per-pass`).
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Delivery checks (`--delivery-checks`).
    #[command(flatten)]
    pub delivery: DeliveryArgs,

    /// Write nothing to a bucket with a configuration whose destination is not ready (the
    /// bucket fails, the statement to add is printed); by default such configurations are
    /// written and only reported.
    #[arg(long, env = "INVSYNC_REQUIRE_READY_DESTINATION")]
    pub require_ready_destination: bool,

    /// Start the declared `Once` configuration ID (create it, or replace it when it differs):
    /// without this flag `Once` configurations are never written. Repeat or comma-separate
    /// for several.
    #[arg(
        long = "run-once",
        value_name = "ID",
        value_delimiter = ',',
        env = "INVSYNC_RUN_ONCE"
    )]
    pub run_once: Vec<String>,

    /// Colour text output.
    #[arg(long, value_enum, default_value = "auto", env = "INVSYNC_COLOR")]
    pub color: ColorChoice,
}

/// `invsync run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Where the manifests are (`--manifests`, `--allow-endpoint`).
    #[command(flatten)]
    pub manifests: ManifestArgs,
    /// How providers are reached (endpoints, retries, rate and time limits).
    #[command(flatten)]
    pub provider: ProviderArgs,
    /// Limits on deletions (`--max-deletes`, `--max-delete-percent`, `--allow-mass-delete`).
    #[command(flatten)]
    pub safety: SafetyArgs,
    /// Limits of fleet policy rollouts (`--max-policy-writes-per-pass`).
    #[command(flatten)]
    pub fleet: FleetArgs,

    /// Re-read the live state of every managed bucket this often (± 10 % jitter) and correct
    /// drift, e.g. `5m`.
    #[arg(long, default_value = "5m", env = "INVSYNC_INTERVAL", value_parser = duration::parse_positive)]
    pub interval: Duration,

    /// List the buckets of every provider a fleet policy names this often (± 10 % jitter), so
    /// a bucket created later is covered within one interval, e.g. `5m`; also at start and
    /// at once after a push to the hook. Unused without policies.
    #[arg(long, default_value = "5m", env = "INVSYNC_DISCOVER_INTERVAL", value_parser = duration::parse_positive)]
    pub discover_interval: Duration,

    /// Reuse a listed bucket's tags across discovery passes for this long, e.g. `30m`: a
    /// steady pass then reads the listing pages and only the tags of new buckets and of those
    /// not read for this long, so a tag changed on a known bucket is seen within it; `0s`
    /// reads every tag on every pass. Unused when no selector names tags.
    #[arg(long, default_value = "30m", env = "INVSYNC_TAG_REFRESH_INTERVAL", value_parser = duration::parse)]
    pub tag_refresh_interval: Duration,

    /// Look at each configuration's destination and newest report at most once per schedule
    /// period (bucket policy, one listing, the report's manifest and checksum), and serve what
    /// was found on /status and /metrics: `on` or `off`.
    #[arg(long, default_value = "on", env = "INVSYNC_DELIVERY_CHECKS", value_name = "on|off", value_parser = parse_switch, action = clap::ArgAction::Set)]
    pub delivery_checks: bool,

    /// How late a report may be before it is overdue, beyond its schedule's period, e.g.
    /// `48h` (S3 delivers a first report within 48 hours).
    #[arg(long, default_value = "48h", env = "INVSYNC_REPORT_GRACE", value_parser = duration::parse)]
    pub report_grace: Duration,

    /// Observe only: report drift in logs and metrics, never write.
    #[arg(long, env = "INVSYNC_DRY_RUN")]
    pub dry_run: bool,

    /// Address of the /metrics, /healthz and /readyz endpoints.
    #[arg(long, default_value = "127.0.0.1:9464", env = "INVSYNC_LISTEN")]
    pub listen: SocketAddr,

    /// Read every provider's keys from this KEY=VALUE file (TENCENTCLOUD_SECRET_ID, …,
    /// ALIBABA_CLOUD_ACCESS_KEY_ID, …, AWS_ACCESS_KEY_ID, …) instead of the environment;
    /// re-read when it changes.
    #[arg(long, env = "INVSYNC_CREDENTIALS_FILE", value_name = "FILE")]
    pub credentials_file: Option<PathBuf>,

    /// Quiet time after a manifest change before it is loaded, e.g. `100ms`.
    #[arg(long, default_value = "100ms", env = "INVSYNC_DEBOUNCE", value_parser = duration::parse)]
    pub debounce: Duration,

    /// Delete or replace configurations, and make any write the previous revision did not
    /// allow (observe → enforce, prune turned on, an overwriteForeign opt-in, a new bucket),
    /// only for manifests unchanged this long (re-read and compared before writing), so a
    /// half-written file never deletes or corrects an observed bucket; other creates and
    /// updates go ahead at once, and git-sync swaps (complete by construction) need no wait.
    /// E.g. `5s`, at most `365d`.
    #[arg(long, default_value = "5s", env = "INVSYNC_SETTLE", value_parser = duration::parse)]
    pub settle: Duration,

    /// How long in-flight reconciles may take to finish after SIGTERM / SIGINT.
    #[arg(long, default_value = "20s", env = "INVSYNC_SHUTDOWN_GRACE", value_parser = duration::parse)]
    pub shutdown_grace: Duration,

    /// Where drift notifications go (`--notify-webhook`, `--notify-config`).
    #[command(flatten)]
    pub notify: NotifyArgs,

    /// The push hook that triggers a manifest reload (`--hook-listen`).
    #[command(flatten)]
    pub hook: HookArgs,

    /// Run as one of this many replicas, each reconciling a stable hash-shard of the buckets.
    #[arg(long, default_value_t = 1, env = "INVSYNC_SHARD_COUNT")]
    pub shard_count: u32,

    /// This replica's shard, 0-based (default with --shard-count above 1: the ordinal at the
    /// end of the host name, as a StatefulSet pod `invsync-2` has).
    #[arg(long, env = "INVSYNC_SHARD_INDEX")]
    pub shard_index: Option<u32>,
}

/// The push hook of `invsync run`.
#[derive(Debug, Args, Clone)]
pub struct HookArgs {
    /// Serve `POST /hooks/git` here (GitHub, GitLab or HMAC-signed push notifications trigger
    /// an immediate manifest reload); off when unset. Needs --hook-secret-file.
    #[arg(
        long,
        env = "INVSYNC_HOOK_LISTEN",
        value_name = "ADDR",
        requires = "hook_secret_file"
    )]
    pub hook_listen: Option<SocketAddr>,

    /// File holding the hook's shared secret (the webhook secret / token configured in GitHub
    /// or GitLab).
    #[arg(long, env = "INVSYNC_HOOK_SECRET_FILE", value_name = "FILE")]
    pub hook_secret_file: Option<PathBuf>,

    /// After a push, keep reloading this long until the manifests revision changes (git-sync
    /// may still be fetching).
    #[arg(long, default_value = "30s", env = "INVSYNC_HOOK_RELOAD_WINDOW", value_parser = duration::parse)]
    pub hook_reload_window: Duration,
}

/// Where `invsync run` posts drift notifications.
#[derive(Debug, Args, Clone)]
pub struct NotifyArgs {
    /// Post drift, corrections, failures, blocked plans and rejected revisions to this webhook,
    /// written `[FORMAT=]URL` with FORMAT json (default), slack, teams or googlechat
    /// (repeatable; comma-separated in the variable). The URL is never logged.
    #[arg(
        long = "notify-webhook",
        value_name = "[FORMAT=]URL",
        env = "INVSYNC_NOTIFY_WEBHOOKS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub notify_webhooks: Vec<String>,

    /// More webhooks, with names, event selections and URLs read from files (YAML).
    #[arg(long, env = "INVSYNC_NOTIFY_CONFIG", value_name = "FILE")]
    pub notify_config: Option<PathBuf>,

    /// Send the same drift, failure or rejection at most once per this window.
    #[arg(long, default_value = "1h", env = "INVSYNC_NOTIFY_DEDUP_WINDOW", value_parser = duration::parse)]
    pub notify_dedup_window: Duration,
}

/// `invsync demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory of manifests to reconcile the emulator against (default: the example
    /// manifests built into the binary, written to a temporary directory).
    #[arg(long, short = 'm', value_name = "DIR", env = "INVSYNC_MANIFESTS")]
    pub manifests: Option<PathBuf>,

    /// Exit 0 after the first convergence instead of watching for edits.
    #[arg(long, env = "INVSYNC_DEMO_ONCE")]
    pub once: bool,

    /// Resync interval of the demo daemon.
    #[arg(long, default_value = "30s", value_parser = duration::parse_positive, env = "INVSYNC_DEMO_INTERVAL")]
    pub interval: Duration,
}

/// `invsync completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum, env = "INVSYNC_COMPLETIONS_SHELL")]
    pub shell: clap_complete::Shell,
}

/// `invsync status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The daemon's endpoints (its `--listen` address), as an http:// URL.
    #[arg(
        long,
        default_value = "http://127.0.0.1:9464",
        env = "INVSYNC_STATUS_FROM",
        value_name = "URL"
    )]
    pub from: String,

    /// Only this bucket: PROVIDER/BUCKET, e.g. `s3/logs`.
    #[arg(long, value_name = "PROVIDER/BUCKET", env = "INVSYNC_STATUS_BUCKET")]
    pub bucket: Option<String>,

    /// `table` for people, `json` as the daemon serves it.
    #[arg(
        long,
        value_enum,
        default_value = "table",
        env = "INVSYNC_STATUS_OUTPUT"
    )]
    pub output: StatusOutput,
}

/// How `invsync status` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusOutput {
    /// One aligned row per bucket and configuration.
    Table,
    /// The daemon's JSON, as served.
    Json,
}

/// `invsync man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `invsync.1` and one `invsync-COMMAND.1` per command into this directory instead
    /// of printing `invsync.1`.
    #[arg(long, value_name = "DIR", env = "INVSYNC_MAN_DIR")]
    pub dir: Option<PathBuf>,
}

/// `invsync import`.
#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("what")
        .required(true)
        .args(["bucket", "all_buckets"])
))]
pub struct ImportArgs {
    /// The bucket's provider (with --all-buckets: whose account is listed).
    #[arg(long, value_enum, env = "INVSYNC_IMPORT_PROVIDER")]
    pub provider: Provider,
    /// Bucket name (COS: `name-appid`).
    #[arg(long, env = "INVSYNC_IMPORT_BUCKET")]
    pub bucket: Option<String>,
    /// Region id, e.g. `ap-guangzhou` or `cn-hangzhou`. With --all-buckets: import only
    /// buckets in this region (repeatable).
    #[arg(
        long,
        env = "INVSYNC_IMPORT_REGION",
        value_delimiter = ',',
        value_name = "REGION",
        required_unless_present = "all_buckets"
    )]
    pub region: Vec<String>,
    /// `metadata.name` of the printed manifest (default: the bucket name).
    #[arg(long, env = "INVSYNC_IMPORT_NAME", conflicts_with = "all_buckets")]
    pub name: Option<String>,
    /// Exit 1 when a configuration cannot be expressed as a manifest (it is printed as a
    /// comment either way).
    #[arg(long, env = "INVSYNC_IMPORT_STRICT")]
    pub strict: bool,
    /// S3: the 12-digit account that must own the bucket, sent as
    /// `x-amz-expected-bucket-owner` (a bucket of another account is refused) and printed as
    /// `expectedBucketOwner` in the manifest.
    #[arg(
        long,
        env = "INVSYNC_IMPORT_EXPECTED_BUCKET_OWNER",
        value_name = "ACCOUNT"
    )]
    pub expected_bucket_owner: Option<String>,
    /// S3: the AWS shared-config profile (`~/.aws/config`) whose credentials read the bucket
    /// (with --all-buckets, list the account too), printed as `profile` in the manifest.
    #[arg(long, env = "INVSYNC_IMPORT_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Import every bucket of the account that the selector flags select (--match,
    /// --exclude, --region, --tag), one manifest file per bucket with configurations, into
    /// --out.
    #[arg(long, env = "INVSYNC_IMPORT_ALL_BUCKETS", requires = "out")]
    pub all_buckets: bool,
    /// With --all-buckets: the existing directory the manifests are written into, one
    /// `BUCKET.yaml` each.
    #[arg(
        long,
        env = "INVSYNC_IMPORT_OUT",
        value_name = "DIR",
        requires = "all_buckets"
    )]
    pub out: Option<PathBuf>,
    /// With --all-buckets: import only buckets whose name matches GLOB (`*` any run of
    /// characters, `?` one; repeatable, any of them).
    #[arg(
        long = "match",
        env = "INVSYNC_IMPORT_MATCH",
        value_delimiter = ',',
        value_name = "GLOB",
        requires = "all_buckets"
    )]
    pub names: Vec<String>,
    /// With --all-buckets: never import buckets whose name matches GLOB (repeatable).
    #[arg(
        long,
        env = "INVSYNC_IMPORT_EXCLUDE",
        value_delimiter = ',',
        value_name = "GLOB",
        requires = "all_buckets"
    )]
    pub exclude: Vec<String>,
    /// With --all-buckets: import only buckets carrying tag KEY with VALUE, or tag KEY with any
    /// value (repeatable, all of them). Costs one tag read per candidate bucket.
    #[arg(
        long = "tag",
        env = "INVSYNC_IMPORT_TAGS",
        value_delimiter = ',',
        value_name = "KEY[=VALUE]",
        requires = "all_buckets"
    )]
    pub tags: Vec<String>,
    /// With --all-buckets: replace manifest files that already exist in --out.
    #[arg(long, env = "INVSYNC_IMPORT_FORCE", requires = "all_buckets")]
    pub force: bool,
    /// How the provider is reached (endpoints, retries, rate and time limits).
    #[command(flatten)]
    pub provider_args: ProviderArgs,
}

/// `invsync emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to serve on; port 0 picks a free one (printed on stdout).
    #[arg(
        long,
        default_value = "127.0.0.1:9000",
        env = "INVSYNC_EMULATOR_LISTEN"
    )]
    pub listen: SocketAddr,

    /// Keep configurations in this file across restarts.
    #[arg(long, env = "INVSYNC_EMULATOR_STATE", value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Answer 404 NoSuchBucket for buckets not given with --bucket.
    #[arg(long, env = "INVSYNC_EMULATOR_STRICT_BUCKETS")]
    pub strict_buckets: bool,

    /// A bucket that exists with --strict-buckets, as `cos:NAME`, `oss:NAME` or `s3:NAME`
    /// (repeatable).
    #[arg(
        long = "bucket",
        value_name = "PROVIDER:NAME",
        env = "INVSYNC_EMULATOR_BUCKETS",
        value_delimiter = ','
    )]
    pub buckets: Vec<String>,

    /// Reject PUTs without Content-MD5.
    #[arg(long, env = "INVSYNC_EMULATOR_REQUIRE_CONTENT_MD5")]
    pub require_content_md5: bool,

    /// The region of the emulated S3 buckets: requests signed for another region get 400
    /// AuthorizationHeaderMalformed naming this one.
    #[arg(
        long,
        default_value = crate::emulator::config::DEFAULT_S3_REGION,
        env = "INVSYNC_EMULATOR_S3_REGION",
        value_name = "REGION"
    )]
    pub s3_region: String,

    /// The 12-digit account that owns the emulated S3 buckets (checked against
    /// x-amz-expected-bucket-owner).
    #[arg(
        long,
        default_value = crate::emulator::config::DEFAULT_S3_ACCOUNT_ID,
        env = "INVSYNC_EMULATOR_S3_ACCOUNT_ID",
        value_name = "ACCOUNT"
    )]
    pub s3_account_id: String,
}

/// `--provider` values: every provider of the table, by its manifest name.
impl ValueEnum for Provider {
    fn value_variants<'a>() -> &'a [Self] {
        &Provider::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// `--oss-signature-version` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OssSignatureArg {
    /// Signature V1: HMAC-SHA1, not scoped to a region.
    V1,
    /// Signature V4: HMAC-SHA256 scoped to the region and day (`OSS4-HMAC-SHA256`).
    V4,
}

/// `--log-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per line, fields as keys.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_flag_can_be_set_with_an_invsync_environment_variable() {
        let command = Cli::command();
        let mut missing = Vec::new();
        for sub in command.get_subcommands() {
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                match arg.get_env().and_then(|e| e.to_str()) {
                    Some(env) if env.starts_with("INVSYNC_") => {}
                    _ => missing.push(format!("{} --{id}", sub.get_name())),
                }
            }
        }
        assert!(
            missing.is_empty(),
            "flags without INVSYNC_* env: {missing:?}"
        );
    }

    #[test]
    fn run_defaults_match_the_documented_ones() {
        let cli = Cli::try_parse_from(["invsync", "run", "--manifests", "m"]).unwrap();
        let Command::Run(args) = cli.command else {
            panic!("run")
        };
        assert_eq!(args.interval, Duration::from_secs(300));
        assert_eq!(args.listen.to_string(), "127.0.0.1:9464");
        assert!(!args.dry_run);
        let cli = Cli::try_parse_from(["invsync", "demo", "--once"]).unwrap();
        let Command::Demo(args) = cli.command else {
            panic!("demo")
        };
        assert_eq!(args.manifests, None, "the built-in examples");
        assert!(args.once);
    }
}
