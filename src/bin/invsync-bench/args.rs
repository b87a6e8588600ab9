//! Command-line flags of `invsync-bench`.

use std::path::PathBuf;

use clap::Parser;

/// Measures `invsync` against an in-process emulator: cold apply, steady-state plan and
/// one-bucket drift, each as a child process (so peak RSS is the child's alone).
#[derive(Debug, Parser)]
#[command(name = "invsync-bench", max_term_width = 100)]
pub(crate) struct BenchArgs {
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

    /// Providers to seed, comma-separated.
    #[arg(long, default_value = "cos,oss", value_delimiter = ',')]
    pub providers: Vec<String>,

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

    /// Write the results as JSON here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// The `invsync` binary to measure (default: next to this one).
    #[arg(long, value_name = "PATH")]
    pub invsync: Option<PathBuf>,
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
