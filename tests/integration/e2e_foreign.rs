//! Live state newer than the model, end to end (design §3a): foreign configurations are left
//! untouched by `apply` while their neighbours converge, an explicit opt-in lets the manifest
//! win, and a LIST that is not the documented document writes nothing.

use crate::support::cases;
use crate::support::e2e;
use crate::support::mock_server;

use std::sync::{Arc, Mutex};

use axum::response::IntoResponse;
use cases::{Case, apply, plan_json, summary};
use e2e::{Emulator, Manifests, assert_exit, invsync_with, stdout};
use invsync::provider::Operation;
use mock_server::MockServer;

/// A live configuration holding an element no provider API has yet (invented for the test),
/// as a newer API would store it.
fn foreign_xml(case: &Case, id: &str) -> String {
    case.live_xml(id, "future/", true).replace(
        "</InventoryConfiguration>",
        "<FutureFeature><Mode>Streaming</Mode></FutureFeature></InventoryConfiguration>",
    )
}

fn seed_foreign(case: &Case, emulator: &Emulator, id: &str) -> String {
    emulator
        .handle
        .seed_raw(case.provider, case.bucket, &foreign_xml(case, id))
        .expect("seeding a foreign configuration");
    case.live_config(emulator, id)
}

fn foreign_configs_are_left_untouched_by_apply_with_prune_while_neighbours_converge(case: &Case) {
    let emulator = Emulator::start();
    let declared = seed_foreign(case, &emulator, "declared-future");
    let undeclared = seed_foreign(case, &emulator, "undeclared-future");
    case.seed(&emulator, "logs", "logs/", false);
    case.seed(&emulator, "stale", "stale/", true);
    let manifests = Manifests::new();
    manifests.write(
        "bucket.yaml",
        &case.manifest(
            true,
            &[
                ("declared-future", "future/"),
                ("logs", "logs/"),
                ("new", "new/"),
            ],
        ),
    );

    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2, "blocked and changed: {plan}");
    assert_eq!(summary(&plan, "blocked"), 2);
    let blocked = plan["blocked"].as_array().unwrap();
    assert_eq!(blocked[0]["id"], "declared-future");
    assert_eq!(blocked[0]["held_back"], case.change_action());
    assert_eq!(blocked[0]["unmodelled"][0], "FutureFeature");
    assert_eq!(blocked[1]["id"], "undeclared-future");
    assert_eq!(blocked[1]["held_back"], "delete");

    let output = apply(&emulator, &manifests);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("blocked declared-future"),
        "{}",
        stdout(&output)
    );
    assert_eq!(case.live_config(&emulator, "declared-future"), declared);
    assert_eq!(case.live_config(&emulator, "undeclared-future"), undeclared);
    assert_eq!(
        case.live_ids(&emulator),
        ["declared-future", "logs", "new", "undeclared-future"],
        "the stale neighbour was pruned, the new one created"
    );
    assert!(
        case.live_config(&emulator, "logs")
            .contains("<IsEnabled>true</IsEnabled>")
    );

    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2, "still blocked, nothing else: {plan}");
    assert_eq!(summary(&plan, "in_sync"), 2);
    assert_eq!(plan["changes"].as_array().unwrap().len(), 0);
}

fn a_declaration_opting_in_lets_the_manifest_win_over_a_foreign_config(case: &Case) {
    let emulator = Emulator::start();
    seed_foreign(case, &emulator, "declared-future");
    let manifests = Manifests::new();
    let manifest = case
        .manifest(false, &[("declared-future", "future/")])
        .replace(
            "    - id: declared-future\n",
            "    - id: declared-future\n      overwriteForeign: true\n",
        );
    manifests.write("bucket.yaml", &manifest);

    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2, "{plan}");
    assert_eq!(plan["changes"][0]["action"], case.change_action());
    assert_eq!(plan["changes"][0]["overwrites_foreign"][0], "FutureFeature");

    assert_exit(&apply(&emulator, &manifests), 0);
    assert!(
        !case
            .live_config(&emulator, "declared-future")
            .contains("FutureFeature")
    );
    assert_eq!(plan_json(&emulator, &manifests).0, 0);
}

/// A server answering every request 200 with `body`, counting requests by method.
fn serve_200(_emulator: &Emulator, body: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let server = MockServer::start();
    server.fallback(move |request, _| {
        record.lock().unwrap().push(request.method.to_string());
        ([("content-type", "text/html")], body).into_response()
    });
    (server.detach(), seen)
}

fn a_list_answered_200_with_html_or_an_error_document_writes_nothing(case: &Case) {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &case.manifest(true, &[("logs", "logs/")]));
    for body in [
        "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
        "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>",
        "",
    ] {
        let (endpoint, seen) = serve_200(&emulator, body);
        let env = [
            ("INVSYNC_COS_ENDPOINT", endpoint.as_str()),
            ("INVSYNC_OSS_ENDPOINT", endpoint.as_str()),
            ("INVSYNC_S3_ENDPOINT", endpoint.as_str()),
        ];
        let dir = manifests.path().to_str().unwrap();
        let output = invsync_with(&emulator, &["apply", "--manifests", dir], &env);
        assert_exit(&output, 1);
        assert!(
            stdout(&output).contains("unreadable response"),
            "{}",
            stdout(&output)
        );
        let methods = seen.lock().unwrap().clone();
        assert!(
            methods.iter().all(|m| m == "GET"),
            "{body:?}: only reads, got {methods:?}"
        );
    }
    assert_eq!(case.calls(&emulator, Operation::Put), 0);
}

fn import_prints_a_foreign_config_as_a_comment_and_fails_only_when_strict(case: &Case) {
    let emulator = Emulator::start();
    seed_foreign(case, &emulator, "future");
    case.seed(&emulator, "plain", "logs/", true);
    let provider = case.provider.as_str();
    let args = [
        "import",
        "--provider",
        provider,
        "--bucket",
        case.bucket,
        "--region",
        case.region,
    ];

    let lenient = invsync_with(&emulator, &args, &[]);
    assert_exit(&lenient, 0);
    let yaml = stdout(&lenient);
    assert!(yaml.contains("- id: plain"), "{yaml}");
    let comment: Vec<&str> = yaml
        .lines()
        .filter(|line| line.trim_start().starts_with('#') && line.contains("future"))
        .collect();
    assert!(
        !comment.is_empty(),
        "the foreign config is named in a comment:\n{yaml}"
    );
    assert!(
        yaml.contains("FutureFeature"),
        "and what is not modelled:\n{yaml}"
    );
    assert!(
        !yaml.contains("- id: future"),
        "never imported shortened:\n{yaml}"
    );

    let strict_args: Vec<&str> = args.iter().copied().chain(["--strict"]).collect();
    let strict = invsync_with(&emulator, &strict_args, &[]);
    assert_exit(&strict, 1);
    assert_eq!(stdout(&strict), yaml, "--strict prints the same manifest");
}

macro_rules! for_each_provider {
    ($($scenario:ident),* $(,)?) => {
        mod cos {
            $(#[test] fn $scenario() { super::$scenario(&super::cases::COS); })*
        }
        mod oss {
            $(#[test] fn $scenario() { super::$scenario(&super::cases::OSS); })*
        }
        mod s3 {
            $(#[test] fn $scenario() { super::$scenario(&super::cases::S3); })*
        }
    };
}

for_each_provider!(
    foreign_configs_are_left_untouched_by_apply_with_prune_while_neighbours_converge,
    a_declaration_opting_in_lets_the_manifest_win_over_a_foreign_config,
    a_list_answered_200_with_html_or_an_error_document_writes_nothing,
    import_prints_a_foreign_config_as_a_comment_and_fails_only_when_strict,
);
