//! COS endpoints: `{bucket}.cos.{region}.myqcloud.com` (or `.tencentcos.cn`), virtual-hosted
//! only. Pure.

use crate::emulator::route::{HostTarget, strip_port};

/// The bucket and region a COS Host names, if it is a COS endpoint.
pub(super) fn parse(host: &str) -> Option<HostTarget> {
    let host = strip_port(host).to_ascii_lowercase();
    for suffix in [".myqcloud.com", ".tencentcos.cn"] {
        if let Some(front) = host.strip_suffix(suffix)
            && let Some((bucket, region)) = front.split_once(".cos.")
            && !bucket.is_empty()
            && !region.is_empty()
        {
            return Some(HostTarget::VirtualHosted {
                bucket: bucket.to_string(),
                region: region.to_string(),
            });
        }
    }
    None
}
