//! How long a request signature stays valid: as long as clock skew needs, and no longer.
//!
//! A signature that leaks (a proxy log, a hostile endpoint) can be replayed until it expires,
//! so the window is kept to what tolerating clock differences between invsync and the provider
//! requires. Every attempt is signed afresh, so retries never need a longer window.
//!
//! - COS signs its own window (`q-sign-time`): `[now - SKEW, now + SKEW]`. A start in the past
//!   costs nothing (a replay can only happen later); the end is what bounds a replay.
//! - OSS V1 and V4 header signatures carry no expiry of their own: they sign the current time
//!   (`Date` / `x-oss-date`) and the server refuses times more than 15 minutes from its own
//!   clock (`reference/oss-api.md` §3.2, §4.1). invsync never presigns URLs (`Expires`,
//!   `x-oss-expires`), which would carry a longer one.

use std::time::Duration;

/// Largest clock difference between invsync and a provider that requests survive: five
/// minutes, the common NTP-less drift budget (Kerberos' default skew is the same).
pub const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// Longest a COS signature remains usable after it is made.
pub const MAX_SIGNATURE_LIFETIME: Duration = CLOCK_SKEW;
