//! COS's examples for the demo and the benchmark.

use crate::provider::kit::example::ProviderExample;

/// COS's entry in the examples: APPID-suffixed buckets in Guangzhou, monthly reports with tag
/// and period filters.
pub(crate) static EXAMPLE: ProviderExample = ProviderExample {
    key_id_prefix: "AKID",
    bucket: |n| format!("bench{n:05}-1250000000"),
    region: "ap-guangzhou",
    destination: "        bucket: qcs::cos:ap-guangzhou::inventory-1250000000\n        format: CSV\n",
    readme_bucket_lines: "",
    readme_item,
};

fn readme_item(n: usize) -> String {
    let day = n % 28 + 1;
    format!(
        "      schedule: {{frequency: Monthly, monthlyDate: {day}}}
      filter:
        prefix: \"data{n:03}/\"
        tags: [{{key: team, value: \"18\"}}]
        period: {{startTime: 1568688761, endTime: 1568688762}}
      optionalFields: [Size, LastModifiedDate, ETag, StorageClass, Tag]
      destination:
        bucket: qcs::cos:ap-guangzhou::inventory-1250000000
        accountId: \"100000000001\"
        prefix: list{n:03}
        format: CSV
        encryption: SSE-COS
"
    )
}
