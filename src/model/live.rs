//! Live configurations as read: modelled ones, and *foreign* ones invsync must not touch.

use super::{Inventory, Provider};

/// A live configuration holding elements or values invsync does not model (design §3a).
///
/// Writing it back from the model would drop what is not understood, so it is never updated,
/// replaced or deleted unless its manifest declaration opts in with `overwriteForeign: true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignConfig {
    /// The provider of the bucket it was read from.
    pub provider: Provider,
    /// The `<Id>` text; empty when the configuration has none.
    pub id: String,
    /// The configuration's element exactly as the provider sent it.
    pub raw_xml: String,
    /// What was not understood, as paths below `InventoryConfiguration`, e.g.
    /// `Schedule/Frequency=Hourly` for an unknown value or `IncrementalInventory` for an
    /// unknown element; sorted, never empty.
    pub unmodelled: Vec<String>,
}

/// One live configuration of a bucket.
// Nearly every live configuration is modelled; boxing that variant would cost an allocation
// each to save space on the rare foreign one.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveConfig {
    /// Fully understood: reading it and writing it back loses nothing.
    Modelled(Inventory),
    /// Not fully understood: kept verbatim, hands off.
    Foreign(ForeignConfig),
}

impl LiveConfig {
    /// The configuration id.
    pub fn id(&self) -> &str {
        match self {
            LiveConfig::Modelled(inventory) => inventory.id(),
            LiveConfig::Foreign(foreign) => &foreign.id,
        }
    }

    /// The modelled configuration, `None` for a foreign one.
    pub fn modelled(&self) -> Option<&Inventory> {
        match self {
            LiveConfig::Modelled(inventory) => Some(inventory),
            LiveConfig::Foreign(_) => None,
        }
    }

    /// The foreign configuration, `None` for a modelled one.
    pub fn foreign(&self) -> Option<&ForeignConfig> {
        match self {
            LiveConfig::Modelled(_) => None,
            LiveConfig::Foreign(foreign) => Some(foreign),
        }
    }
}

impl From<Inventory> for LiveConfig {
    fn from(inventory: Inventory) -> Self {
        LiveConfig::Modelled(inventory)
    }
}

/// Wraps fully modelled configurations, as a provider would list them.
pub fn all_modelled(inventories: impl IntoIterator<Item = Inventory>) -> Vec<LiveConfig> {
    inventories.into_iter().map(LiveConfig::Modelled).collect()
}
