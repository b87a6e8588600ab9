//! Planning options: the mass-delete guard (a bucket plan that would delete too much is refused
//! whole) and the `Once` configurations a run may start.

/// Limits that keep a bad manifest change from wiping a bucket's inventories, and the `Once`
/// configurations a run may start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Most deletes one bucket's plan may contain.
    pub max_deletes: usize,
    /// Largest share, in percent, of a bucket's live configurations one plan may delete.
    /// Applies only to buckets with at least [`PERCENT_LIMIT_MIN_LIVE`] live configurations, so
    /// pruning one of two is not a "mass" delete.
    pub max_delete_percent: u8,
    /// Lift both limits.
    pub allow_mass_delete: bool,
    /// Ids of `Once` configurations this run may create or replace (`apply --run-once`). Every
    /// other declared `Once` configuration is reported, never written (see [`OnceState`]).
    ///
    /// [`OnceState`]: super::OnceState
    pub run_once: std::collections::BTreeSet<String>,
}

/// Smallest number of live configurations at which `max_delete_percent` applies.
pub(crate) const PERCENT_LIMIT_MIN_LIVE: usize = 4;

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            max_deletes: 10,
            max_delete_percent: 50,
            allow_mass_delete: false,
            run_once: Default::default(),
        }
    }
}

/// Why a bucket's plan will not be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Deletes the plan contains.
    pub deletes: usize,
    /// Live configurations of the bucket.
    pub live: usize,
    /// Names the limit exceeded, e.g. `would delete 3 of 4 configurations, more than the limit
    /// of 50% of them`.
    pub reason: String,
}

impl PlanOptions {
    /// The refusal for a plan deleting `deletes` of `live` configurations, or `None` when it is
    /// within limits (or limits are lifted).
    ///
    /// A limit is exceeded only when strictly passed: with the defaults, 10 deletes or exactly
    /// half of the live configurations are allowed.
    pub(crate) fn check_deletes(&self, deletes: usize, live: usize) -> Option<Refusal> {
        if self.allow_mass_delete || deletes == 0 {
            return None;
        }
        let reason = if deletes > self.max_deletes {
            format!(
                "would delete {deletes} of {live} configurations, more than the limit of {}",
                self.max_deletes
            )
        } else if live >= PERCENT_LIMIT_MIN_LIVE
            && deletes * 100 > usize::from(self.max_delete_percent) * live
        {
            format!(
                "would delete {deletes} of {live} configurations, more than the limit of {}% of them",
                self.max_delete_percent
            )
        } else {
            return None;
        };
        Some(Refusal {
            deletes,
            live,
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletes_up_to_the_count_limit_are_allowed() {
        let options = PlanOptions::default();
        assert_eq!(options.check_deletes(10, 100), None);
        assert_eq!(options.check_deletes(11, 100).unwrap().deletes, 11);
    }

    #[test]
    fn share_limit_applies_from_four_live_configurations() {
        let options = PlanOptions::default();
        assert_eq!(options.check_deletes(2, 3), None);
        assert_eq!(options.check_deletes(2, 4), None);
        let refusal = options.check_deletes(3, 4).unwrap();
        assert_eq!((refusal.deletes, refusal.live), (3, 4));
        assert!(refusal.reason.contains("50%"), "{}", refusal.reason);
    }

    #[test]
    fn allow_mass_delete_lifts_every_limit() {
        let options = PlanOptions {
            allow_mass_delete: true,
            ..PlanOptions::default()
        };
        assert_eq!(options.check_deletes(1000, 1000), None);
    }
}
