//! `invsync plan`: read live state and print what `apply` would change.

use std::io::IsTerminal;
use std::process::ExitCode;

use invsync::cli::{OutputFormat, PlanArgs};
use invsync::plan::render;

/// Exit codes: 0 success (with `--detailed-exitcode`: in sync), 1 any error (invalid manifests,
/// conflicting policies, a bucket that could not be read, a failed bucket listing), 2 out of sync (with `--detailed-exitcode`): changes
/// pending, or a foreign configuration blocking one, which `apply` will not fix.
pub(crate) async fn run(args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let policy = args.manifests.endpoint_policy();
    let Some(desired) = super::load_or_report(&args.manifests.manifests, &policy) else {
        return Ok(ExitCode::from(1));
    };
    let clients = super::clients(&args.provider, policy)?;
    let options = super::plan_options(&args.safety);
    let Some(fleet) = super::fleet_run::plan_fleet(
        &clients,
        desired,
        &options,
        &args.fleet,
        usize::from(args.provider.concurrency),
    )
    .await
    else {
        return Ok(ExitCode::from(1));
    };
    let mut plan = fleet.plan;
    if args.delivery.delivery_checks {
        // Only buckets whose live state was read: a failed bucket's destinations wait for it.
        let read = plan
            .buckets
            .iter()
            .filter_map(|b| fleet.expanded.desired.buckets.get(&b.key))
            .collect();
        plan.destinations =
            super::destinations::check(&clients, read, usize::from(args.provider.concurrency))
                .await;
    }

    let rendered = match args.output {
        // In a CI log (stdout not a terminal) the summary comes first, so that a collapsed log
        // still tells what the plan does; on a terminal it closes the plan, as people expect.
        OutputFormat::Text if std::io::stdout().is_terminal() => {
            render::text(&plan, super::use_color(args.color))
        }
        OutputFormat::Text => render::text_summary_first(&plan, super::use_color(args.color)),
        OutputFormat::Json => {
            serde_json::to_string_pretty(&invsync::status::plan_json::json(
                &plan,
                std::time::SystemTime::now(),
            ))? + "\n"
        }
        OutputFormat::Markdown => render::markdown(&plan, args.markdown_max_bytes),
    };
    super::output::print(&rendered)?;

    Ok(
        if !plan.failures.is_empty() || super::fleet_run::coverage_incomplete(&plan) {
            ExitCode::from(1)
        } else if args.detailed_exitcode && plan.is_out_of_sync() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        },
    )
}
