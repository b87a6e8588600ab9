//! OSS's examples for the demo and the benchmark.

use crate::provider::kit::example::ProviderExample;

/// OSS's entry in the examples: buckets in Hangzhou, weekly reports with storage-class filters
/// and SSE-KMS.
pub(crate) static EXAMPLE: ProviderExample = ProviderExample {
    key_id_prefix: "LTAI",
    bucket: |n| format!("bench{n:05}"),
    region: "cn-hangzhou",
    destination: "        bucket: acs:oss:::inventory-dest\n        accountId: \"1000000000000000\"\n        roleArn: acs:ram::1000000000000000:role/AliyunOSSRole\n        format: CSV\n",
    readme_bucket_lines: "",
    readme_item,
};

fn readme_item(n: usize) -> String {
    format!(
        "      schedule:
        frequency: Weekly
      filter: {{prefix: 'data{n:03}/', storageClass: [Standard, IA]}}
      optionalFields:
        - Size
        - LastModifiedDate
        - ETag
      destination:
        bucket: acs:oss:::inventory-dest
        accountId: \"1000000000000000\"
        roleArn: \"acs:ram::1000000000000000:role/AliyunOSSRole\"
        prefix: list{n:03}
        format: CSV
        encryption: {{SSE-KMS: {{keyId: \"key-{n:03}\"}}}}
"
    )
}
