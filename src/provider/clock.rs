//! The wall clock provider clients sign with, injectable so tests can pin signatures.

use std::sync::Arc;
use std::time::SystemTime;

/// Reads the current time. Clients call it once per attempt, so a retry after a pause signs
/// with a fresh time.
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The system clock.
pub(crate) fn system_clock() -> Clock {
    Arc::new(SystemTime::now)
}
