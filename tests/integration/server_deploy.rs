//! The Kubernetes manifests in `deploy/` parse and agree with what the server serves.

use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/deploy/kubernetes/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn container<'a>(deployment: &'a Value, name: &str) -> &'a Value {
    deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no container {name}"))
}

fn args(container: &Value) -> Vec<&str> {
    container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

#[test]
fn the_deployment_probes_the_endpoints_the_server_serves() {
    let deployment = load("deployment.yaml");
    let invsync = container(&deployment, "invsync");
    assert_eq!(invsync["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(invsync["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(invsync["ports"][0]["containerPort"], 9464);
    let annotations = &deployment["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(annotations["prometheus.io/port"], "9464");
    assert_eq!(annotations["prometheus.io/path"], "/metrics");
}

#[test]
fn invsync_reads_the_manifests_through_git_syncs_link() {
    let deployment = load("deployment.yaml");
    let git_sync = args(container(&deployment, "git-sync"));
    assert!(git_sync.contains(&"--root=/git"));
    assert!(git_sync.contains(&"--link=current"));
    let invsync = args(container(&deployment, "invsync"));
    assert_eq!(invsync[0], "run");
    assert!(invsync.contains(&"--manifests=/git/current/manifests"));
    assert!(invsync.contains(&"--listen=0.0.0.0:9464"));
    assert!(invsync.contains(&"--credentials-file=/etc/invsync/credentials"));
}

#[test]
fn both_containers_run_as_non_root_with_a_read_only_root_file_system() {
    let deployment = load("deployment.yaml");
    assert_eq!(
        deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"],
        true
    );
    for name in ["git-sync", "invsync"] {
        let c = container(&deployment, name);
        assert_eq!(
            c["securityContext"]["readOnlyRootFilesystem"], true,
            "{name}"
        );
        assert_eq!(
            c["securityContext"]["allowPrivilegeEscalation"], false,
            "{name}"
        );
        assert!(c["resources"]["limits"]["memory"].is_string(), "{name}");
    }
}

#[test]
fn the_example_secret_is_a_credentials_file_with_placeholder_keys() {
    let secret = load("secret.example.yaml");
    assert_eq!(secret["metadata"]["name"], "invsync-credentials");
    let file = secret["stringData"]["credentials"].as_str().unwrap();
    for key in [
        "TENCENTCLOUD_SECRET_ID=",
        "TENCENTCLOUD_SECRET_KEY=",
        "ALIBABA_CLOUD_ACCESS_KEY_ID=",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET=",
    ] {
        assert!(file.contains(key), "{key}");
    }
    let deployment = load("deployment.yaml");
    let volumes = deployment["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap();
    assert!(
        volumes
            .iter()
            .any(|v| v["secret"]["secretName"] == "invsync-credentials")
    );
}

#[test]
fn the_service_targets_the_metrics_port() {
    let service = load("service.yaml");
    assert_eq!(service["spec"]["ports"][0]["port"], 9464);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "metrics");
    assert_eq!(
        service["spec"]["selector"]["app.kubernetes.io/name"],
        "invsync"
    );
}
