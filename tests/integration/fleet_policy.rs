//! `kind: InventoryPolicy` through the real binary against the emulator: a policy converges
//! every bucket it selects, of every provider, and touches nothing else; an explicit bucket
//! wins; conflicting policies are refused; observe writes nothing; large rollouts go in waves;
//! plans show coverage in every format.

use invsync::emulator::{FaultConfig, InjectedError};
use invsync::manifest::json_schema;
use invsync::manifest::lines::parse_documents;
use invsync::model::Provider;
use invsync::provider::registry;
use serde_json::Value;

use crate::support::cases::{Case, element};
use crate::support::e2e::{Emulator, Manifests, assert_exit, invsync, stderr, stdout};

/// A bucket name every provider accepts (COS wants the `-APPID` suffix).
fn name(stem: &str) -> String {
    format!("{stem}-1250000000")
}

/// A policy of `provider` on `logs-*` buckets tagged `team: data`, but not `logs-tmp-*`,
/// declaring `ids` with a per-bucket filter prefix, with extra `spec` lines.
fn policy(provider: Provider, policy: &str, prefix: &str, ids: &[&str], extra: &str) -> String {
    let mut yaml = format!(
        "apiVersion: invsync/v1\nkind: InventoryPolicy\nmetadata:\n  name: {policy}\nspec:\n  provider: {provider}\n  \
         selector: {{names: [\"logs-*\"], exclude: [\"logs-tmp-*\"], tags: {{team: data}}}}\n  idPrefix: {prefix}\n{extra}  inventories:\n"
    );
    for id in ids {
        yaml.push_str(&format!(
            "    - id: {id}\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      filter: {{prefix: \"${{bucket}}/\"}}\n      optionalFields: [Size, ETag]\n      destination:\n{}",
            registry::spec(provider).example.destination
        ));
    }
    yaml
}

/// The buckets of one provider: two selected, one excluded by name, one tagged out.
fn fleet(emulator: &Emulator, provider: Provider) {
    let region = registry::spec(provider).region_example;
    for (stem, team) in [
        ("logs-a", "data"),
        ("logs-b", "data"),
        ("logs-tmp-x", "data"),
        ("logs-web", "web"),
    ] {
        let created =
            emulator
                .handle
                .create_bucket(provider, &name(stem), Some(region), &[("team", team)]);
        assert!(created.unwrap());
    }
}

/// The case of `provider`, for its wire bodies.
fn case(provider: Provider) -> Case {
    Case {
        provider,
        bucket: "unused",
        region: registry::spec(provider).region_example,
    }
}

fn seed(emulator: &Emulator, provider: Provider, bucket: &str, id: &str) {
    emulator
        .handle
        .seed_xml(
            provider,
            &name(bucket),
            &case(provider).live_xml(id, "x/", true),
        )
        .expect("seeding the emulator");
}

fn live_ids(emulator: &Emulator, provider: Provider, bucket: &str) -> Vec<String> {
    let mut ids: Vec<String> = emulator
        .handle
        .configs(provider, &name(bucket))
        .iter()
        .map(|xml| element(xml, "Id"))
        .collect();
    ids.sort();
    ids
}

fn run(emulator: &Emulator, manifests: &Manifests, args: &[&str]) -> std::process::Output {
    let mut all = vec![args[0], "--manifests", manifests.path().to_str().unwrap()];
    all.extend(&args[1..]);
    invsync(emulator, &all)
}

fn plan_json(emulator: &Emulator, manifests: &Manifests, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["plan", "--output", "json", "--detailed-exitcode"];
    args.extend(extra);
    let output = run(emulator, manifests, &args);
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("plan JSON ({e}): {}\n{}", stdout(&output), stderr(&output)));
    (output.status.code().unwrap_or(-1), json)
}

#[test]
fn a_policy_converges_every_selected_bucket_of_every_provider_and_touches_nothing_else() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    for provider in Provider::ALL {
        fleet(&emulator, provider);
        // A configuration the policy does not own, and one it owns but no longer declares.
        seed(&emulator, provider, "logs-a", "manual");
        seed(&emulator, provider, "logs-b", "fleet-old");
        manifests.write(
            &format!("{provider}.yaml"),
            &policy(
                provider,
                &format!("{provider}-logs"),
                "fleet-",
                &["fleet-daily"],
                "  prune: true\n",
            ),
        );
    }
    let validate = run(&emulator, &manifests, &["validate"]);
    assert_exit(&validate, 0);
    assert!(
        stdout(&validate).contains("3 fleet policies"),
        "{}",
        stdout(&validate)
    );

    let (code, plan) = plan_json(&emulator, &manifests, &[]);
    assert_eq!(code, 2, "{plan}");
    for coverage in plan["policies"].as_array().unwrap() {
        assert_eq!(coverage["matched"], 2, "{coverage}");
        assert_eq!(coverage["to_change"], 2, "{coverage}");
        assert_eq!(coverage["excluded"], 2, "{coverage}");
        assert_eq!(coverage["unreadable"], 0, "{coverage}");
    }

    let apply = run(&emulator, &manifests, &["apply"]);
    assert_exit(&apply, 0);
    for provider in Provider::ALL {
        assert_eq!(
            live_ids(&emulator, provider, "logs-a"),
            ["fleet-daily", "manual"],
            "{provider}"
        );
        assert_eq!(
            live_ids(&emulator, provider, "logs-b"),
            ["fleet-daily"],
            "{provider}"
        );
        assert!(
            live_ids(&emulator, provider, "logs-tmp-x").is_empty(),
            "{provider}"
        );
        assert!(
            live_ids(&emulator, provider, "logs-web").is_empty(),
            "{provider}"
        );
        // The template filled in the bucket's own name.
        let config = &emulator.handle.configs(provider, &name("logs-b"))[0];
        assert!(
            config.contains(&format!("{}/", name("logs-b"))),
            "{provider}: {config}"
        );
    }

    let (code, plan) = plan_json(&emulator, &manifests, &[]);
    assert_eq!(code, 0, "in sync after apply: {plan}");
    for coverage in plan["policies"].as_array().unwrap() {
        assert_eq!(coverage["in_sync"], 2, "{coverage}");
        assert_eq!(coverage["to_change"], 0, "{coverage}");
    }
}

#[test]
fn an_explicit_bucket_wins_for_the_same_id_and_the_plan_says_so() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    fleet(&emulator, Provider::S3);
    manifests.write(
        "fleet.yaml",
        &policy(Provider::S3, "logs-fleet", "fleet-", &["fleet-daily"], ""),
    );
    let explicit = Case {
        provider: Provider::S3,
        bucket: "logs-a-1250000000",
        region: "us-east-1",
    }
    .manifest(false, &[("fleet-daily", "explicit/")]);
    manifests.write("logs-a.yaml", &explicit);

    let plan = run(&emulator, &manifests, &["plan"]);
    assert_exit(&plan, 0);
    let text = stdout(&plan);
    assert!(
        text.contains("fleet-daily: declared by")
            && text.contains("logs-a.yaml, policy logs-fleet skipped"),
        "{text}"
    );
    assert_exit(&run(&emulator, &manifests, &["apply"]), 0);
    let config = &emulator.handle.configs(Provider::S3, &name("logs-a"))[0];
    assert!(config.contains("<Prefix>explicit/</Prefix>"), "{config}");
    let config = &emulator.handle.configs(Provider::S3, &name("logs-b"))[0];
    assert!(config.contains("logs-b-1250000000/"), "{config}");
}

#[test]
fn policies_owning_the_same_ids_are_refused_naming_both_files_before_any_call() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    fleet(&emulator, Provider::S3);
    manifests.write(
        "a.yaml",
        &policy(Provider::S3, "a", "fleet-", &["fleet-daily"], ""),
    );
    manifests.write(
        "b.yaml",
        &policy(Provider::S3, "b", "fleet-d", &["fleet-daily"], ""),
    );
    for command in ["validate", "plan", "apply"] {
        let output = run(&emulator, &manifests, &[command]);
        assert_exit(&output, 1);
        let err = stderr(&output);
        assert!(
            err.contains("a.yaml") && err.contains("b.yaml"),
            "{command}: {err}"
        );
        assert!(err.contains("overlaps"), "{command}: {err}");
    }
    assert!(live_ids(&emulator, Provider::S3, "logs-a").is_empty());
    assert_eq!(
        emulator.handle.stats().total,
        0,
        "nothing was listed or written"
    );
}

#[test]
fn an_observing_policy_reports_coverage_and_writes_nothing() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    fleet(&emulator, Provider::OSS);
    manifests.write(
        "fleet.yaml",
        &policy(
            Provider::OSS,
            "logs-fleet",
            "fleet-",
            &["fleet-daily"],
            "  mode: observe\n",
        ),
    );
    let (code, plan) = plan_json(&emulator, &manifests, &[]);
    assert_eq!(code, 2, "observed drift is out of sync: {plan}");
    assert_eq!(plan["policies"][0]["to_change"], 2, "{plan}");
    assert_eq!(plan["policies"][0]["mode"], "observe", "{plan}");
    let apply = run(&emulator, &manifests, &["apply"]);
    assert_exit(&apply, 0);
    assert!(
        stdout(&apply).contains("observe mode"),
        "{}",
        stdout(&apply)
    );
    for bucket in ["logs-a", "logs-b"] {
        assert!(live_ids(&emulator, Provider::OSS, bucket).is_empty());
    }
}

#[test]
fn a_rollout_past_the_per_pass_limit_goes_in_waves_in_key_order() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    for stem in ["logs-a", "logs-b", "logs-c"] {
        emulator
            .handle
            .create_bucket(
                Provider::S3,
                &name(stem),
                Some("us-east-1"),
                &[("team", "data")],
            )
            .unwrap();
    }
    manifests.write(
        "fleet.yaml",
        &policy(Provider::S3, "logs-fleet", "fleet-", &["fleet-daily"], ""),
    );
    let limit = ["--max-policy-writes-per-pass", "2"];
    let (_, plan) = plan_json(&emulator, &manifests, &limit);
    assert_eq!(plan["waves"]["passes"], 2, "{plan}");
    assert_eq!(plan["policies"][0]["deferred"], 1, "{plan}");
    let text = stdout(&run(&emulator, &manifests, &["plan", limit[0], limit[1]]));
    assert!(
        text.contains("2 passes (1 remaining after this one)"),
        "{text}"
    );

    let first = run(&emulator, &manifests, &["apply", limit[0], limit[1]]);
    assert_exit(&first, 0);
    assert!(
        stdout(&first).contains("1 more passes remain"),
        "{}",
        stdout(&first)
    );
    assert_eq!(live_ids(&emulator, Provider::S3, "logs-a"), ["fleet-daily"]);
    assert_eq!(live_ids(&emulator, Provider::S3, "logs-b"), ["fleet-daily"]);
    assert!(live_ids(&emulator, Provider::S3, "logs-c").is_empty());

    assert_exit(
        &run(&emulator, &manifests, &["apply", limit[0], limit[1]]),
        0,
    );
    assert_eq!(live_ids(&emulator, Provider::S3, "logs-c"), ["fleet-daily"]);
    let (code, plan) = plan_json(&emulator, &manifests, &limit);
    assert_eq!(code, 0, "{plan}");
    assert!(plan["waves"].is_null(), "{plan}");
}

#[test]
fn plans_show_coverage_in_json_markdown_and_text() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    fleet(&emulator, Provider::COS);
    manifests.write(
        "fleet.yaml",
        &policy(Provider::COS, "logs-fleet", "fleet-", &["fleet-daily"], ""),
    );
    let (_, plan) = plan_json(&emulator, &manifests, &[]);
    let coverage = &plan["policies"][0];
    assert_eq!(coverage["name"], "logs-fleet", "{plan}");
    assert_eq!(coverage["provider"], "cos", "{plan}");
    assert!(
        coverage["file"].as_str().unwrap().ends_with("fleet.yaml"),
        "{plan}"
    );
    let matched: Vec<&str> = coverage["buckets"]["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bucket"].as_str().unwrap())
        .collect();
    assert_eq!(matched, [name("logs-a"), name("logs-b")]);

    let markdown = stdout(&run(
        &emulator,
        &manifests,
        &["plan", "--output", "markdown"],
    ));
    assert!(
        markdown.contains("| `logs-fleet` | cos | 2 | 2 | 0 | 2 | 0 |"),
        "{markdown}"
    );
    let text = stdout(&run(&emulator, &manifests, &["plan"]));
    assert!(
        text.contains("policy logs-fleet (cos, ")
            && text.contains("2 matched, 2 to change, 0 in sync, 2 excluded, 0 unreadable"),
        "{text}"
    );
    assert!(text.contains("Policies: 1; 2 buckets matched"), "{text}");
}

#[test]
fn a_bucket_whose_tags_are_refused_is_reported_unreadable_and_never_written() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    fleet(&emulator, Provider::S3);
    emulator
        .handle
        .set_faults(FaultConfig {
            error_rate: 1.0,
            s3_errors: vec![InjectedError {
                status: 403,
                code: "AccessDenied".into(),
            }],
            operations: vec!["get_tagging".into()],
            ..FaultConfig::default()
        })
        .unwrap();
    manifests.write(
        "fleet.yaml",
        &policy(Provider::S3, "logs-fleet", "fleet-", &["fleet-daily"], ""),
    );
    let (code, plan) = plan_json(&emulator, &manifests, &[]);
    assert_eq!(
        code, 1,
        "an unreadable selected bucket fails the plan: {plan}"
    );
    let coverage = &plan["policies"][0];
    // Every name-selected bucket, the tagged-out one included: its tags were not read.
    assert_eq!(coverage["unreadable"], 3, "{plan}");
    assert_eq!(coverage["matched"], 0, "{plan}");
    let reason = coverage["buckets"]["unreadable"][0]["reason"]
        .as_str()
        .unwrap();
    assert!(reason.contains("AccessDenied"), "{reason}");

    let apply = run(&emulator, &manifests, &["apply"]);
    assert_exit(&apply, 1);
    assert!(
        stdout(&apply).contains("not read, so not covered"),
        "{}",
        stdout(&apply)
    );
    for bucket in ["logs-a", "logs-b", "logs-web"] {
        assert!(live_ids(&emulator, Provider::S3, bucket).is_empty());
    }
}

#[test]
fn the_json_schema_accepts_a_policy_and_rejects_a_misspelled_policy_key() {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("urn:invsync:manifest", json_schema())
        .unwrap();
    let index = compiler
        .compile("urn:invsync:manifest", &mut schemas)
        .unwrap();
    let text = policy(
        Provider::S3,
        "logs-fleet",
        "fleet-",
        &["fleet-daily"],
        "  prune: true\n",
    );
    let document = parse_documents(&text).unwrap().remove(0).value;
    schemas.validate(&document, index).unwrap();
    let mut misspelled = document.clone();
    let spec = misspelled["spec"].as_object_mut().unwrap();
    let prefix = spec.remove("idPrefix").unwrap();
    spec.insert("idPrefx".into(), prefix);
    assert!(schemas.validate(&misspelled, index).is_err());
}

#[test]
fn a_pruning_policy_leaves_foreign_configurations_alone_even_under_its_prefix() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    fleet(&emulator, Provider::S3);
    let foreign = |id: &str| {
        case(Provider::S3).live_xml(id, "x/", true).replace(
            "</InventoryConfiguration>",
            "<FutureFeature><Mode>Streaming</Mode></FutureFeature></InventoryConfiguration>",
        )
    };
    for id in ["fleet-future", "other-future"] {
        emulator
            .handle
            .seed_raw(Provider::S3, &name("logs-a"), &foreign(id))
            .unwrap();
    }
    manifests.write(
        "fleet.yaml",
        &policy(
            Provider::S3,
            "logs-fleet",
            "fleet-",
            &["fleet-daily"],
            "  prune: true\n",
        ),
    );
    let apply = run(&emulator, &manifests, &["apply"]);
    assert_exit(&apply, 0);
    assert_eq!(
        live_ids(&emulator, Provider::S3, "logs-a"),
        ["fleet-daily", "fleet-future", "other-future"]
    );
    let (code, plan) = plan_json(&emulator, &manifests, &[]);
    assert_eq!(
        code, 2,
        "a blocked foreign configuration is out of sync: {plan}"
    );
    let blocked: Vec<&str> = plan["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(blocked, ["fleet-future"], "{plan}");
    assert_eq!(plan["unmanaged"][0]["id"], "other-future", "{plan}");
}
