//! Conversions between the COS wire types and [`crate::provider::cos::model::CosInventory`].
//!
//! Reading (`TryFrom<&xml::InventoryConfiguration>`) accepts every shape [`super::xml`] reads
//! and folds equivalent spellings together: `Filter/Prefix` ≡ `Filter/And/Prefix`,
//! `SSECOS` ≡ `SSE-COS`, booleans and enum values in any case, and an empty element ≡ an
//! absent one (an empty prefix selects every object, as no prefix does). Structure the
//! service might hold but the manifests forbid (e.g. `Monthly` without `MonthlyDate`) is kept
//! as found so that the plan shows it as a difference rather than failing the whole bucket.
//!
//! Writing (`From<&CosInventory>`) produces what the official SDKs send:
//! - `<Filter><And>…</And></Filter>` only when tags or a storage class are present (the only
//!   conditions `Filter/Prefix` cannot carry), else `<Filter><Prefix>` as PY and NODE send it,
//!   and no `<Filter>` at all for an empty filter;
//! - `<OptionalFields>` only when there are fields, as GO (nil pointer) and NODE do;
//! - `<Encryption><SSE-COS></SSE-COS></Encryption>` only with SSE-COS.

use crate::model::{Frequency, IncludedObjectVersions, ReportFormat};
use crate::provider::cos::model::{
    CosDestination, CosFilter, CosInventory, CosPeriod, CosSchedule, CosTag,
};

use super::xml;

/// Why a wire configuration is not a valid [`CosInventory`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("<{element}> is missing")]
    Missing { element: &'static str },
    #[error("<{element}> has invalid value {value:?}; expected {expected}")]
    Invalid {
        element: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl ConvertError {
    /// The path below `InventoryConfiguration` that could not be expressed, as a foreign
    /// configuration lists it: `Schedule/Frequency=Hourly`, `Schedule (missing)`.
    pub(crate) fn unmodelled_path(&self) -> String {
        match self {
            ConvertError::Missing { element } => format!("{element} (missing)"),
            ConvertError::Invalid { element, value, .. } => format!("{element}={value}"),
        }
    }
}

impl TryFrom<&xml::InventoryConfiguration> for CosInventory {
    type Error = ConvertError;

    fn try_from(wire: &xml::InventoryConfiguration) -> Result<Self, Self::Error> {
        let id = wire.id.as_str();
        if id.is_empty() {
            return Err(ConvertError::Missing { element: "Id" });
        }
        let enabled = xml::parse_bool(&wire.is_enabled).ok_or_else(|| ConvertError::Invalid {
            element: "IsEnabled",
            value: wire.is_enabled.clone(),
            expected: "true or false",
        })?;
        let included_object_versions = included_object_versions(&wire.included_object_versions)?;
        let schedule = wire
            .schedule
            .as_ref()
            .ok_or(ConvertError::Missing {
                element: "Schedule",
            })
            .and_then(schedule)?;
        let destination = wire
            .destination
            .as_ref()
            .ok_or(ConvertError::Missing {
                element: "Destination",
            })
            .and_then(|d| destination(&d.cos_bucket_destination))?;
        let filter = wire
            .filter
            .as_ref()
            .map(filter)
            .transpose()?
            .unwrap_or_default();
        let optional_fields = wire
            .optional_fields
            .iter()
            .flat_map(|o| o.fields.iter())
            .filter(|f| !f.trim().is_empty())
            .cloned()
            .collect();
        Ok(CosInventory {
            id: id.to_string(),
            enabled,
            included_object_versions,
            schedule,
            filter,
            optional_fields,
            destination,
        })
    }
}

impl From<&CosInventory> for xml::InventoryConfiguration {
    fn from(inventory: &CosInventory) -> Self {
        xml::InventoryConfiguration {
            id: inventory.id.clone(),
            is_enabled: inventory.enabled.to_string(),
            included_object_versions: inventory.included_object_versions.as_str().to_string(),
            filter: wire_filter(&inventory.filter),
            optional_fields: (!inventory.optional_fields.is_empty()).then(|| xml::OptionalFields {
                fields: inventory.optional_fields.clone(),
            }),
            schedule: Some(xml::Schedule {
                frequency: inventory.schedule.frequency.as_str().to_string(),
                monthly_date: inventory.schedule.monthly_date.map(|d| d.to_string()),
            }),
            destination: Some(xml::Destination {
                cos_bucket_destination: xml::CosBucketDestination {
                    bucket: inventory.destination.bucket.clone(),
                    account_id: inventory.destination.account_id.clone(),
                    prefix: inventory.destination.prefix.clone(),
                    format: inventory.destination.format.as_str().to_string(),
                    encryption: inventory.destination.sse_cos.then(xml::Encryption::sse_cos),
                },
            }),
        }
    }
}

fn wire_filter(filter: &CosFilter) -> Option<xml::Filter> {
    if filter.is_empty() {
        return None;
    }
    let needs_and = !filter.tags.is_empty() || filter.storage_class.is_some();
    let period = filter.period.map(|p| xml::Period {
        start_time: p.start_time.map(|t| t.to_string()),
        end_time: p.end_time.map(|t| t.to_string()),
    });
    Some(if needs_and {
        xml::Filter {
            prefix: None,
            and: Some(xml::FilterAnd {
                prefix: filter.prefix.clone(),
                tags: filter
                    .tags
                    .iter()
                    .map(|t| xml::Tag {
                        key: t.key.clone(),
                        value: t.value.clone(),
                    })
                    .collect(),
                storage_class: filter.storage_class.clone(),
            }),
            period,
        }
    } else {
        xml::Filter {
            prefix: filter.prefix.clone(),
            and: None,
            period,
        }
    })
}

fn included_object_versions(text: &str) -> Result<IncludedObjectVersions, ConvertError> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("All") => Ok(IncludedObjectVersions::All),
        t if t.eq_ignore_ascii_case("Current") => Ok(IncludedObjectVersions::Current),
        _ => Err(ConvertError::Invalid {
            element: "IncludedObjectVersions",
            value: text.to_string(),
            expected: "All or Current",
        }),
    }
}

fn schedule(wire: &xml::Schedule) -> Result<CosSchedule, ConvertError> {
    let frequency = match wire.frequency.trim() {
        f if f.eq_ignore_ascii_case("Daily") => Frequency::Daily,
        f if f.eq_ignore_ascii_case("Weekly") => Frequency::Weekly,
        f if f.eq_ignore_ascii_case("Monthly") => Frequency::Monthly,
        "" => {
            return Err(ConvertError::Missing {
                element: "Schedule/Frequency",
            });
        }
        _ => {
            return Err(ConvertError::Invalid {
                element: "Schedule/Frequency",
                value: wire.frequency.clone(),
                expected: "Daily, Weekly or Monthly",
            });
        }
    };
    let monthly_date = non_empty(&wire.monthly_date)
        .map(|d| {
            d.trim().parse::<u8>().map_err(|_| ConvertError::Invalid {
                element: "Schedule/MonthlyDate",
                value: d.to_string(),
                expected: "a day of the month",
            })
        })
        .transpose()?;
    Ok(CosSchedule {
        frequency,
        monthly_date,
    })
}

fn filter(wire: &xml::Filter) -> Result<CosFilter, ConvertError> {
    let and = wire.and.as_ref();
    let prefix = and
        .and_then(|a| non_empty(&a.prefix))
        .or_else(|| non_empty(&wire.prefix))
        .map(str::to_string);
    let tags = and
        .map(|a| {
            a.tags
                .iter()
                .map(|t| CosTag {
                    key: t.key.clone(),
                    value: t.value.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let storage_class = and
        .and_then(|a| non_empty(&a.storage_class))
        .map(str::to_string);
    let period = wire.period.as_ref().map(period).transpose()?.flatten();
    Ok(CosFilter {
        prefix,
        tags,
        storage_class,
        period,
    })
}

fn period(wire: &xml::Period) -> Result<Option<CosPeriod>, ConvertError> {
    let time = |element: &'static str, value: &Option<String>| {
        non_empty(value)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| ConvertError::Invalid {
                    element,
                    value: v.to_string(),
                    expected: "unix seconds",
                })
            })
            .transpose()
    };
    let start_time = time("Filter/Period/StartTime", &wire.start_time)?;
    let end_time = time("Filter/Period/EndTime", &wire.end_time)?;
    Ok(
        (start_time.is_some() || end_time.is_some()).then_some(CosPeriod {
            start_time,
            end_time,
        }),
    )
}

fn destination(wire: &xml::CosBucketDestination) -> Result<CosDestination, ConvertError> {
    let bucket = wire.bucket.as_str();
    if bucket.trim().is_empty() {
        return Err(ConvertError::Missing {
            element: "Destination/COSBucketDestination/Bucket",
        });
    }
    let format = match wire.format.trim() {
        f if f.eq_ignore_ascii_case("CSV") => ReportFormat::Csv,
        f if f.eq_ignore_ascii_case("ORC") => ReportFormat::Orc,
        "" => {
            return Err(ConvertError::Missing {
                element: "Destination/COSBucketDestination/Format",
            });
        }
        _ => {
            return Err(ConvertError::Invalid {
                element: "Destination/COSBucketDestination/Format",
                value: wire.format.clone(),
                expected: "CSV or ORC",
            });
        }
    };
    Ok(CosDestination {
        bucket: bucket.to_string(),
        account_id: non_empty(&wire.account_id).map(str::to_string),
        prefix: non_empty(&wire.prefix).map(str::to_string),
        format,
        sse_cos: wire
            .encryption
            .as_ref()
            .is_some_and(xml::Encryption::is_sse_cos),
    })
}

/// The text when present and not empty. Data values are not trimmed: a prefix may start
/// with a space.
fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
