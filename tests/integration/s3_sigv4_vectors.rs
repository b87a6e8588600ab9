//! The S3 signer reproduces the AWS SigV4 test suite, stage by stage (see tests/fixtures/sigv4/README.md).

use std::path::PathBuf;

use invsync::provider::oss::encoding::decode_query;
use invsync::provider::s3::signer::{
    EMPTY_PAYLOAD_SHA256, SigningRequest, authorization, compute, parse_authorization,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
const REGION: &str = "us-east-1";
const SERVICE: &str = "service";
const DATETIME: &str = "20150830T123600Z";

/// One HTTP request as the suite writes it: `METHOD target HTTP/1.1`, then `Name:value` lines.
struct RawRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
}

impl RawRequest {
    fn parse(text: &str) -> RawRequest {
        let mut lines = text.lines();
        let first = lines.next().expect("a request line");
        let (method, rest) = first.split_once(' ').expect("METHOD target");
        let target = rest
            .strip_suffix(" HTTP/1.1")
            .expect("an HTTP/1.1 request line");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let headers = lines
            .take_while(|line| !line.is_empty())
            .map(|line| {
                let (name, value) = line.split_once(':').expect("Name:value");
                (name.to_string(), value.to_string())
            })
            .collect();
        RawRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: query.to_string(),
            headers,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn fixture(case: &str, name: &str) -> Option<String> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/fixtures/sigv4",
        case,
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(path).ok()
}

/// The suite's expected files end with or without a newline; the stage itself never does.
fn expected(text: String) -> String {
    text.strip_suffix('\n').map(str::to_string).unwrap_or(text)
}

/// Header signing: the request of `header-signed-request.txt` without its `Authorization`
/// signs to exactly that `Authorization`, through the suite's canonical request and string to
/// sign where the suite carries them.
fn check_header_signing(case: &str) {
    let signed = RawRequest::parse(
        &fixture(case, "header-signed-request.txt").expect("header-signed-request.txt"),
    );
    let official = signed
        .header("Authorization")
        .expect("an Authorization header")
        .to_string();
    let parsed = parse_authorization(&official).expect("the suite's Authorization parses");
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let names: Vec<&str> = parsed.signed_headers.iter().map(String::as_str).collect();
    let query = decode_query(&signed.query);
    let query: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let request = SigningRequest {
        method: &signed.method,
        path: &signed.path,
        query: &query,
        headers: &headers,
        signed_headers: &names,
        payload_hash: EMPTY_PAYLOAD_SHA256,
    };
    let stages = compute(SECRET, REGION, SERVICE, DATETIME, &request);
    if let Some(canonical) = fixture(case, "header-canonical-request.txt") {
        assert_eq!(
            stages.canonical_request,
            expected(canonical),
            "{case}: canonical request"
        );
    }
    if let Some(sts) = fixture(case, "header-string-to-sign.txt") {
        assert_eq!(
            stages.string_to_sign,
            expected(sts),
            "{case}: string to sign"
        );
    }
    if let Some(signature) = fixture(case, "header-signature.txt") {
        assert_eq!(
            stages.signature,
            expected(signature),
            "{case}: header-signature.txt"
        );
    }
    assert_eq!(stages.signature, parsed.signature, "{case}: signature");
    assert_eq!(
        authorization(ACCESS_KEY_ID, SECRET, REGION, SERVICE, DATETIME, &request),
        official,
        "{case}: Authorization header"
    );
}

/// Query signing (presigned URL): the same stage functions, with the `X-Amz-*` parameters
/// that precede `X-Amz-Signature` signed as query parameters.
fn check_query_signing(case: &str) {
    let Some(text) = fixture(case, "query-signed-request.txt") else {
        return;
    };
    let signed = RawRequest::parse(&text);
    let pairs = decode_query(&signed.query);
    let position = pairs
        .iter()
        .position(|(k, _)| k == "X-Amz-Signature")
        .expect("an X-Amz-Signature parameter");
    let official_signature = pairs[position].1.clone();
    let query: Vec<(&str, &str)> = pairs[..position]
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let names: Vec<&str> = query
        .iter()
        .find(|(k, _)| *k == "X-Amz-SignedHeaders")
        .map(|(_, v)| v.split(';').collect())
        .expect("an X-Amz-SignedHeaders parameter");
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut token_headers = headers.clone();
    // The suite signs the session token as a header too, without sending it as one.
    if let Some((_, token)) = query.iter().find(|(k, _)| *k == "X-Amz-Security-Token") {
        token_headers.push(("x-amz-security-token", token));
    }
    let request = SigningRequest {
        method: &signed.method,
        path: &signed.path,
        query: &query,
        headers: &token_headers,
        signed_headers: &names,
        payload_hash: EMPTY_PAYLOAD_SHA256,
    };
    let stages = compute(SECRET, REGION, SERVICE, DATETIME, &request);
    let canonical =
        fixture(case, "query-canonical-request.txt").expect("query-canonical-request.txt");
    assert_eq!(
        stages.canonical_request,
        expected(canonical),
        "{case}: query canonical request"
    );
    let sts = fixture(case, "query-string-to-sign.txt").expect("query-string-to-sign.txt");
    assert_eq!(
        stages.string_to_sign,
        expected(sts),
        "{case}: query string to sign"
    );
    assert_eq!(
        stages.signature, official_signature,
        "{case}: query signature"
    );
}

fn check(case: &str) {
    check_header_signing(case);
    check_query_signing(case);
}

#[test]
fn vector_get_query_plus_signs_a_plus_as_a_literal_plus() {
    check("get-query-plus");
    let request = fixture("get-query-plus", "request.txt").unwrap();
    assert!(request.starts_with("GET /?c+d HTTP/1.1"));
}

#[test]
fn vector_get_vanilla_query_order_key_case_sorts_parameters_by_key() {
    check("get-vanilla-query-order-key-case");
    // The older suite layout carries the same request.
    let req = fixture(
        "get-vanilla-query-order-key-case",
        "get-vanilla-query-order-key-case.req",
    )
    .unwrap();
    let signed = fixture(
        "get-vanilla-query-order-key-case",
        "header-signed-request.txt",
    )
    .unwrap();
    assert!(signed.starts_with(req.lines().next().unwrap()));
}

#[test]
fn vector_get_unreserved_leaves_unreserved_path_characters_alone() {
    check("get-unreserved");
}

#[test]
fn vector_get_utf8_encodes_the_path_once() {
    check("get-utf8");
}

#[test]
fn vector_get_vanilla_utf8_query_encodes_utf8_query_keys() {
    check("get-vanilla-utf8-query");
}

#[test]
fn vector_get_vanilla_empty_query_key_signs_a_parameter_with_a_value() {
    check("get-vanilla-empty-query-key");
}

#[test]
fn vector_get_header_value_trim_trims_and_collapses_header_values() {
    check("get-header-value-trim");
}

#[test]
fn vector_get_vanilla_with_session_token_signs_the_token() {
    check("get-vanilla-with-session-token");
    let context = fixture("get-vanilla-with-session-token", "context.json").unwrap();
    assert!(context.contains("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"));
}

#[test]
fn vector_get_slash_dot_slash_unnormalized_signs_the_path_as_sent() {
    check("get-slash-dot-slash-unnormalized");
}

#[test]
fn vector_get_relative_relative_unnormalized_signs_dot_dot_segments_as_sent() {
    check("get-relative-relative-unnormalized");
}
