//! OSS error codes (ECs) only the OSS dialect raises: documented ones, and the emulator's
//! own `0099-…` numbers where no EC is documented (no real service sends those).

pub(super) const ID_MISMATCH: &str = "0020-00000043";
pub(super) const INVALID_ID: &str = "0020-00000044";
pub(super) const INVALID_DIGEST_MISMATCH: &str = "0017-00000503";
pub(super) const SIGNATURE_V1: &str = "0002-00000040";
pub(super) const SIGNATURE_V4: &str = "0002-00000201";
pub(super) const INVALID_CREDENTIAL_V4: &str = "0002-00000202";
pub(super) const SIGNING_REGION_MISMATCH: &str = "0002-00000226";
pub(super) const INVALID_ACCESS_KEY: &str = "0002-00000902";
pub(super) const TIME_TOO_SKEWED: &str = "0002-00000504";
/// Emulator-assigned: no documented EC.
pub(super) const NO_SUCH_INVENTORY: &str = "0099-00000001";
pub(super) const TOO_MANY: &str = "0099-00000003";
pub(super) const ACCESS_DENIED: &str = "0099-00000006";
