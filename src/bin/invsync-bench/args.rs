//! Command-line flags of `invsync-bench`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Measures `invsync` against an in-process emulator: cold apply, steady-state plan and
/// one-bucket drift, each as a child process (so peak RSS is the child's alone); or, with
/// `--scenario fleet`, a fleet of buckets behind one policy per provider.
#[derive(Debug, Parser)]
#[command(name = "invsync-bench", max_term_width = 100)]
pub(crate) struct BenchArgs {
    /// What to measure: `inventory` (bucket manifests: load, cold apply, steady plan, drift,
    /// daemon edits) or `fleet` (fleet policies: steady daemon pass, discovery CPU against the
    /// parse floor, peak RSS, new-bucket time-to-inventory).
    #[arg(long, value_enum, default_value_t = ScenarioSet::Inventory)]
    pub scenario: ScenarioSet,

    /// Buckets in total, spread round-robin over the providers.
    #[arg(long, default_value_t = 20)]
    pub buckets: usize,

    /// Inventory configurations per bucket (at most 100 keeps every LIST to one page).
    #[arg(long, default_value_t = 10)]
    pub configs: usize,

    /// Runs of each scenario; the wall time reported is their median.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,

    /// The full-size run: 1000 buckets x 100 configurations (overrides --buckets/--configs).
    #[arg(long)]
    pub full: bool,

    /// Providers to seed, comma-separated (default: `cos,oss`; with `--scenario fleet` every
    /// provider).
    #[arg(long, value_delimiter = ',')]
    pub providers: Option<Vec<String>>,

    /// Passed to `invsync --concurrency` (buckets in flight).
    #[arg(long, default_value_t = 8)]
    pub concurrency: u16,

    /// Passed to `invsync --max-requests-per-second` (0 = no limit).
    #[arg(long, default_value_t = 0)]
    pub max_requests_per_second: u32,

    /// Manifest edits timed in the daemon scenario (p50/p99 are over these).
    #[arg(long, default_value_t = 20)]
    pub edits: usize,

    /// Leave the daemon scenario out.
    #[arg(long)]
    pub skip_daemon: bool,

    /// Run only the `load` scenarios (manifest loading against the YAML parser's floor, in both
    /// manifest styles).
    #[arg(long)]
    pub load_only: bool,

    /// Delivery checks of every `invsync` run (`INVSYNC_DELIVERY_CHECKS`): off by default, to
    /// measure the inventory reconciles alone as the README's figures do; on adds the
    /// destination and report reads.
    #[arg(long)]
    pub delivery_checks: bool,

    /// Fleet: share of the buckets tagged `inventory: off` (the policies select
    /// `inventory: on`), in percent.
    #[arg(long, default_value_t = 10)]
    pub tagged_out_percent: usize,

    /// Fleet: buckets created one after another while the daemon runs with
    /// `--discover-interval 1s`, each timed until it has its inventory (p50/p99 over these).
    #[arg(long, default_value_t = 20)]
    pub new_buckets: usize,

    /// Fleet: the daemon's `--discover-interval` while one discovery pass is measured alone
    /// (it must begin after the first resync pass has ended; default: from the converging
    /// apply's wall time).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub discover_wait: Option<Duration>,

    /// Write the results as JSON here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// The `invsync` binary to measure (default: next to this one).
    #[arg(long, value_name = "PATH")]
    pub invsync: Option<PathBuf>,
}

/// The scenario sets `invsync-bench` can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ScenarioSet {
    /// Bucket manifests: load, cold apply, steady plan, one-bucket drift, daemon edits.
    Inventory,
    /// Fleet policies over `--buckets` buckets: see `fleet.rs`.
    Fleet,
}

impl BenchArgs {
    /// Buckets and configurations per bucket after `--full`.
    pub(crate) fn size(&self) -> (usize, usize) {
        if self.full {
            (1000, 100)
        } else {
            (self.buckets, self.configs)
        }
    }
}

/// A duration as `invsync` spells it (`30s`, `2m`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    invsync::duration::parse(text).map_err(|e| e.to_string())
}
