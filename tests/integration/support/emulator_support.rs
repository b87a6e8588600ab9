//! Raw, signed requests to the emulator for its integration tests, built with the crate's own
//! signers so that each test controls every header, parameter and credential.

#![allow(dead_code)] // each test crate uses a different part of this module

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use invsync::emulator::{self, EmulatorConfig, EmulatorHandle};
use invsync::model::Provider;
use invsync::provider::cos::signer::{self as cos_signer, KeyTime, SignInput};
use invsync::provider::oss::{date as oss_date, encoding, signer_v1, signer_v4};
use invsync::provider::s3::signer as s3_signer;
use md5::{Digest, Md5};
use reqwest::{Method, Response};

pub(crate) const COS_ID: &str = "AKIDemulatorTests000000000000000000";
pub(crate) const COS_KEY: &str = "emulatorTestsCosSecretKey000000000";
pub(crate) const OSS_ID: &str = "LTAIemulatorTests";
pub(crate) const OSS_KEY: &str = "emulatorTestsOssSecret000000";
pub(crate) const COS_REGION: &str = "ap-guangzhou";
pub(crate) const OSS_REGION: &str = "cn-hangzhou";
pub(crate) const S3_ID: &str = "AKIAEMULATORTESTS000";
pub(crate) const S3_KEY: &str = "emulatorTestsS3SecretAccessKey0000000000";
/// The emulator's default region of S3 buckets.
pub(crate) const S3_REGION: &str = "us-east-1";

/// The credentials every test emulator accepts.
pub(crate) fn config() -> EmulatorConfig {
    EmulatorConfig::default()
        .with_credentials(Provider::COS, COS_ID, COS_KEY)
        .with_credentials(Provider::OSS, OSS_ID, OSS_KEY)
        .with_credentials(Provider::S3, S3_ID, S3_KEY)
}

pub(crate) async fn start() -> EmulatorHandle {
    start_with(config()).await
}

pub(crate) async fn start_with(config: EmulatorConfig) -> EmulatorHandle {
    emulator::spawn(config).await.expect("emulator starts")
}

pub(crate) fn http() -> reqwest::Client {
    // reqwest is built without a default crypto provider; plain HTTP still needs one chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client builds")
}

pub(crate) fn md5_base64(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(body))
}

fn query_string(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                encoding::uri_encode(k)
            } else {
                format!("{}={}", encoding::uri_encode(k), encoding::uri_encode(v))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A COS request: virtual-hosted `Host`, sent to the emulator's address.
pub(crate) struct CosRequest<'a> {
    pub method: Method,
    pub bucket: &'a str,
    pub params: Vec<(&'a str, &'a str)>,
    pub body: Option<Vec<u8>>,
    pub secret_id: &'a str,
    pub secret_key: &'a str,
    pub key_time: KeyTime,
    /// Extra headers, sent and signed.
    pub headers: Vec<(&'a str, String)>,
    /// Extra headers, sent but not signed.
    pub unsigned_headers: Vec<(&'a str, String)>,
    /// Append `:PORT` to the Host header but sign the host without it (as PY does).
    pub host_with_port: Option<u16>,
    /// Send Content-MD5 of the body (PUT).
    pub content_md5: bool,
    /// Send this Host instead of the bucket's virtual host (a service endpoint).
    pub service_host: Option<&'a str>,
    /// The object key addressed; empty for bucket calls.
    pub key: &'a str,
}

impl<'a> CosRequest<'a> {
    pub(crate) fn new(method: Method, bucket: &'a str, params: Vec<(&'a str, &'a str)>) -> Self {
        CosRequest {
            method,
            bucket,
            params,
            body: None,
            secret_id: COS_ID,
            secret_key: COS_KEY,
            key_time: KeyTime::around(
                SystemTime::now(),
                Duration::from_secs(60),
                Duration::from_secs(3600),
            ),
            headers: Vec::new(),
            unsigned_headers: Vec::new(),
            host_with_port: None,
            content_md5: true,
            service_host: None,
            key: "",
        }
    }

    pub(crate) fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    pub(crate) async fn send(self, emulator: &EmulatorHandle) -> Response {
        let host = match self.service_host {
            Some(host) => host.to_string(),
            None => format!("{}.cos.{COS_REGION}.myqcloud.com", self.bucket),
        };
        let mut signed_headers: Vec<(String, String)> = vec![("host".into(), host.clone())];
        if let Some(body) = &self.body {
            signed_headers.push(("content-type".into(), "application/xml".into()));
            signed_headers.push(("content-length".into(), body.len().to_string()));
            if self.content_md5 {
                signed_headers.push(("content-md5".into(), md5_base64(body)));
            }
        }
        for (k, v) in &self.headers {
            signed_headers.push((k.to_string(), v.clone()));
        }
        let header_refs: Vec<(&str, &str)> = signed_headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let path = format!("/{}", self.key);
        let signed = cos_signer::sign_with_key(
            &SignInput {
                method: self.method.as_str(),
                path: &path,
                params: &self.params,
                headers: &header_refs,
                key_time: self.key_time,
            },
            self.secret_id,
            self.secret_key,
        );
        let url = format!(
            "{}/{}?{}",
            emulator.endpoint(),
            self.key,
            query_string(&self.params)
        );
        let mut request = http().request(self.method.clone(), url);
        for (k, v) in &signed_headers {
            let value = match (k.as_str(), self.host_with_port) {
                ("host", Some(port)) => format!("{v}:{port}"),
                _ => v.clone(),
            };
            if k != "content-length" {
                request = request.header(k.as_str(), value);
            }
        }
        for (k, v) in &self.unsigned_headers {
            request = request.header(*k, v.as_str());
        }
        request = request.header("authorization", signed.authorization);
        if let Some(body) = self.body {
            request = request.body(body);
        }
        request.send().await.expect("request is answered")
    }
}

/// Which OSS signature a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OssVersion {
    V1,
    V4,
}

/// An OSS request: path style (`/{bucket}/`) unless `virtual_host` is set.
pub(crate) struct OssRequest<'a> {
    pub method: Method,
    pub bucket: &'a str,
    pub params: Vec<(&'a str, &'a str)>,
    pub body: Option<Vec<u8>>,
    pub version: OssVersion,
    pub key_id: &'a str,
    pub secret: &'a str,
    pub time: SystemTime,
    pub region: &'a str,
    pub virtual_host: bool,
    pub content_md5: Option<String>,
    /// The object key addressed; empty for bucket calls.
    pub key: &'a str,
}

impl<'a> OssRequest<'a> {
    pub(crate) fn new(
        method: Method,
        bucket: &'a str,
        params: Vec<(&'a str, &'a str)>,
        version: OssVersion,
    ) -> Self {
        OssRequest {
            method,
            bucket,
            params,
            body: None,
            version,
            key_id: OSS_ID,
            secret: OSS_KEY,
            time: SystemTime::now(),
            region: OSS_REGION,
            virtual_host: false,
            content_md5: None,
            key: "",
        }
    }

    pub(crate) fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        self.content_md5 = Some(md5_base64(&body));
        self.body = Some(body);
        self
    }

    pub(crate) async fn send(self, emulator: &EmulatorHandle) -> Response {
        let mut headers: Vec<(String, String)> = Vec::new();
        if let Some(md5) = &self.content_md5 {
            headers.push(("content-md5".into(), md5.clone()));
        }
        if self.body.is_some() {
            headers.push(("content-type".into(), "application/xml".into()));
        }
        let authorization = match self.version {
            OssVersion::V1 => {
                headers.push(("date".into(), oss_date::http_date(self.time)));
                let refs: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                signer_v1::authorization(
                    self.key_id,
                    self.secret,
                    &signer_v1::V1Request {
                        method: self.method.as_str(),
                        bucket: self.bucket,
                        key: self.key,
                        query: &self.params,
                        headers: &refs,
                    },
                )
            }
            OssVersion::V4 => {
                let datetime = oss_date::iso8601_basic(self.time);
                headers.push(("x-oss-date".into(), datetime.clone()));
                headers.push((
                    "x-oss-content-sha256".into(),
                    signer_v4::UNSIGNED_PAYLOAD.into(),
                ));
                let refs: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                signer_v4::authorization(
                    self.key_id,
                    self.secret,
                    self.region,
                    &datetime,
                    &signer_v4::V4Request {
                        method: self.method.as_str(),
                        bucket: self.bucket,
                        key: self.key,
                        query: &self.params,
                        headers: &refs,
                        additional_headers: &[],
                    },
                )
            }
        };
        let query = query_string(&self.params);
        let url = if self.virtual_host || self.bucket.is_empty() {
            format!("{}/{}?{query}", emulator.endpoint(), self.key)
        } else {
            format!(
                "{}/{}/{}?{query}",
                emulator.endpoint(),
                self.bucket,
                self.key
            )
        };
        let mut request = http().request(self.method.clone(), url);
        if self.virtual_host {
            request = request.header(
                "host",
                format!("{}.oss-{}.aliyuncs.com", self.bucket, OSS_REGION),
            );
        }
        for (k, v) in &headers {
            request = request.header(k.as_str(), v.as_str());
        }
        request = request.header("authorization", authorization);
        if let Some(body) = self.body {
            request = request.body(body);
        }
        request.send().await.expect("request is answered")
    }
}

/// An S3 request, SigV4-signed with the crate's signer: path style (`/{bucket}` on the
/// emulator's IP address) unless `virtual_host` is set.
pub(crate) struct S3Request<'a> {
    pub method: Method,
    pub bucket: &'a str,
    pub params: Vec<(&'a str, &'a str)>,
    pub body: Vec<u8>,
    pub key_id: &'a str,
    pub secret: &'a str,
    pub token: Option<&'a str>,
    pub region: &'a str,
    pub time: SystemTime,
    pub virtual_host: bool,
    /// Extra headers, sent and signed.
    pub headers: Vec<(&'a str, String)>,
    /// Sent instead of the body that was signed.
    pub send_body: Option<Vec<u8>>,
    /// Virtual-hosted: the region the Host names, when not the signing region.
    pub host_region: Option<&'a str>,
    /// The object key addressed; empty for bucket calls.
    pub key: &'a str,
}

impl<'a> S3Request<'a> {
    pub(crate) fn new(method: Method, bucket: &'a str, params: Vec<(&'a str, &'a str)>) -> Self {
        S3Request {
            method,
            bucket,
            params,
            body: Vec::new(),
            key_id: S3_ID,
            secret: S3_KEY,
            token: None,
            region: S3_REGION,
            time: SystemTime::now(),
            virtual_host: false,
            headers: Vec::new(),
            send_body: None,
            host_region: None,
            key: "",
        }
    }

    pub(crate) fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub(crate) async fn send(self, emulator: &EmulatorHandle) -> Response {
        let (host, path, url_path) = if self.virtual_host {
            (
                format!(
                    "{}.s3.{}.amazonaws.com",
                    self.bucket,
                    self.host_region.unwrap_or(self.region)
                ),
                format!("/{}", self.key),
                format!("/{}", self.key),
            )
        } else if self.key.is_empty() {
            (
                emulator.addr().to_string(),
                format!("/{}", self.bucket),
                format!("/{}", self.bucket),
            )
        } else {
            (
                emulator.addr().to_string(),
                format!("/{}/{}", self.bucket, self.key),
                format!("/{}/{}", self.bucket, self.key),
            )
        };
        let datetime = oss_date::iso8601_basic(self.time);
        let payload = s3_signer::payload_sha256(&self.body);
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), host.clone()),
            ("x-amz-date".into(), datetime.clone()),
            ("x-amz-content-sha256".into(), payload.clone()),
        ];
        if let Some(token) = self.token {
            headers.push(("x-amz-security-token".into(), token.to_string()));
        }
        for (k, v) in &self.headers {
            headers.push((k.to_string(), v.clone()));
        }
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let names: Vec<&str> = refs.iter().map(|(k, _)| *k).collect();
        let authorization = s3_signer::authorization(
            self.key_id,
            self.secret,
            self.region,
            s3_signer::SERVICE,
            &datetime,
            &s3_signer::SigningRequest {
                method: self.method.as_str(),
                path: &path,
                query: &self.params,
                headers: &refs,
                signed_headers: &names,
                payload_hash: &payload,
            },
        );
        let url = format!(
            "{}{url_path}?{}",
            emulator.endpoint(),
            query_string(&self.params)
        );
        let mut request = http().request(self.method.clone(), url);
        for (k, v) in &headers {
            request = request.header(k.as_str(), v.as_str());
        }
        request = request.header("authorization", authorization);
        request
            .body(self.send_body.unwrap_or(self.body))
            .send()
            .await
            .expect("request is answered")
    }
}

/// An S3 configuration body as boto3 sends it (namespace included).
pub(crate) fn s3_config(id: &str, prefix: &str) -> String {
    format!(
        "<InventoryConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Id>{id}</Id>\
         <IsEnabled>true</IsEnabled><Filter><Prefix>{prefix}</Prefix></Filter>\
         <Destination><S3BucketDestination><AccountId>123456789012</AccountId>\
         <Bucket>arn:aws:s3:::inventory-reports</Bucket><Format>Parquet</Format><Prefix>inv</Prefix>\
         <Encryption><SSE-S3></SSE-S3></Encryption></S3BucketDestination></Destination>\
         <Schedule><Frequency>Daily</Frequency></Schedule>\
         <IncludedObjectVersions>All</IncludedObjectVersions>\
         <OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>\
         </InventoryConfiguration>"
    )
}

/// A COS configuration body in the SDKs' shape.
pub(crate) fn cos_config(id: &str, prefix: &str) -> String {
    format!(
        "<InventoryConfiguration><Id>{id}</Id><IsEnabled>True</IsEnabled>\
         <IncludedObjectVersions>All</IncludedObjectVersions>\
         <Filter><Prefix>{prefix}</Prefix></Filter>\
         <OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>\
         <Schedule><Frequency>Daily</Frequency></Schedule>\
         <Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::dest-1250000000</Bucket>\
         <AccountId>100000000001</AccountId><Prefix>reports</Prefix><Format>CSV</Format>\
         <Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination>\
         </InventoryConfiguration>"
    )
}

/// An OSS configuration body in the Go v2 SDK's shape.
pub(crate) fn oss_config(id: &str, prefix: &str) -> String {
    format!(
        "<InventoryConfiguration><Id>{id}</Id><IsEnabled>true</IsEnabled>\
         <Destination><OSSBucketDestination><Format>CSV</Format><AccountId>1000000000000000</AccountId>\
         <RoleArn>acs:ram::1000000000000000:role/AliyunOSSRole</RoleArn><Bucket>acs:oss:::dest</Bucket>\
         <Prefix>reports/</Prefix></OSSBucketDestination></Destination>\
         <Schedule><Frequency>Weekly</Frequency></Schedule><Filter><Prefix>{prefix}</Prefix></Filter>\
         <IncludedObjectVersions>Current</IncludedObjectVersions>\
         <OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>"
    )
}

/// The text of the first `<name>` element of `xml`.
pub(crate) fn element<'x>(xml: &'x str, name: &str) -> Option<&'x str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

/// Every `<Id>` in a LIST page, in order.
pub(crate) fn ids(xml: &str) -> Vec<String> {
    xml.split("<Id>")
        .skip(1)
        .filter_map(|rest| rest.split("</Id>").next())
        .map(str::to_string)
        .collect()
}

/// The text of every `<name>` element of `xml`, in order.
pub(crate) fn elements<'x>(xml: &'x str, name: &str) -> Vec<&'x str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split(&close).next())
        .collect()
}

/// Status and body of an answer.
pub(crate) async fn answer(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// An S3 `ListBuckets` (`GET /` on the emulator's address, SigV4-signed) with `params`.
pub(crate) async fn s3_list(emulator: &EmulatorHandle, params: Vec<(&str, &str)>) -> (u16, String) {
    answer(S3Request::new(Method::GET, "", params).send(emulator).await).await
}

/// Creates `count` buckets `{prefix}{i:03}` of `provider` in `region` through the handle, as
/// the admin API does.
pub(crate) fn create_buckets(
    emulator: &EmulatorHandle,
    provider: Provider,
    prefix: &str,
    count: usize,
    region: &str,
) {
    for i in 0..count {
        let name = format!("{prefix}{i:03}");
        assert!(
            emulator
                .create_bucket(provider, &name, Some(region), &[])
                .unwrap()
        );
    }
}
