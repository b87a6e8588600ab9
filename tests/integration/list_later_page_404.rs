//! A LIST whose later page answers "no configurations" is incomplete: it fails, and neither
//! plan nor apply acts on the pages read before it (a partial list would prune what it did not
//! see). Only the first page's 404 means an empty bucket. COS and OSS, through the mock server.

use crate::support::mock_server;

use std::sync::Arc;

use axum::http::StatusCode;
use invsync::metrics::Metrics;
use invsync::model::{BucketKey, DesiredBucket, DesiredState, Inventory, LiveConfig, Provider};
use invsync::plan::PlanOptions;
use invsync::provider::document::ConfigReader;
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::{
    CredentialSource, Credentials, ErrorKind, InventoryApi, ProviderError, StaticCredentials,
};
use invsync::reconcile::{
    ApplySettings, ClientSettings, Clients, ReconcileContext, SettleGate, plan_all, reconcile,
};
use mock_server::{MockServer, Recorded};

/// What differs between the providers in these tests.
struct Case {
    provider: Provider,
    bucket: &'static str,
    region: &'static str,
    list_root: &'static str,
    no_configurations: &'static str,
    reader: ConfigReader<'static>,
    config: fn(&str) -> String,
}

fn cos_config(id: &str) -> String {
    format!(
        "<InventoryConfiguration><Id>{id}</Id><IsEnabled>true</IsEnabled>\
         <IncludedObjectVersions>All</IncludedObjectVersions><Schedule><Frequency>Daily\
         </Frequency></Schedule><Destination><COSBucketDestination>\
         <Bucket>qcs::cos:ap-guangzhou::dest-1250000000</Bucket><Format>CSV</Format>\
         </COSBucketDestination></Destination></InventoryConfiguration>"
    )
}

fn oss_config(id: &str) -> String {
    format!(
        "<InventoryConfiguration><Id>{id}</Id><IsEnabled>true</IsEnabled>\
         <Destination><OSSBucketDestination><Format>CSV</Format>\
         <AccountId>1000000000000000</AccountId>\
         <RoleArn>acs:ram::1000000000000000:role/AliyunOSSRole</RoleArn>\
         <Bucket>acs:oss:::dest-bucket</Bucket></OSSBucketDestination></Destination>\
         <Schedule><Frequency>Weekly</Frequency></Schedule>\
         <IncludedObjectVersions>Current</IncludedObjectVersions>\
         <OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>"
    )
}

fn cos() -> Case {
    Case {
        provider: Provider::COS,
        bucket: "examplebucket-1250000000",
        region: "ap-guangzhou",
        list_root: "ListInventoryConfigurationResult",
        no_configurations: "NoSuchInventoryConfiguration",
        reader: invsync::provider::cos::response::READER,
        config: cos_config,
    }
}

fn oss() -> Case {
    Case {
        provider: Provider::OSS,
        bucket: "examplebucket",
        region: "cn-hangzhou",
        list_root: "ListInventoryConfigurationsResult",
        no_configurations: "NoSuchInventory",
        reader: invsync::provider::oss::response::READER,
        config: oss_config,
    }
}

impl Case {
    fn key(&self) -> BucketKey {
        BucketKey {
            provider: self.provider,
            bucket: self.bucket.into(),
            region: self.region.into(),
        }
    }

    fn inventory(&self, id: &str) -> Inventory {
        match self.reader.read(&(self.config)(id)) {
            LiveConfig::Modelled(inventory) => inventory,
            LiveConfig::Foreign(foreign) => panic!("test config is foreign: {foreign:?}"),
        }
    }

    /// Declares `declared` only, pruning the rest: on a silently cut list, apply would write
    /// `declared` and delete what the first page showed.
    fn desired(&self) -> DesiredBucket {
        DesiredBucket {
            key: self.key(),
            name: self.bucket.into(),
            prune: true,
            mode: Default::default(),
            endpoint: None,
            options: Default::default(),
            origin: Default::default(),
            inventories: vec![self.inventory("declared")],
            overwrite_foreign: Default::default(),
            policies: Vec::new(),
        }
    }

    /// A mock whose first LIST page holds `first` and says more follows; every later page
    /// answers 404 "no configurations".
    fn server(&self) -> MockServer {
        let server = MockServer::start();
        let page = format!(
            "<{root}>{config}<IsTruncated>true</IsTruncated>\
             <NextContinuationToken>page2</NextContinuationToken></{root}>",
            root = self.list_root,
            config = (self.config)("first"),
        );
        let missing = format!(
            "<Error><Code>{}</Code><Message>no inventory</Message>\
             <RequestId>REQ-404</RequestId></Error>",
            self.no_configurations
        );
        server.fallback(move |request: &Recorded, _| {
            use axum::response::IntoResponse;
            if request.query().contains("continuation-token") {
                (StatusCode::NOT_FOUND, missing.clone()).into_response()
            } else {
                (StatusCode::OK, page.clone()).into_response()
            }
        });
        server
    }

    fn clients(&self, server: &MockServer) -> Clients {
        let credentials: Arc<dyn CredentialSource> =
            Arc::new(StaticCredentials(Credentials::new("id", "secret")));
        Clients::new(
            ClientSettings::default().with_endpoint_for_all(&server.url().parse().unwrap()),
            Transport::new(HttpSettings::default()).unwrap(),
            Provider::ALL
                .into_iter()
                .map(|p| (p, credentials.clone()))
                .collect(),
        )
    }

    /// A mock whose only LIST page answers 404 "no configurations".
    fn empty_server(&self) -> MockServer {
        let server = MockServer::start();
        let missing = format!(
            "<Error><Code>{}</Code><Message>no inventory</Message></Error>",
            self.no_configurations
        );
        server.fallback(move |_, _| {
            use axum::response::IntoResponse;
            (StatusCode::NOT_FOUND, missing.clone()).into_response()
        });
        server
    }
}

fn methods(server: &MockServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| r.method.to_string())
        .collect()
}

async fn a_later_page_answering_404_fails_the_list(case: Case) {
    let server = case.server();
    let client = case.clients(&server).for_bucket(&case.key(), None).unwrap();

    let error = client.list(&case.key()).await.unwrap_err();

    assert!(matches!(error, ProviderError::Decode { .. }), "{error}");
    assert_eq!(error.kind(), ErrorKind::Unreadable);
    assert!(
        error.to_string().contains("the list is incomplete"),
        "{error}"
    );
    assert_eq!(methods(&server), ["GET", "GET"]);
}

async fn plan_and_apply_on_a_list_cut_by_a_later_404_write_nothing(case: Case) {
    let server = case.server();
    let clients = case.clients(&server);
    let desired = case.desired();

    let plan = plan_all(
        &clients,
        &DesiredState {
            buckets: [(case.key(), desired.clone())].into_iter().collect(),
            ..Default::default()
        },
        &PlanOptions::default(),
        1,
    )
    .await;
    assert!(plan.buckets.is_empty(), "{:?}", plan.buckets);
    assert_eq!(plan.failures.len(), 1);
    assert!(
        plan.failures[0].message.contains("the list is incomplete"),
        "{}",
        plan.failures[0].message
    );

    // As `invsync apply` runs it.
    let context = ReconcileContext {
        clients: clients.clone(),
        metrics: Metrics::new(),
        options: PlanOptions::default(),
        settings: ApplySettings::default(),
        dry_run: false,
        settle: SettleGate::unguarded(),
        wave: None,
    };
    let outcome = reconcile(&desired, &context, "r").await;
    assert!(outcome.result.is_err(), "{outcome:?}");
    assert!(outcome.written.is_empty(), "{outcome:?}");
    assert!(
        methods(&server).iter().all(|m| m == "GET"),
        "{:?}",
        methods(&server)
    );
}

async fn a_first_page_answering_404_is_an_empty_bucket(case: Case) {
    let server = case.empty_server();
    let client = case.clients(&server).for_bucket(&case.key(), None).unwrap();
    assert_eq!(client.list(&case.key()).await.unwrap(), vec![]);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn cos_list_fails_when_a_later_page_answers_no_such_inventory() {
    a_later_page_answering_404_fails_the_list(cos()).await;
}

#[tokio::test]
async fn oss_list_fails_when_a_later_page_answers_no_such_inventory() {
    a_later_page_answering_404_fails_the_list(oss()).await;
}

#[tokio::test]
async fn cos_plan_and_apply_write_nothing_when_a_later_page_answers_404() {
    plan_and_apply_on_a_list_cut_by_a_later_404_write_nothing(cos()).await;
}

#[tokio::test]
async fn oss_plan_and_apply_write_nothing_when_a_later_page_answers_404() {
    plan_and_apply_on_a_list_cut_by_a_later_404_write_nothing(oss()).await;
}

#[tokio::test]
async fn cos_first_page_answering_404_is_an_empty_bucket() {
    a_first_page_answering_404_is_an_empty_bucket(cos()).await;
}

#[tokio::test]
async fn oss_first_page_answering_404_is_an_empty_bucket() {
    a_first_page_answering_404_is_an_empty_bucket(oss()).await;
}
