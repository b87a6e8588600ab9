//! What a manifests revision lets the daemon write on one bucket, so that two revisions can be
//! compared: a write that only the newer one allows waits for it to settle ([`super::settle`]).
//!
//! A half-written manifest can allow more than the file it replaces (the `mode: observe` line
//! not written yet, `prune: true` written before the list it prunes against). Each way a
//! revision can allow a write is one field of [`WriteGrant`], filled in by [`WriteGrant::of`];
//! a new one is added there and nowhere else.
//!
//! The state a grant is read from is a revision's *effective* one: its explicit buckets plus
//! the buckets its fleet policies reach over the fleet the daemon discovered
//! ([`super::fleet::Expansion`]). So a policy whose selector newly reaches a bucket (a
//! half-written `exclude:` list, a widened glob) grants `writes` on a bucket that had none
//! (or, on a bucket its manifest names, its own ids: [`WriteGrant::permits_in`]), a policy
//! switched to enforce grants its ids, and a policy that turns `prune` on grants its prefix:
//! all wait for the revision to settle, like a newly named bucket and `prune: true` in a
//! `BucketInventory`.

use std::collections::BTreeSet;

use crate::model::{BucketKey, BucketMode, DesiredBucket, DesiredState, PolicyShare};
use crate::plan::{Action, Change};

/// The writes one revision allows on one bucket.
///
/// A grant only ever widens by gaining a field's permission: `writes` false → true, `prune`
/// false → true, an id joining `overwrite_foreign`, a fleet policy on the bucket switching
/// from observe to enforce or turning `prune` on. Anything narrower is taken at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WriteGrant {
    /// The bucket is named and enforced: its declared configurations may be created and
    /// updated.
    pub writes: bool,
    /// Undeclared live configurations may be deleted (`prune: true`).
    pub prune: bool,
    /// Foreign live configurations the manifest may overwrite (`overwriteForeign: true`).
    pub overwrite_foreign: BTreeSet<String>,
    /// The fleet policies reaching the bucket: an observing one's ids are not written, a
    /// pruning one's undeclared ids (its prefix) may be deleted.
    pub policies: Vec<PolicyShare>,
}

impl WriteGrant {
    /// What revision `state` lets the daemon write on bucket `key`: nothing on a bucket it does
    /// not name or only observes.
    pub(crate) fn of(state: &DesiredState, key: &BucketKey) -> WriteGrant {
        WriteGrant::of_bucket(state.buckets.get(key))
    }

    /// What a revision declaring `bucket` (or, with `None`, not naming it) lets the daemon
    /// write on it.
    pub(crate) fn of_bucket(bucket: Option<&DesiredBucket>) -> WriteGrant {
        match bucket {
            Some(bucket) if bucket.mode == BucketMode::Enforce => WriteGrant {
                writes: true,
                prune: bucket.prune,
                overwrite_foreign: bucket.overwrite_foreign.clone(),
                policies: bucket.policies.clone(),
            },
            _ => WriteGrant::default(),
        }
    }

    /// True when this grant allows `change` (made by planning the bucket's manifest against
    /// its live state).
    pub(crate) fn permits(&self, change: &Change) -> bool {
        if !self.writes || self.observes_by_policy(&change.id) {
            return false;
        }
        let foreign_allowed = change
            .overwrites
            .as_ref()
            .is_none_or(|_| self.overwrite_foreign.contains(&change.id));
        match change.action {
            Action::Delete => self.prunes(&change.id) && foreign_allowed,
            Action::Create | Action::Update | Action::Replace => foreign_allowed,
        }
    }

    /// True when this grant allows `change`, planned from `desired`: as [`Self::permits`], and
    /// the change is not of an id a fleet policy declares that did not reach the bucket in
    /// this grant (a half-written selector reaching a bucket its manifest also names).
    pub(crate) fn permits_in(&self, desired: &DesiredBucket, change: &Change) -> bool {
        self.permits(change)
            && desired
                .declared_by_policy(&change.id)
                .is_none_or(|share| self.reaches(&share.policy))
    }

    /// True when fleet policy `name` reaches the bucket in this grant.
    pub(crate) fn reaches(&self, name: &str) -> bool {
        self.policies.iter().any(|p| p.policy == name)
    }

    /// True when policy `name` reaches the bucket and only observes it.
    pub(crate) fn policy_observes(&self, name: &str) -> bool {
        self.policies
            .iter()
            .any(|p| p.policy == name && p.mode == BucketMode::Observe)
    }

    fn observes_by_policy(&self, id: &str) -> bool {
        self.policies
            .iter()
            .any(|p| p.mode == BucketMode::Observe && p.covers(id))
    }

    fn prunes(&self, id: &str) -> bool {
        self.prune
            || self
                .policies
                .iter()
                .any(|p| p.prune && id.starts_with(&p.id_prefix))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::manifest::parse_document_text;

    /// A revision naming one OSS bucket with `spec_extra` lines and one configuration `a`
    /// declared with `overwriteForeign` when `foreign` is set.
    fn state(spec_extra: &str, foreign: bool) -> DesiredState {
        let yaml = format!(
            "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata: {{name: b}}\nspec:\n  provider: oss\n  bucket: examplebucket\n  region: cn-hangzhou\n{spec_extra}  inventories:\n    - id: a\n      overwriteForeign: {foreign}\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      destination: {{bucket: \"acs:oss:::dest\", accountId: \"1000000000000000\", roleArn: \"acs:ram::1000000000000000:role/R\", format: CSV}}\n"
        );
        let bucket = parse_document_text(Path::new("t.yaml"), &yaml)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .remove(0);
        DesiredState {
            revision: "r".into(),
            buckets: [(bucket.key.clone(), bucket)].into(),
            policies: Vec::new(),
        }
    }

    fn grant(spec_extra: &str, foreign: bool) -> WriteGrant {
        let state = state(spec_extra, foreign);
        let key = state.buckets.keys().next().unwrap().clone();
        WriteGrant::of(&state, &key)
    }

    #[test]
    fn an_observed_or_unnamed_bucket_grants_nothing() {
        let observed = state("  mode: observe\n  prune: true\n", true);
        let key = observed.buckets.keys().next().unwrap().clone();
        assert_eq!(WriteGrant::of(&observed, &key), WriteGrant::default());
        assert_eq!(
            WriteGrant::of(&DesiredState::default(), &key),
            WriteGrant::default()
        );
    }

    fn change(action: Action, id: &str, foreign: bool) -> Change {
        let key = state("", false).buckets.keys().next().unwrap().clone();
        Change {
            action,
            overwrites: foreign.then(|| crate::model::ForeignConfig {
                provider: key.provider,
                id: id.into(),
                raw_xml: String::new(),
                unmodelled: vec!["IncrementalInventory".into()],
            }),
            key,
            id: id.into(),
            before: None,
            after: None,
        }
    }

    #[test]
    fn each_field_allows_its_own_writes_only() {
        let observe = grant("  mode: observe\n  prune: true\n", true);
        let enforce = grant("", false);
        let prune = grant("  prune: true\n", false);
        let foreign = grant("", true);
        let create = change(Action::Create, "a", false);
        let delete = change(Action::Delete, "z", false);
        let overwrite = change(Action::Replace, "a", true);
        let allowed = |grant: &WriteGrant| [&create, &delete, &overwrite].map(|c| grant.permits(c));
        assert_eq!(allowed(&observe), [false, false, false]);
        assert_eq!(allowed(&enforce), [true, false, false]);
        assert_eq!(allowed(&prune), [true, true, false]);
        assert_eq!(allowed(&foreign), [true, false, true]);
    }

    fn share(mode: BucketMode, prune: bool) -> PolicyShare {
        PolicyShare {
            policy: "logs-fleet".into(),
            origin: Default::default(),
            id_prefix: "fleet-".into(),
            prune,
            mode,
            ids: ["fleet-daily".to_string()].into(),
            skipped: Vec::new(),
        }
    }

    #[test]
    fn a_policy_grants_its_own_ids_by_its_mode_and_prunes_only_its_prefix() {
        let with = |share: PolicyShare| WriteGrant {
            policies: vec![share],
            ..grant("", false)
        };
        let observing = with(share(BucketMode::Observe, true));
        let enforcing = with(share(BucketMode::Enforce, false));
        let pruning = with(share(BucketMode::Enforce, true));
        let create = change(Action::Create, "fleet-daily", false);
        let delete_owned = change(Action::Delete, "fleet-old", false);
        let delete_other = change(Action::Delete, "manual", false);
        let create_explicit = change(Action::Create, "a", false);
        let allowed = |grant: &WriteGrant| {
            [&create, &delete_owned, &delete_other, &create_explicit].map(|c| grant.permits(c))
        };
        assert_eq!(allowed(&observing), [false, false, false, true]);
        assert_eq!(allowed(&enforcing), [true, false, false, true]);
        assert_eq!(allowed(&pruning), [true, true, false, true]);
        assert!(observing.policy_observes("logs-fleet") && !pruning.policy_observes("logs-fleet"));
    }

    #[test]
    fn a_policy_newly_reaching_a_named_bucket_is_not_granted_its_ids() {
        let settled = grant("", false);
        let mut desired = state("", false).buckets.into_values().next().unwrap();
        desired.policies = vec![share(BucketMode::Enforce, false)];
        let create = change(Action::Create, "fleet-daily", false);
        assert!(settled.permits(&create), "the bucket itself allows creates");
        assert!(
            !settled.permits_in(&desired, &create),
            "the policy is new here"
        );
        let reached = WriteGrant {
            policies: vec![share(BucketMode::Enforce, false)],
            ..grant("", false)
        };
        assert!(reached.permits_in(&desired, &create));
        assert!(settled.permits_in(&desired, &change(Action::Create, "a", false)));
    }
}
