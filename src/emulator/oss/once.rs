//! What OSS does once a `Once` inventory has run: it deletes the configuration when
//! `AutoDelete` is set. Pure.

use crate::emulator::xmltree::Element;

/// The ids among `configs` (stored XML, in listing order) whose `Schedule` has
/// `<Frequency>Once</Frequency>` and `<AutoDelete>true</AutoDelete>`.
pub(crate) fn completed_ids(configs: &[String]) -> Vec<String> {
    configs
        .iter()
        .filter_map(|xml| Element::parse(xml.as_bytes()).ok())
        .filter(|root| {
            let schedule = root.child("Schedule");
            let text = |name: &str| {
                schedule
                    .and_then(|s| s.child(name))
                    .map(|e| e.text().trim().to_ascii_lowercase())
                    .unwrap_or_default()
            };
            text("Frequency") == "once" && text("AutoDelete") == "true"
        })
        .filter_map(|root| root.child("Id").map(|e| e.text()))
        .collect()
}
