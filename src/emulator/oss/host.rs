//! OSS endpoints: `{bucket}.oss-{region}.aliyuncs.com` (or `-internal`) virtual-hosted; path
//! style on any host that names no provider, unless another dialect claims the request. Pure.

use crate::emulator::route::{HostTarget, strip_port};

/// The bucket and region an OSS Host names, if it is an OSS virtual-hosted endpoint.
pub(super) fn parse(host: &str) -> Option<HostTarget> {
    let host = strip_port(host).to_ascii_lowercase();
    let front = host.strip_suffix(".aliyuncs.com")?;
    let (bucket, region) = front.split_once(".oss-")?;
    if bucket.is_empty() || region.is_empty() {
        return None;
    }
    let region = region.strip_suffix("-internal").unwrap_or(region);
    Some(HostTarget::VirtualHosted {
        bucket: bucket.to_string(),
        region: region.to_string(),
    })
}
