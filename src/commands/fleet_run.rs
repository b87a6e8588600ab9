//! Fleet policies in `plan` and `apply`: discover the buckets the policies name, expand them,
//! plan the result and add the fleet report.

use invsync::cli::FleetArgs;
use invsync::fleet::{self, Expanded, RolloutOptions};
use invsync::model::DesiredState;
use invsync::plan::{Plan, PlanOptions};
use invsync::reconcile::{Clients, plan_all};

/// The expanded desired state and its plan, fleet report included.
pub(crate) struct FleetPlan {
    pub expanded: Expanded,
    pub plan: Plan,
}

/// Discovers (only when policies exist), expands, plans and reports coverage and waves.
///
/// `None` when the expansion has errors (two policies declaring one id on one bucket, a
/// policy item its provider refuses for some bucket): they are printed on stderr, and nothing
/// is planned or written.
pub(crate) async fn plan_fleet(
    clients: &Clients,
    desired: DesiredState,
    options: &PlanOptions,
    args: &FleetArgs,
    concurrency: usize,
) -> Option<FleetPlan> {
    let expanded = if desired.policies.is_empty() {
        Expanded {
            desired,
            coverage: Vec::new(),
            errors: Vec::new(),
        }
    } else {
        let snapshot = fleet::discover(&desired.policies, |provider, options| {
            clients.discovery(provider, options)
        })
        .await;
        fleet::expand(&desired, &snapshot)
    };
    if !expanded.errors.is_empty() {
        for diagnostic in &expanded.errors {
            eprintln!("{diagnostic}");
        }
        eprintln!(
            "error: {} problem{} in fleet policies; nothing was written to any provider",
            expanded.errors.len(),
            if expanded.errors.len() == 1 { "" } else { "s" }
        );
        return None;
    }
    let mut plan = plan_all(clients, &expanded.desired, options, concurrency).await;
    if !expanded.desired.policies.is_empty() {
        let rollout = RolloutOptions {
            max_writes_per_pass: usize::try_from(args.max_policy_writes_per_pass)
                .unwrap_or(usize::MAX),
            plan: options.clone(),
        };
        fleet::report(&mut plan, &expanded, &rollout);
    }
    Some(FleetPlan { expanded, plan })
}

/// True when some policy's buckets are not all known: a listing failed or a selected bucket
/// could not be read. Such a run exits 1, as one with an unreadable bucket does.
pub(crate) fn coverage_incomplete(plan: &Plan) -> bool {
    plan.fleet
        .policies
        .iter()
        .any(|c| c.listing_error.is_some() || !c.unreadable.is_empty())
}
