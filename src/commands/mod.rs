//! One module per subcommand; each returns the process exit code or an error to print.

pub(crate) mod apply;
pub(crate) mod completions;
pub(crate) mod demo;
pub(crate) mod destinations;
pub(crate) mod emulator;
pub(crate) mod fleet_run;
pub(crate) mod import;
pub(crate) mod import_all;
pub(crate) mod import_options;
pub(crate) mod output;
pub(crate) mod plan;
pub(crate) mod run;
pub(crate) mod schema;
pub(crate) mod status;
pub(crate) mod validate;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use invsync::cli::{ColorChoice, OssSignatureArg, ProviderArgs, SafetyArgs};
use invsync::manifest::{self, ManifestErrors};
use invsync::metrics::Metrics;
use invsync::model::DesiredState;
use invsync::model::Provider;
use invsync::plan::PlanOptions;
use invsync::provider::CredentialSource;
use invsync::provider::client_settings::SignatureVersion;
use invsync::provider::endpoint_policy::EndpointPolicy;
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::rate_limit::{RateLimiter, RateSettings};
use invsync::provider::registry;
use invsync::reconcile::{ClientSettings, Clients};
use invsync::watch;

/// Loads and validates the manifests, endpoints against `policy` included, stamping the git
/// commit as the revision when the directory resolves through a git-sync checkout named after
/// it (`/git/current/manifests`).
pub(crate) fn load_manifests(
    dir: &Path,
    policy: &EndpointPolicy,
) -> Result<DesiredState, ManifestErrors> {
    let mut desired = manifest::load_dir(dir)?;
    manifest::check_endpoints(&desired, policy)?;
    if let Some(commit) = watch::resolve(dir).ok().and_then(|r| r.revision_hint) {
        desired.revision = commit;
    }
    Ok(desired)
}

/// [`load_manifests`] for commands that go on to talk to providers: on invalid manifests every
/// problem is printed and `None` returned, and the command must stop (exit 1) before any
/// request.
pub(crate) fn load_or_report(dir: &Path, policy: &EndpointPolicy) -> Option<DesiredState> {
    load_manifests(dir, policy)
        .map_err(|errors| print_manifest_errors(&errors))
        .ok()
}

/// Prints every manifest problem to stderr, then a count.
pub(crate) fn print_manifest_errors(errors: &ManifestErrors) {
    for diagnostic in &errors.diagnostics {
        eprintln!("{diagnostic}");
    }
    eprintln!(
        "error: {} problem{} in manifests; nothing was read from or written to any provider",
        errors.diagnostics.len(),
        if errors.diagnostics.len() == 1 {
            ""
        } else {
            "s"
        }
    );
}

/// Provider clients as the flags and environment describe them.
pub(crate) fn clients(args: &ProviderArgs, policy: EndpointPolicy) -> anyhow::Result<Clients> {
    build_clients(
        client_settings(args, policy),
        registry::credentials_for_all(None),
        None,
    )
}

/// Endpoints, signature version and HTTP limits from the flags; `policy` says which
/// endpoints manifests may name.
pub(crate) fn client_settings(args: &ProviderArgs, policy: EndpointPolicy) -> ClientSettings {
    ClientSettings {
        endpoints: args.endpoint_overrides(),
        endpoint_policy: policy,
        oss_signature: match args.oss_signature_version {
            OssSignatureArg::V1 => SignatureVersion::V1,
            OssSignatureArg::V4 => SignatureVersion::V4,
        },
        http: HttpSettings {
            request_timeout: args.request_timeout,
            max_attempts: args.max_attempts,
            ..HttpSettings::default()
        },
        max_requests_per_second: args.max_requests_per_second,
    }
}

/// Clients over one new transport, counting every request attempt in `metrics` when given.
pub(crate) fn build_clients(
    settings: ClientSettings,
    credentials: BTreeMap<Provider, Arc<dyn CredentialSource>>,
    metrics: Option<&Metrics>,
) -> anyhow::Result<Clients> {
    let mut transport = Transport::new(settings.http.clone())?;
    if let Some(metrics) = metrics {
        transport = transport.with_observer(Arc::new(metrics.clone()));
    }
    if settings.max_requests_per_second > 0 {
        let rate = RateSettings::with_max_rate(f64::from(settings.max_requests_per_second));
        transport = transport.with_rate_limiter(Arc::new(RateLimiter::new(rate)));
    }
    Ok(Clients::new(settings, transport, credentials))
}

/// Plan safety limits from the flags.
pub(crate) fn plan_options(args: &SafetyArgs) -> PlanOptions {
    PlanOptions {
        max_deletes: args.max_deletes,
        max_delete_percent: args.max_delete_percent,
        allow_mass_delete: args.allow_mass_delete,
        run_once: Default::default(),
    }
}

/// Whether to colour text on stdout.
pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}
