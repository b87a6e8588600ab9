//! A revision that widens what may be written waits for the settle window like a delete does:
//! observe → enforce, `prune` turned on, an `overwriteForeign` opt-in, a newly named bucket,
//! a fleet policy reaching a bucket or switching from observe to enforce.
//! Narrowing revisions are taken at once. Reconciles run against the in-memory provider with
//! paused tokio time; revisions are real files, which the gate re-reads before writing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use invsync::metrics::Metrics;
use invsync::model::{BucketKey, DesiredBucket, ForeignConfig, LiveConfig, Provider};
use invsync::plan::PlanOptions;
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::memory::MemoryInventory;
use invsync::provider::{CredentialSource, Credentials, StaticCredentials};
use invsync::reconcile::{
    Action, Applied, ApplySettings, ClientSettings, Clients, ReconcileContext, Reconciled,
    SettleGate, next_action, reconcile_with,
};

const WINDOW: Duration = Duration::from_secs(2);
const BUCKET: &str = "examplebucket-1250000000";

/// One COS configuration `(id, prefix)` of a manifest, opted in to overwriting a foreign live
/// one when `foreign`.
fn item(id: &str, prefix: &str, foreign: bool) -> String {
    format!(
        "    - id: {id}\n      overwriteForeign: {foreign}\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      filter: {{prefix: {prefix}}}\n      destination:\n        bucket: qcs::cos:ap-guangzhou::inventory-1250000000\n        format: CSV\n"
    )
}

/// A manifest of `bucket` with `items`, then the spec lines `tail` (after the list, as a
/// `mode: observe` line at the end of a file is).
fn manifest(bucket: &str, items: &[String], tail: &str) -> String {
    format!(
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata:\n  name: {bucket}\nspec:\n  provider: cos\n  bucket: {bucket}\n  region: ap-guangzhou\n  inventories:\n{}{tail}",
        items.concat()
    )
}

fn key(bucket: &str) -> BucketKey {
    BucketKey {
        provider: Provider::COS,
        bucket: bucket.into(),
        region: "ap-guangzhou".into(),
    }
}

fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}

/// A manifests directory, the gate the daemon would keep for it, and the provider.
struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    context: ReconcileContext,
    api: MemoryInventory,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().canonicalize().unwrap();
        let credentials: Arc<dyn CredentialSource> =
            Arc::new(StaticCredentials(Credentials::new("id", "secret")));
        let clients = Clients::new(
            ClientSettings::default(),
            Transport::new(HttpSettings::default()).unwrap(),
            Provider::ALL
                .into_iter()
                .map(|p| (p, credentials.clone()))
                .collect(),
        );
        let context = ReconcileContext {
            clients,
            metrics: Metrics::new(),
            options: PlanOptions::default(),
            settings: ApplySettings::default(),
            dry_run: false,
            settle: SettleGate::new(WINDOW),
            wave: None,
        };
        Fixture {
            _tmp: tmp,
            dir,
            context,
            api: MemoryInventory::new(),
        }
    }

    /// Writes `files` as the whole directory.
    fn write(&self, files: &[(&str, String)]) {
        for entry in std::fs::read_dir(&self.dir).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        for (name, text) in files {
            std::fs::write(self.dir.join(name), text).unwrap();
        }
    }

    /// Writes `files` as the whole directory and puts the revision in force now, as the
    /// daemon does on a reload; returns its id.
    fn revision(&self, files: &[(&str, String)]) -> String {
        self.write(files);
        let desired = invsync::manifest::load_dir(&self.dir).expect("a valid revision");
        let id = desired.revision.clone();
        self.context
            .settle
            .revision_in_force(&self.dir, &id, &id, false, now(), Arc::new(desired));
        id
    }

    /// Reconciles `bucket` as revision `id` declares it.
    async fn reconcile(&self, id: &str, bucket: &str) -> Reconciled {
        let desired: DesiredBucket =
            invsync::manifest::load_dir(&self.dir).unwrap().buckets[&key(bucket)].clone();
        reconcile_with(&self.api, &desired, &self.context, id).await
    }

    /// Live `(id, prefix)` pairs; a foreign configuration shows as `(id, "foreign")`.
    fn live(&self, bucket: &str) -> Vec<(String, String)> {
        let mut live: Vec<(String, String)> = self
            .api
            .configs(&key(bucket))
            .iter()
            .map(|c| match c {
                LiveConfig::Modelled(inventory) => {
                    let cos = inventory
                        .downcast_ref::<invsync::provider::cos::model::CosInventory>()
                        .expect("a COS configuration");
                    (
                        cos.id.clone(),
                        cos.filter.prefix.clone().unwrap_or_default(),
                    )
                }
                LiveConfig::Foreign(foreign) => (foreign.id.clone(), "foreign".into()),
            })
            .collect();
        live.sort();
        live
    }

    /// Seeds the configurations `items` of `bucket` as live ones.
    fn seed(&self, bucket: &str, items: &[String]) {
        let desired = invsync::manifest::parse_document_text(
            std::path::Path::new("seed.yaml"),
            &manifest(bucket, items, ""),
        )
        .unwrap()
        .remove(0);
        for inventory in desired.inventories {
            self.api.insert(&key(bucket), inventory);
        }
    }
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn held(reconciled: &Reconciled) -> bool {
    matches!(reconciled.result, Ok(Applied::Held(_)))
}

/// Live: `logs` on `old/` and an undeclared `stray`. Declared: `logs` on `logs/` and `extra`,
/// `prune: true`.
fn observed_bucket(fixture: &Fixture) -> (String, String) {
    fixture.seed(
        BUCKET,
        &[item("logs", "old/", false), item("stray", "s/", false)],
    );
    let items = [item("logs", "logs/", false), item("extra", "x/", false)];
    let full = manifest(BUCKET, &items, "  prune: true\n  mode: observe\n");
    let torn = manifest(BUCKET, &items, "  prune: true\n");
    (full, torn)
}

#[tokio::test(start_paused = true)]
async fn a_torn_rewrite_without_the_mode_line_writes_nothing_to_an_observed_bucket() {
    let fixture = Fixture::new();
    let (full, torn) = observed_bucket(&fixture);
    let observed = fixture.revision(&[("bucket.yaml", full.clone())]);
    fixture.reconcile(&observed, BUCKET).await;
    tokio::time::sleep(Duration::from_secs(60)).await;

    // The first write lands without the `mode` line; the second restores it 300 ms later.
    let half = fixture.revision(&[("bucket.yaml", torn)]);
    let reconciled = fixture.reconcile(&half, BUCKET).await;
    assert!(held(&reconciled), "{:?}", reconciled.result);
    assert!(
        !reconciled.drift().is_empty(),
        "the drift is still reported"
    );
    assert!(reconciled.written.is_empty());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let whole = fixture.revision(&[("bucket.yaml", full)]);
    for _ in 0..3 {
        fixture.reconcile(&whole, BUCKET).await;
        tokio::time::sleep(WINDOW).await;
    }

    assert_eq!(fixture.api.writes(), 0, "no PUT and no DELETE");
    assert_eq!(
        fixture.live(BUCKET),
        pairs(&[("logs", "old/"), ("stray", "s/")])
    );
}

#[tokio::test(start_paused = true)]
async fn a_switch_from_observe_to_enforce_writes_everything_once_it_has_settled() {
    let fixture = Fixture::new();
    let (full, torn) = observed_bucket(&fixture);
    fixture.revision(&[("bucket.yaml", full)]);
    tokio::time::sleep(Duration::from_secs(60)).await;

    let enforced = fixture.revision(&[("bucket.yaml", torn)]);
    let early = fixture.reconcile(&enforced, BUCKET).await;
    assert!(held(&early), "{:?}", early.result);
    assert_eq!(fixture.api.writes(), 0, "not even the creates and updates");
    // Another revision before the first settled compares with the settled one still.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let edited = fixture.revision(&[(
        "bucket.yaml",
        manifest(
            BUCKET,
            &[item("logs", "logs/", false), item("extra", "y/", false)],
            "  prune: true\n",
        ),
    )]);
    let still = fixture.reconcile(&edited, BUCKET).await;
    assert!(held(&still), "{:?}", still.result);
    assert_eq!(fixture.api.writes(), 0);

    tokio::time::sleep(WINDOW).await;
    let settled = fixture.reconcile(&edited, BUCKET).await;
    assert_eq!(next_action(&settled.result, 1), Action::Resync);
    assert_eq!(
        fixture.live(BUCKET),
        pairs(&[("extra", "y/"), ("logs", "logs/")])
    );
}

#[tokio::test(start_paused = true)]
async fn narrowing_revisions_are_taken_at_once() {
    let fixture = Fixture::new();
    fixture.seed(
        BUCKET,
        &[item("logs", "logs/", false), item("stray", "s/", false)],
    );
    fixture.revision(&[(
        "bucket.yaml",
        manifest(BUCKET, &[item("logs", "logs/", false)], "  prune: true\n"),
    )]);
    tokio::time::sleep(Duration::from_secs(60)).await;

    // Prune turned off, and a configuration added: nothing is wider than before.
    let narrower = fixture.revision(&[(
        "bucket.yaml",
        manifest(
            BUCKET,
            &[item("logs", "logs/", false), item("extra", "x/", false)],
            "",
        ),
    )]);
    let reconciled = fixture.reconcile(&narrower, BUCKET).await;
    assert_eq!(next_action(&reconciled.result, 1), Action::Resync);
    assert_eq!(
        fixture.live(BUCKET),
        pairs(&[("extra", "x/"), ("logs", "logs/"), ("stray", "s/")])
    );
}

#[tokio::test(start_paused = true)]
async fn an_overwrite_foreign_opt_in_waits_for_the_window_while_other_creates_go_at_once() {
    let fixture = Fixture::new();
    fixture.api.insert_live(
        &key(BUCKET),
        LiveConfig::Foreign(ForeignConfig {
            provider: Provider::COS,
            id: "legacy".into(),
            raw_xml: "<InventoryConfiguration><Id>legacy</Id></InventoryConfiguration>".into(),
            unmodelled: vec!["Schedule/Frequency=Hourly".into()],
        }),
    );
    fixture.revision(&[(
        "bucket.yaml",
        manifest(BUCKET, &[item("legacy", "l/", false)], ""),
    )]);
    tokio::time::sleep(Duration::from_secs(60)).await;

    let opted_in = fixture.revision(&[(
        "bucket.yaml",
        manifest(
            BUCKET,
            &[item("legacy", "l/", true), item("extra", "x/", false)],
            "",
        ),
    )]);
    let early = fixture.reconcile(&opted_in, BUCKET).await;
    assert!(held(&early), "{:?}", early.result);
    assert_eq!(
        fixture.live(BUCKET),
        pairs(&[("extra", "x/"), ("legacy", "foreign")]),
        "the create went ahead, the overwrite waits"
    );

    tokio::time::sleep(WINDOW).await;
    fixture.reconcile(&opted_in, BUCKET).await;
    assert_eq!(
        fixture.live(BUCKET),
        pairs(&[("extra", "x/"), ("legacy", "l/")])
    );
}

#[tokio::test(start_paused = true)]
async fn a_newly_named_bucket_is_written_once_its_revision_has_settled() {
    let fixture = Fixture::new();
    let first = (
        "first.yaml",
        manifest(BUCKET, &[item("a", "a/", false)], ""),
    );
    fixture.revision(std::slice::from_ref(&first));
    tokio::time::sleep(Duration::from_secs(60)).await;

    let other = "otherbucket-1250000000";
    let added = fixture.revision(&[
        first,
        (
            "second.yaml",
            manifest(other, &[item("b", "b/", false)], ""),
        ),
    ]);
    let early = fixture.reconcile(&added, other).await;
    assert!(held(&early), "{:?}", early.result);
    assert!(fixture.live(other).is_empty());
    tokio::time::sleep(WINDOW).await;
    fixture.reconcile(&added, other).await;
    assert_eq!(fixture.live(other), pairs(&[("b", "b/")]));
}

#[tokio::test(start_paused = true)]
async fn the_first_revision_the_daemon_loads_creates_at_once() {
    let fixture = Fixture::new();
    let first = fixture.revision(&[(
        "bucket.yaml",
        manifest(BUCKET, &[item("a", "a/", false)], ""),
    )]);
    let reconciled = fixture.reconcile(&first, BUCKET).await;
    assert_eq!(next_action(&reconciled.result, 1), Action::Resync);
    assert_eq!(fixture.live(BUCKET), pairs(&[("a", "a/")]));
}

/// A COS policy `logs-fleet` on the buckets `names` declaring `fleet-a`, with `mode`.
fn policy(names: &str, mode: &str) -> String {
    format!(
        "apiVersion: invsync/v1\nkind: InventoryPolicy\nmetadata: {{name: logs-fleet}}\nspec:\n  provider: cos\n  selector: {{names: [{names}]}}\n  idPrefix: fleet-\n  mode: {mode}\n  inventories:\n{}",
        item("fleet-a", "f/", false)
    )
}

/// What discovery saw: the COS buckets `names` in ap-guangzhou.
fn fleet(names: &[&str]) -> invsync::fleet::FleetSnapshot {
    use invsync::fleet::{FleetSnapshot, SeenBucket};
    use invsync::model::{DiscoveredBucket, ProviderBucketOptions};
    let seen = names
        .iter()
        .map(|name| SeenBucket {
            bucket: DiscoveredBucket {
                name: name.to_string(),
                region: "ap-guangzhou".into(),
                created: None,
            },
            tags: None,
            listing: 0,
        })
        .collect();
    FleetSnapshot {
        buckets: [(Provider::COS, seen)].into(),
        listings: vec![(Provider::COS, ProviderBucketOptions::none())],
        ..FleetSnapshot::default()
    }
}

impl Fixture {
    /// Writes `files` and puts the revision, expanded over `snapshot`, in force now, as the
    /// daemon does; returns its id.
    fn fleet_revision(
        &self,
        files: &[(&str, String)],
        snapshot: &invsync::fleet::FleetSnapshot,
    ) -> String {
        self.write(files);
        let desired = self.expanded(snapshot);
        let id = desired.revision.clone();
        self.context
            .settle
            .revision_in_force(&self.dir, &id, &id, false, now(), Arc::new(desired));
        id
    }

    fn expanded(&self, snapshot: &invsync::fleet::FleetSnapshot) -> invsync::model::DesiredState {
        let loaded = invsync::manifest::load_dir(&self.dir).expect("a valid revision");
        let expanded = invsync::fleet::expand(&loaded, snapshot);
        assert!(expanded.errors.is_empty(), "{:?}", expanded.errors);
        expanded.desired
    }

    /// Reconciles `bucket` as revision `id` expanded over `snapshot` declares it.
    async fn reconcile_fleet(
        &self,
        id: &str,
        bucket: &str,
        snapshot: &invsync::fleet::FleetSnapshot,
    ) -> Reconciled {
        let desired = self.expanded(snapshot).buckets[&key(bucket)].clone();
        reconcile_with(&self.api, &desired, &self.context, id).await
    }
}

#[tokio::test(start_paused = true)]
async fn a_policy_whose_selector_newly_reaches_a_bucket_writes_it_once_its_revision_has_settled() {
    let fixture = Fixture::new();
    let (a, b) = ("logs-a-1250000000", "logs-b-1250000000");
    let seen = fleet(&[a, b]);
    fixture.fleet_revision(&[("policy.yaml", policy(a, "enforce"))], &seen);
    tokio::time::sleep(Duration::from_secs(60)).await;

    let widened =
        fixture.fleet_revision(&[("policy.yaml", policy("\"logs-*\"", "enforce"))], &seen);
    let early = fixture.reconcile_fleet(&widened, b, &seen).await;
    assert!(held(&early), "{:?}", early.result);
    assert!(
        fixture.live(b).is_empty(),
        "a half-written selector reaches nothing yet"
    );

    tokio::time::sleep(WINDOW).await;
    fixture.reconcile_fleet(&widened, b, &seen).await;
    assert_eq!(fixture.live(b), pairs(&[("fleet-a", "f/")]));
}

#[tokio::test(start_paused = true)]
async fn a_policy_switched_from_observe_to_enforce_writes_once_its_revision_has_settled() {
    let fixture = Fixture::new();
    let a = "logs-a-1250000000";
    let seen = fleet(&[a]);
    fixture.fleet_revision(&[("policy.yaml", policy(a, "observe"))], &seen);
    tokio::time::sleep(Duration::from_secs(60)).await;

    let enforced = fixture.fleet_revision(&[("policy.yaml", policy(a, "enforce"))], &seen);
    let early = fixture.reconcile_fleet(&enforced, a, &seen).await;
    assert!(held(&early), "{:?}", early.result);
    assert!(fixture.live(a).is_empty());

    tokio::time::sleep(WINDOW).await;
    fixture.reconcile_fleet(&enforced, a, &seen).await;
    assert_eq!(fixture.live(a), pairs(&[("fleet-a", "f/")]));
}

#[tokio::test(start_paused = true)]
async fn a_policy_newly_reaching_a_named_bucket_adds_its_ids_once_its_revision_has_settled() {
    let fixture = Fixture::new();
    let a = "logs-a-1250000000";
    let seen = fleet(&[a]);
    let named = ("bucket.yaml", manifest(a, &[item("own", "o/", false)], ""));
    fixture.fleet_revision(
        &[
            named.clone(),
            ("policy.yaml", policy("\"none-*\"", "enforce")),
        ],
        &seen,
    );
    tokio::time::sleep(Duration::from_secs(60)).await;

    let widened = fixture.fleet_revision(
        &[named, ("policy.yaml", policy("\"logs-*\"", "enforce"))],
        &seen,
    );
    let early = fixture.reconcile_fleet(&widened, a, &seen).await;
    assert!(held(&early), "{:?}", early.result);
    assert_eq!(
        fixture.live(a),
        pairs(&[("own", "o/")]),
        "the bucket's own configuration goes ahead, the policy's waits"
    );

    tokio::time::sleep(WINDOW).await;
    fixture.reconcile_fleet(&widened, a, &seen).await;
    assert_eq!(fixture.live(a), pairs(&[("fleet-a", "f/"), ("own", "o/")]));
}
