//! Why a provider's wire configuration is not a valid model configuration, for the providers
//! whose conversions name the element as `element <…>` (OSS, S3).

/// Why a wire configuration is not a valid model configuration. Names the element (as a path
/// below `InventoryConfiguration`) and, when there is one, the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("element <{element}> is missing")]
    Missing { element: &'static str },
    #[error("element <{element}> has invalid value `{value}` (expected {expected})")]
    Invalid {
        element: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl ConvertError {
    /// The path below `InventoryConfiguration` that could not be expressed, as a foreign
    /// configuration lists it: `Schedule/Frequency=Hourly`, `IsEnabled (missing)`.
    pub(crate) fn unmodelled_path(&self) -> String {
        match self {
            ConvertError::Missing { element } => format!("{element} (missing)"),
            ConvertError::Invalid { element, value, .. } => format!("{element}={value}"),
        }
    }
}

/// `value`, or [`ConvertError::Missing`] naming `element`.
///
/// # Errors
/// When `value` is `None`.
pub(crate) fn required<T>(value: Option<T>, element: &'static str) -> Result<T, ConvertError> {
    value.ok_or(ConvertError::Missing { element })
}
