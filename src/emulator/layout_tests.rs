//! Tests of the emulator's shape: its modules import each other without a circle, and only
//! the dialect folders name a provider.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::model::Provider;

/// The folders that hold one dialect each.
const DIALECT_FOLDERS: [&str; 3] = ["cos", "oss", "s3"];

/// Every `.rs` file of the emulator as (module path like `cos/auth`, code before its tests).
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emulator");
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let Some(rel) = path.strip_prefix(&root).unwrap().to_str() else {
                continue;
            };
            let Some(stem) = rel.strip_suffix(".rs") else {
                continue;
            };
            let module = match stem.strip_suffix("mod") {
                Some(dir) => dir.trim_end_matches('/').to_string(),
                None => stem.to_string(),
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            found.push((module, code.to_string()));
        }
    }
    found
}

/// The paths a file names through `super::` or `crate::emulator::`, as segment lists from the
/// emulator's root (`use a::{b, c::d}` yields `a/b` and `a/c/d`).
fn named_paths(module: &str, code: &str) -> Vec<Vec<String>> {
    let parent: Vec<String> = module
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .rev()
        .skip(1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut paths = Vec::new();
    for (prefix, base) in [("crate::emulator::", Vec::new()), ("super::", parent)] {
        for (at, _) in code.match_indices(prefix) {
            if prefix == "super::" && code[..at].ends_with("emulator::") {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            let end = rest.find(|c: char| !ident(c)).unwrap_or(rest.len());
            let mut head = base.clone();
            head.extend(
                rest[..end]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
            if rest[end..].starts_with('{') {
                let group = &rest[end + 1..rest[end..].find('}').map_or(rest.len(), |i| end + i)];
                for item in group.split(',') {
                    let item = item.trim().split(' ').next().unwrap_or_default();
                    let mut path = head.clone();
                    path.extend(
                        item.split("::")
                            .filter(|s| !s.is_empty() && *s != "self")
                            .map(str::to_string),
                    );
                    paths.push(path);
                }
            } else {
                paths.push(head);
            }
        }
    }
    paths
}

/// Module → the other modules it imports (never itself or a module it is inside).
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let sources = sources();
    let modules: BTreeSet<String> = sources.iter().map(|(m, _)| m.clone()).collect();
    sources
        .iter()
        .map(|(module, code)| {
            let targets = named_paths(module, code)
                .into_iter()
                .filter_map(|path| {
                    (1..=path.len())
                        .rev()
                        .map(|n| path[..n].join("/"))
                        .find(|candidate| modules.contains(candidate))
                })
                .filter(|t| t != module && !module.starts_with(&format!("{t}/")))
                .collect();
            (module.clone(), targets)
        })
        .collect()
}

/// A circle through `from`, if there is one.
fn circle_from(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().cloned().unwrap_or_default();
        for next in graph.get(&last).into_iter().flatten() {
            if next == from {
                let mut circle = path.clone();
                circle.push(next.clone());
                return Some(circle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn the_emulators_modules_import_each_other_without_a_circle() {
    let graph = import_graph();
    assert!(graph.contains_key("pipeline") && graph.contains_key("cos/auth"));
    assert!(graph["dialects"].contains("cos"), "{:?}", graph["dialects"]);
    for module in graph.keys() {
        if let Some(circle) = circle_from(&graph, module) {
            panic!("import circle: {}", circle.join(" -> "));
        }
    }
}

#[test]
fn only_the_dialects_and_the_table_import_a_dialect_folder() {
    // The handle offers OSS's `Once` completion to tests and the demo.
    let allowed = ["dialects", "handle"];
    for (module, targets) in import_graph() {
        let in_dialect = DIALECT_FOLDERS
            .iter()
            .any(|d| module == *d || module.starts_with(&format!("{d}/")));
        for target in targets {
            let to_dialect = DIALECT_FOLDERS
                .iter()
                .any(|d| target == *d || target.starts_with(&format!("{d}/")));
            assert!(
                !to_dialect || in_dialect || allowed.contains(&module.as_str()),
                "{module} imports the dialect {target}: go through the EmulatedProvider trait"
            );
        }
    }
}

#[test]
fn outside_the_dialect_folders_no_emulator_code_names_a_provider() {
    // `config` names the credential variables of its per-provider fields, which the command
    // line and the environment fill in.
    let allowed = ["config"];
    for (module, code) in sources() {
        let in_dialect = DIALECT_FOLDERS
            .iter()
            .any(|d| module == *d || module.starts_with(&format!("{d}/")));
        if in_dialect || allowed.contains(&module.as_str()) {
            continue;
        }
        for provider in Provider::ALL {
            let variant = format!("Provider::{provider:?}");
            assert!(
                !code.contains(&variant),
                "{module} names {variant}: move that rule into the provider's dialect"
            );
        }
    }
}
