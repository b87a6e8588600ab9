//! S3's examples for the demo and the benchmark.

use crate::provider::kit::example::ProviderExample;

/// S3's entry in the examples: buckets in us-east-1 with an expected owner, daily Parquet
/// reports with SSE-S3.
pub(crate) static EXAMPLE: ProviderExample = ProviderExample {
    key_id_prefix: "AKIA",
    bucket: |n| format!("bench{n:05}"),
    region: "us-east-1",
    destination: "        bucket: arn:aws:s3:::inventory-dest\n        accountId: \"111122223333\"\n        format: CSV\n",
    readme_bucket_lines: "  expectedBucketOwner: \"111122223333\"   # optional\n",
    readme_item,
};

fn readme_item(n: usize) -> String {
    format!(
        "      schedule: {{frequency: Daily}}      # Daily | Weekly
      filter: {{prefix: \"data{n:03}/\"}}
      optionalFields: [Size, LastModifiedDate, StorageClass, ETag]
      destination:
        bucket: arn:aws:s3:::inventory-dest   # or the bare name
        accountId: \"111122223333\"
        prefix: inventory
        format: Parquet                 # CSV | ORC | Parquet
        encryption: SSE-S3
"
    )
}
