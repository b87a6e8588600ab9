//! Golden vectors of `reference/cos-api.md` §4.3 (T1–T3 official / GO unit test, P1–P5 from
//! the PY SDK, G1–G6 from GO's auth.go), checked stage by stage where intermediates are known.

use proptest::prelude::*;

use super::*;

const INV_AK: &str = "AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234";
const INV_SK: &str = "EXAMPLEsecretKEYexampleSECRETkey12";
const INV_HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
const TOKEN: &str = "1ueSDFASDF1Tr/XDAFdadEADadf2J/wm36Hy4vbOwM=";
const PY_TIME: KeyTime = KeyTime {
    start: 1700000000,
    end: 1700003660,
};
const GO_TIME: KeyTime = KeyTime {
    start: 1700000000,
    end: 1700003600,
};

fn inv_sign(
    method: &str,
    params: &[(&str, &str)],
    headers: &[(&str, &str)],
    key_time: KeyTime,
) -> Signed {
    let input = SignInput {
        method,
        path: "/",
        params,
        headers,
        key_time,
    };
    sign(&input, &Credentials::new(INV_AK, INV_SK))
}

fn expected_authorization(key_time: &str, headers: &str, params: &str, sig: &str) -> String {
    format!(
        "q-sign-algorithm=sha1&q-ak={INV_AK}&q-sign-time={key_time}&q-key-time={key_time}\
         &q-header-list={headers}&q-url-param-list={params}&q-signature={sig}"
    )
}

const PUT_HEADERS: [(&str, &str); 4] = [
    ("Content-Length", "351"),
    ("Content-MD5", "0D2hKeStTdgbBUwiPr1Ntw=="),
    ("Content-Type", "application/xml"),
    ("Host", INV_HOST),
];

const G2_HTTP_STRING: &str = "put\n/\nid=list1&inventory=\ncontent-length=351&content-md5=0D2hKeStTdgbBUwiPr1Ntw%3D%3D&content-type=application%2Fxml&host=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\n";

#[test]
fn t1_official_upload_example_matches_every_stage() {
    let headers = [
        ("Date", "Thu, 16 May 2019 06:45:51 GMT"),
        (
            "Host",
            "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
        ),
        ("Content-Type", "text/plain"),
        ("Content-Length", "13"),
        ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
        ("x-cos-acl", "private"),
        ("x-cos-grant-read", "uin=\"100000000011\""),
    ];
    let input = SignInput {
        method: "PUT",
        path: "/exampleobject(腾讯云)",
        params: &[],
        headers: &headers,
        key_time: KeyTime::new(1557989151, 1557996351),
    };
    let signed = sign(
        &input,
        &Credentials::new(
            "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
        ),
    );
    assert_eq!(signed.sign_key, "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f");
    assert_eq!(
        signed.http_string_sha1,
        "8b2751e77f43a0995d6e9eb9477f4b685cca4172"
    );
    assert_eq!(
        signed.string_to_sign,
        "sha1\n1557989151;1557996351\n8b2751e77f43a0995d6e9eb9477f4b685cca4172\n"
    );
    assert_eq!(
        signed.authorization,
        "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q\
         &q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351\
         &q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read\
         &q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172"
    );
}

#[test]
fn t2_official_download_example_signs_decoded_params() {
    let input = SignInput {
        method: "GET",
        path: "/exampleobject(腾讯云)",
        params: &[
            ("response-content-type", "application/octet-stream"),
            ("response-cache-control", "max-age=600"),
        ],
        headers: &[
            ("Date", "Thu, 16 May 2019 06:55:53 GMT"),
            (
                "Host",
                "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
            ),
        ],
        key_time: KeyTime::new(1557989753, 1557996953),
    };
    let signed = sign(
        &input,
        &Credentials::new(
            "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
        ),
    );
    assert_eq!(
        signed.http_string_sha1,
        "54ecfe22f59d3514fdc764b87a32d8133ea611e6"
    );
    assert_eq!(signed.header_list, "date;host");
    assert_eq!(
        signed.param_list,
        "response-cache-control;response-content-type"
    );
    assert_eq!(signed.signature, "01681b8c9d798a678e43b685a9f1bba0f6c0e012");
}

#[test]
fn t3_go_unit_test_vector_matches() {
    let input = SignInput {
        method: "PUT",
        path: "/testfile2",
        params: &[],
        headers: &[
            ("Host", "testbucket-125000000.cos.ap-guangzhou.myqcloud.com"),
            (
                "x-cos-content-sha1",
                "db8ac1c259eb89d4a131b253bacfca5f319d54f2",
            ),
            ("x-cos-stroage-class", "nearline"),
        ],
        key_time: KeyTime::new(1480932292, 1481012292),
    };
    let signed = sign_with_key(
        &input,
        "QmFzZTY0IGlzIGEgZ2VuZXJp",
        "AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM",
    );
    assert_eq!(
        signed.header_list,
        "host;x-cos-content-sha1;x-cos-stroage-class"
    );
    assert_eq!(signed.param_list, "");
    assert_eq!(signed.signature, "ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a");
}

#[test]
fn p1_python_sdk_get_by_id() {
    let s = inv_sign(
        "GET",
        &[("inventory", ""), ("id", "list1")],
        &[("host", INV_HOST)],
        PY_TIME,
    );
    assert_eq!(
        s.authorization,
        expected_authorization(
            "1700000000;1700003660",
            "host",
            "id;inventory",
            "ccd12190f2a5b105f9bbdd8aa6e8c578d61f29a8"
        )
    );
}

#[test]
fn p2_python_sdk_put_signs_content_headers() {
    let s = inv_sign(
        "PUT",
        &[("inventory", ""), ("id", "list1")],
        &PUT_HEADERS,
        PY_TIME,
    );
    assert_eq!(s.http_string, G2_HTTP_STRING);
    assert_eq!(
        s.http_string_sha1,
        "95ff17752b455029a701ffeeb681cb780d1ceab7"
    );
    assert_eq!(
        s.header_list,
        "content-length;content-md5;content-type;host"
    );
    assert_eq!(s.param_list, "id;inventory");
    assert_eq!(s.signature, "6bb5d4691597e4d05747276eaf75f3c21b9bf9de");
}

#[test]
fn p3_python_sdk_list_encodes_the_continuation_token() {
    let s = inv_sign(
        "GET",
        &[("inventory", ""), ("continuation-token", TOKEN)],
        &[("host", INV_HOST)],
        PY_TIME,
    );
    assert_eq!(
        s.http_parameters,
        "continuation-token=1ueSDFASDF1Tr%2FXDAFdadEADadf2J%2Fwm36Hy4vbOwM%3D&inventory="
    );
    assert_eq!(s.param_list, "continuation-token;inventory");
    assert_eq!(s.signature, "172fa51391d1c761079389e0b5f39af69d1a23c8");
}

#[test]
fn p4_python_sdk_delete_signs_the_security_token() {
    let s = inv_sign(
        "DELETE",
        &[("inventory", ""), ("id", "list1")],
        &[
            ("x-cos-security-token", "EXAMPLETOKEN/abc+def="),
            ("Content-Length", "0"),
            ("Host", INV_HOST),
        ],
        PY_TIME,
    );
    assert_eq!(s.header_list, "content-length;host;x-cos-security-token");
    assert_eq!(s.signature, "3b45d16d91f72d290e96a413c9a1912646e7aa3c");
}

#[test]
fn p5_python_sdk_list_first_page() {
    let s = inv_sign("GET", &[("inventory", "")], &[("host", INV_HOST)], PY_TIME);
    assert_eq!(s.param_list, "inventory");
    assert_eq!(s.signature, "425f3285f918ca3a5dc260aa67160ecd5150c8cf");
}

#[test]
fn g1_go_sdk_get_matches_every_stage() {
    let s = inv_sign(
        "GET",
        &[("inventory", ""), ("id", "list1")],
        &[("Host", INV_HOST)],
        GO_TIME,
    );
    assert_eq!(s.sign_key, "c2dc3e7f8e6703bb5289afb2cfdca0becdce5db6");
    assert_eq!(
        s.http_string,
        "get\n/\nid=list1&inventory=\nhost=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\n"
    );
    assert_eq!(
        s.string_to_sign,
        "sha1\n1700000000;1700003600\n1bc08e641f4c6601399a336476acc904b366ec86\n"
    );
    assert_eq!(
        s.authorization,
        expected_authorization(
            "1700000000;1700003600",
            "host",
            "id;inventory",
            "8ce82cc4c0d8d2f79142eac9592bd7571b3a2c35"
        )
    );
}

#[test]
fn g2_go_sdk_put_matches_every_stage() {
    let s = inv_sign(
        "PUT",
        &[("inventory", ""), ("id", "list1")],
        &PUT_HEADERS,
        GO_TIME,
    );
    assert_eq!(s.http_string, G2_HTTP_STRING);
    assert_eq!(
        s.http_string_sha1,
        "95ff17752b455029a701ffeeb681cb780d1ceab7"
    );
    assert_eq!(s.signature, "f39b4afcae829c3cbb1f022c297fe4e5dbfb351e");
}

#[test]
fn g3_go_sdk_list_with_token() {
    let s = inv_sign(
        "GET",
        &[("inventory", ""), ("continuation-token", TOKEN)],
        &[("Host", INV_HOST)],
        GO_TIME,
    );
    assert_eq!(s.param_list, "continuation-token;inventory");
    assert_eq!(s.signature, "0234fab2d73527d9db428e83d47763e91e9d2f6c");
}

#[test]
fn g4_go_sdk_delete_with_security_token() {
    let s = inv_sign(
        "DELETE",
        &[("inventory", ""), ("id", "list1")],
        &[
            ("Host", INV_HOST),
            ("X-Cos-Security-Token", "EXAMPLETOKEN/abc+def="),
        ],
        GO_TIME,
    );
    assert_eq!(s.header_list, "host;x-cos-security-token");
    assert_eq!(s.signature, "36b0b5823f26d333203315fe2c251ae1f62b8548");
}

#[test]
fn g5_go_sdk_list_first_page() {
    let s = inv_sign("GET", &[("inventory", "")], &[("Host", INV_HOST)], GO_TIME);
    assert_eq!(s.signature, "dfe4255d10f1454e76c5a19efc448f7e7b8b4c24");
}

#[test]
fn g6_go_sdk_signs_the_host_with_its_port() {
    let params = [("inventory", ""), ("id", "list1")];
    let with_port = inv_sign("GET", &params, &[("Host", "127.0.0.1:9000")], GO_TIME);
    assert_eq!(
        with_port.signature,
        "19e326f1f1ef9415d1298c9e60e4e204fda523c5"
    );
    let without_port = inv_sign("GET", &params, &[("Host", "127.0.0.1")], GO_TIME);
    assert_eq!(
        without_port.signature,
        "92c832f84b4c1f1f540af5b7f2ef282f25e656eb"
    );
}

#[test]
fn encoding_uses_uppercase_hex_and_keeps_only_unreserved_bytes() {
    assert_eq!(encode("aZ09-_.~"), "aZ09-_.~");
    assert_eq!(encode("a/b+c=d e"), "a%2Fb%2Bc%3Dd%20e");
    assert_eq!(encode("!'()*"), "%21%27%28%29%2A");
    assert_eq!(encode("腾"), "%E8%85%BE");
}

#[test]
fn keys_are_lowercased_after_encoding_but_values_keep_uppercase_hex() {
    let (joined, list) = canonicalize([("A/B", "x/y"), ("inventory", "")]);
    assert_eq!(joined, "a%2fb=x%2Fy&inventory=");
    assert_eq!(list, "a%2fb;inventory");
}

#[test]
fn repeated_keys_are_sorted_by_value() {
    let (joined, _) = canonicalize([("k", "b"), ("k", "a")]);
    assert_eq!(joined, "k=a&k=b");
}

#[test]
fn authorization_parses_back_into_its_fields() {
    let s = inv_sign(
        "PUT",
        &[("inventory", ""), ("id", "list1")],
        &PUT_HEADERS,
        GO_TIME,
    );
    let parsed = Authorization::parse(&s.authorization).unwrap();
    assert_eq!(parsed.algorithm, "sha1");
    assert_eq!(parsed.secret_id, INV_AK);
    assert_eq!(parsed.key_time, GO_TIME);
    assert_eq!(parsed.sign_time, Some(GO_TIME));
    assert_eq!(
        parsed.header_list,
        ["content-length", "content-md5", "content-type", "host"]
    );
    assert_eq!(parsed.param_list, ["id", "inventory"]);
    assert_eq!(parsed.signature, s.signature);
}

#[test]
fn authorization_without_signature_is_rejected() {
    let err = Authorization::parse("q-sign-algorithm=sha1&q-ak=x&q-key-time=1;2").unwrap_err();
    assert_eq!(err, AuthorizationError::Missing("q-signature"));
    let err = Authorization::parse("q-sign-algorithm=sha1&q-ak=x&q-key-time=1-2&q-signature=s")
        .unwrap_err();
    assert_eq!(err, AuthorizationError::BadKeyTime);
}

#[test]
fn key_time_window_is_built_around_now() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_060);
    let kt = KeyTime::around(now, Duration::from_secs(60), Duration::from_secs(3600));
    assert_eq!(kt, KeyTime::new(1_700_000_000, 1_700_003_660));
    assert!(kt.contains(1_700_000_000) && kt.contains(1_700_003_660));
    assert!(!kt.contains(1_700_003_661));
    assert_eq!(KeyTime::parse(&kt.to_string()), Some(kt));
}

#[test]
fn debug_output_hides_the_sign_key_signature_and_authorization() {
    let s = inv_sign("GET", &[("inventory", "")], &[("Host", INV_HOST)], GO_TIME);
    let shown = format!(
        "{s:?} {:?}",
        Authorization::parse(&s.authorization).unwrap()
    );
    assert!(!shown.contains(&s.signature), "{shown}");
    assert!(!shown.contains(&s.sign_key), "{shown}");
    assert!(!shown.contains(INV_SK), "{shown}");
}

proptest! {
    #[test]
    fn signing_never_panics_on_arbitrary_input(
        method in ".{0,8}",
        path in ".{0,40}",
        params in proptest::collection::vec((".{0,12}", ".{0,24}"), 0..6),
        headers in proptest::collection::vec((".{0,12}", ".{0,24}"), 0..6),
        start in any::<u64>(),
        end in any::<u64>(),
        secret in ".{0,40}",
    ) {
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let input = SignInput { method: &method, path: &path, params: &params, headers: &headers, key_time: KeyTime::new(start, end) };
        let signed = sign_with_key(&input, "ak", &secret);
        prop_assert_eq!(signed.signature.len(), 40);
        let parsed = Authorization::parse(&signed.authorization);
        prop_assert!(parsed.is_ok());
    }
}

#[test]
fn recompute_uses_only_what_the_authorization_lists() {
    let signed = inv_sign(
        "PUT",
        &[("inventory", ""), ("id", "list1")],
        &PUT_HEADERS,
        GO_TIME,
    );
    let auth = Authorization::parse(&signed.authorization).unwrap();
    // What a server receives: the signed headers plus unsigned ones, in any order and case.
    let received_headers = [
        ("user-agent", "invsync/0.1.0"),
        ("host", INV_HOST),
        ("content-type", "application/xml"),
        ("content-md5", "0D2hKeStTdgbBUwiPr1Ntw=="),
        ("content-length", "351"),
        ("date", "Thu, 16 May 2019 06:45:51 GMT"),
    ];
    let received_params = [("id", "list1"), ("inventory", "")];
    let again = recompute(
        &auth,
        "PUT",
        "/",
        &received_params,
        &received_headers,
        INV_SK,
    );
    assert!(again.matches(&auth.signature));
    assert!(again.matches(&auth.signature.to_uppercase()));
    let wrong_key = recompute(
        &auth,
        "PUT",
        "/",
        &received_params,
        &received_headers,
        "nope",
    );
    assert!(!wrong_key.matches(&auth.signature));
    let tampered = [("id", "list2"), ("inventory", "")];
    let tampered = recompute(&auth, "PUT", "/", &tampered, &received_headers, INV_SK);
    assert!(!tampered.matches(&auth.signature));
}

#[test]
fn recompute_accepts_a_subset_signed_by_another_client() {
    // DOC-SIGN style: only host and inventory signed, though id and Date were sent too.
    let subset = inv_sign("GET", &[("inventory", "")], &[("host", INV_HOST)], GO_TIME);
    let auth = Authorization::parse(&subset.authorization).unwrap();
    let again = recompute(
        &auth,
        "GET",
        "/",
        &[("inventory", ""), ("id", "list1")],
        &[("host", INV_HOST), ("date", "x")],
        INV_SK,
    );
    assert!(again.matches(&auth.signature));
}

#[test]
fn recompute_matches_names_that_need_encoding() {
    let params = [("a/b", "1"), ("inventory", "")];
    let signed = inv_sign("GET", &params, &[("host", INV_HOST)], GO_TIME);
    assert_eq!(signed.param_list, "a%2fb;inventory");
    let auth = Authorization::parse(&signed.authorization).unwrap();
    let again = recompute(&auth, "GET", "/", &params, &[("Host", INV_HOST)], INV_SK);
    assert!(again.matches(&auth.signature));
}
