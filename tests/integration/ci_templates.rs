//! The CI templates in `deploy/ci/` parse, run the plan the way its exit codes need, and keep secrets apart.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

const CLOUD_SECRETS: [&str; 6] = [
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
];

fn load(name: &str) -> Value {
    let path = format!("{}/deploy/ci/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn github_steps() -> Vec<Value> {
    let workflow = load("github/invsync-plan.yml");
    workflow["jobs"]["plan"]["steps"]
        .as_array()
        .unwrap()
        .clone()
}

fn step<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name}"))
}

fn gitlab_script() -> String {
    let ci = load("gitlab/.gitlab-ci.yml");
    ci["invsync-plan"]["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `invsync plan ...` command line of a script (joining `\` continuations).
fn plan_command(script: &str) -> String {
    let joined = script.replace("\\\n", " ");
    joined
        .lines()
        .find(|l| l.contains("invsync plan"))
        .expect("no invsync plan command")
        .to_owned()
}

fn bash_parses(script: &str) {
    let mut child = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_github_workflow_runs_on_pull_requests_and_may_write_only_pr_comments() {
    let workflow = load("github/invsync-plan.yml");
    assert!(workflow["on"]["pull_request"].is_object());
    assert_eq!(workflow["permissions"]["pull-requests"], "write");
    assert_eq!(workflow["permissions"]["contents"], "read");
    assert_eq!(workflow["permissions"].as_object().unwrap().len(), 2);
}

#[test]
fn both_templates_plan_as_markdown_with_the_detailed_exit_code() {
    let github = step(&github_steps(), "invsync plan")["run"]
        .as_str()
        .unwrap()
        .to_owned();
    for script in [github, gitlab_script()] {
        let plan = plan_command(&script);
        assert!(plan.contains("--output markdown"), "{plan}");
        assert!(plan.contains("--detailed-exitcode"), "{plan}");
        // `&& code=0 || code=$?` keeps exit 2 from failing the shell before the comment is posted.
        assert!(plan.contains("&& code=0 || code=$?"), "{plan}");
        bash_parses(&script);
    }
}

#[test]
fn every_flag_the_templates_pass_to_plan_exists() {
    let help = Command::new(env!("CARGO_BIN_EXE_invsync"))
        .args(["plan", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let github = step(&github_steps(), "invsync plan")["run"]
        .as_str()
        .unwrap()
        .to_owned();
    for script in [github, gitlab_script()] {
        for flag in plan_command(&script)
            .split_whitespace()
            .filter(|w| w.starts_with("--"))
        {
            assert!(help.contains(flag), "invsync plan has no {flag}");
        }
    }
}

#[test]
fn cloud_keys_reach_only_the_plan_step_and_the_token_only_the_comment_step() {
    let steps = github_steps();
    let plan_env = &step(&steps, "invsync plan")["env"];
    for name in CLOUD_SECRETS {
        assert_eq!(
            plan_env[name],
            format!("${{{{ secrets.{name} }}}}"),
            "{name}"
        );
    }
    assert!(plan_env["GITHUB_TOKEN"].is_null());
    for s in &steps {
        if s["name"] != "invsync plan" {
            for name in CLOUD_SECRETS {
                assert!(s["env"][name].is_null(), "{name} in {}", s["name"]);
            }
        }
    }
    let post = step(&steps, "Post the plan on the pull request");
    assert_eq!(post["env"]["GITHUB_TOKEN"], "${{ secrets.GITHUB_TOKEN }}");
}

#[test]
fn the_comment_is_posted_whatever_the_plan_exit_code_and_only_exit_1_fails_the_job() {
    let steps = github_steps();
    let post = step(&steps, "Post the plan on the pull request");
    assert!(post["if"].as_str().unwrap().contains("always()"));
    assert!(
        post["run"]
            .as_str()
            .unwrap()
            .contains("post-plan-comment.py --platform github --exit-code")
    );
    let fail = step(&steps, "Fail on a plan error");
    let condition = fail["if"].as_str().unwrap();
    assert!(condition.contains("!= '0'") && condition.contains("!= '2'"));
    assert!(fail["run"].as_str().unwrap().contains("exit 1"));

    let gitlab = gitlab_script();
    assert!(gitlab.contains("post-plan-comment.py --platform gitlab --exit-code \"$code\""));
    assert!(gitlab.contains("[ \"$code\" != 0 ] && [ \"$code\" != 2 ]"));
}

#[test]
fn no_script_traces_or_prints_a_credential() {
    let mut scripts: Vec<String> = github_steps()
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_owned))
        .collect();
    scripts.push(gitlab_script());
    for script in scripts {
        assert!(!script.contains("set -x"), "{script}");
        for name in CLOUD_SECRETS
            .iter()
            .chain(&["GITHUB_TOKEN", "INVSYNC_GITLAB_TOKEN"])
        {
            assert!(!script.contains(&format!("${name}")), "{name} in {script}");
            assert!(
                !script.contains(&format!("${{{name}}}")),
                "{name} in {script}"
            );
        }
    }
}

#[test]
fn the_gitlab_job_runs_only_for_merge_requests() {
    let ci = load("gitlab/.gitlab-ci.yml");
    let rule = &ci["invsync-plan"]["rules"][0];
    assert_eq!(rule["if"], "$CI_PIPELINE_SOURCE == \"merge_request_event\"");
}
