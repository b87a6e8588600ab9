//! The layering rule of the crate, read from the source: floors point down only, no circle.
//!
//! model ← provider kit ← providers ← registry ← manifest, plan, reconcile, commands. The
//! checks read every `crate::` (and `invsync::`) path of `src/**/*.rs`, outside comments, so a
//! new import that points up or closes a circle fails here, naming the file and the path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The providers' folders under `src/provider/`.
const PROVIDER_FOLDERS: [&str; 3] = ["cos", "oss", "s3"];

/// One source file: its path below `src/`, its code (comment lines left out) and every crate
/// path it names there.
struct Source {
    path: String,
    code: String,
    paths: Vec<String>,
}

/// The crate root, read at run time so the same binary can check another checkout.
fn src_dir() -> PathBuf {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    Path::new(&root).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::a::b` / `invsync::a::b` path of `code`, grouped imports expanded one level
/// (`crate::{a, b::c}` gives `a` and `b::c`).
fn crate_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for root in ["crate::", "invsync::"] {
        let mut rest = code;
        while let Some(at) = rest.find(root) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + root.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                paths.extend(group[..end].split(',').map(|p| path_prefix(p.trim())));
            } else {
                paths.push(path_prefix(rest));
            }
        }
    }
    paths.retain(|p| !p.is_empty());
    paths
}

/// The leading `a::b::c` of `text`.
fn path_prefix(text: &str) -> String {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    text[..end].trim_end_matches(':').to_string()
}

/// Every source file with the crate paths of its code (comment lines left out: doc links
/// may point anywhere).
fn sources() -> Vec<Source> {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).expect("source is UTF-8");
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let path = file
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            Source {
                path,
                paths: crate_paths(&code),
                code,
            }
        })
        .collect()
}

/// `file: path` for every path of a file under `dir` into one of the `forbidden` modules.
fn violations(sources: &[Source], dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for source in sources.iter().filter(|s| s.path.starts_with(dir)) {
        for path in &source.paths {
            let first = path.split("::").next().unwrap_or("");
            if forbidden.contains(&first) {
                found.push(format!("src/{}: crate::{path}", source.path));
            }
        }
    }
    found
}

/// The top-level module of a file below `src/` (`plan/render/text.rs` → `plan`); `None` for
/// the crate roots and the binaries.
fn top_module(path: &str) -> Option<String> {
    let first = path.split('/').next()?;
    let name = first.trim_end_matches(".rs");
    match name {
        "lib" | "main" | "bin" => None,
        _ => Some(name.to_string()),
    }
}

/// Which top-level module names which, from the code.
fn module_graph(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let modules: BTreeSet<String> = sources.iter().filter_map(|s| top_module(&s.path)).collect();
    for source in sources {
        let Some(from) = top_module(&source.path) else {
            continue;
        };
        let edges = graph.entry(from.clone()).or_default();
        for path in &source.paths {
            let to = path.split("::").next().unwrap_or("");
            if to != from && modules.contains(to) {
                edges.insert(to.to_string());
            }
        }
    }
    graph
}

/// A circle of the graph, as the modules on it, or `None`.
fn find_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut circle = stack[at..].to_vec();
            circle.push(node.to_string());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, stack, done) {
                return Some(circle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_reader_sees_the_imports_it_checks() {
    let sources = sources();
    assert!(sources.len() > 100, "read only {} files", sources.len());
    let graph = module_graph(&sources);
    assert!(
        graph["plan"].contains("model"),
        "plan's imports of model were not read"
    );
    assert_eq!(
        crate_paths("use crate::{model::Inventory, provider::registry};"),
        ["model::Inventory", "provider::registry"]
    );
}

#[test]
fn the_model_names_no_provider_and_nothing_above_it() {
    let found = violations(
        &sources(),
        "model/",
        &[
            "provider",
            "manifest",
            "plan",
            "reconcile",
            "commands",
            "emulator",
        ],
    );
    assert!(found.is_empty(), "model points up:\n{}", found.join("\n"));
}

#[test]
fn providers_import_no_manifest_plan_reconcile_or_commands() {
    let found = violations(
        &sources(),
        "provider/",
        &[
            "manifest",
            "plan",
            "reconcile",
            "commands",
            "emulator",
            "notify",
            "cli",
        ],
    );
    assert!(
        found.is_empty(),
        "a provider file points up:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_provider_kit_names_no_provider_folder_nor_the_registry() {
    let mut forbidden: Vec<String> = PROVIDER_FOLDERS
        .iter()
        .map(|p| format!("provider::{p}"))
        .collect();
    forbidden.push("provider::registry".to_string());
    let forbidden: Vec<&str> = forbidden.iter().map(String::as_str).collect();
    let sources = sources();
    let kit: Vec<String> = sources
        .iter()
        .filter(|s| s.path.starts_with("provider/kit/"))
        .flat_map(|s| {
            s.paths
                .iter()
                .filter(|p| forbidden.iter().any(|f| p.starts_with(f)))
                .map(move |p| format!("src/{}: crate::{p}", s.path))
        })
        .collect();
    assert!(
        sources.iter().any(|s| s.path.starts_with("provider/kit/")),
        "no src/provider/kit/"
    );
    assert!(
        kit.is_empty(),
        "the kit names a provider:\n{}",
        kit.join("\n")
    );
}

/// True when `word` occurs in `code` as a whole identifier or path segment.
fn names(code: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// What only files above the providers may use: the registry module, and the two lookups it
/// defines on types of lower floors (`Provider::from_name`, `CredentialVars::of`).
const REGISTRY_NAMES: [&str; 3] = ["registry", "Provider::from_name", "CredentialVars::of"];

#[test]
fn no_provider_file_below_the_registry_names_it() {
    // Below the registry: the kit, the protocol core, the shared `provider/*.rs` files and the
    // provider folders; `mod.rs` declares it and `registry.rs` is the table itself.
    let sources = sources();
    let found: Vec<String> = sources
        .iter()
        .filter(|s| s.path.starts_with("provider/"))
        .filter(|s| !matches!(s.path.as_str(), "provider/registry.rs" | "provider/mod.rs"))
        .flat_map(|s| {
            REGISTRY_NAMES
                .iter()
                .filter(|word| names(&s.code, word))
                .map(move |word| format!("src/{}: {word}", s.path))
        })
        .collect();
    let checked = sources
        .iter()
        .filter(|s| s.path.starts_with("provider/"))
        .count();
    assert!(checked > 30, "read only {checked} provider files");
    assert!(
        found.is_empty(),
        "a file below the registry looks a provider up in it (take the table entry's data \
         from the caller, or the shapes from provider::kit::spec):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_shared_provider_files_name_no_provider_folder_outside_their_tests() {
    // The protocol core and the shared `provider/*.rs` files stand below the folders; their
    // tests may run against every provider, so code from `#[cfg(test)]` on is not read.
    let sources = sources();
    let found: Vec<String> = sources
        .iter()
        .filter(|s| {
            let rest = s.path.strip_prefix("provider/").unwrap_or("");
            (rest.starts_with("protocol/") || !rest.contains('/'))
                && !matches!(rest, "" | "registry.rs" | "mod.rs" | "protocol/tests.rs")
        })
        .flat_map(|s| {
            let code = s.code.split("#[cfg(test)]").next().unwrap_or("");
            PROVIDER_FOLDERS
                .iter()
                .flat_map(|p| [format!("provider::{p}"), format!("super::{p}")])
                .filter(|path| names(code, path))
                .map(move |path| format!("src/{}: {path}", s.path))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        found.is_empty(),
        "a shared provider file points up into a provider folder:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_registry_check_sees_every_form_of_naming_it() {
    for code in [
        "use crate::provider::registry;",
        "use super::registry::spec;",
        "let s = crate::provider::registry::spec(p);",
        "use crate::provider::{kit, registry};",
        "Provider::from_name(name)",
        "CredentialVars::of(provider)",
    ] {
        assert!(
            REGISTRY_NAMES.iter().any(|word| names(code, word)),
            "{code}"
        );
    }
    assert!(!names("let registry_like = 1;", "registry"));
}

#[test]
fn top_level_modules_import_each_other_in_no_circle() {
    let graph = module_graph(&sources());
    let circle = find_circle(&graph);
    assert!(
        circle.is_none(),
        "modules import each other in a circle: {}",
        circle.unwrap_or_default().join(" -> ")
    );
}

/// The module path of a file below `src/` (`plan/render/text.rs` → `plan::render::text`,
/// `plan/mod.rs` → `plan`, `lib.rs` → the crate root); `None` for the binaries.
fn module_of(path: &str) -> Option<Vec<String>> {
    if path == "main.rs" || path.starts_with("bin/") {
        return None;
    }
    let mut parts: Vec<String> = path
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    Some(parts)
}

/// Every `crate::`, `super::` and `self::` path of `code` as an absolute module path, grouped
/// imports expanded one level.
fn absolute_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for root in ["crate::", "super::", "self::"] {
        let mut rest = code;
        while let Some(at) = rest.find(root) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + root.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            // `self::` is the file's own module (a `mod.rs` or `lib.rs` is its folder's);
            // each `super::` one up.
            let mut base: Vec<String> = match root {
                "crate::" => Vec::new(),
                _ => module.to_vec(),
            };
            let mut tail = rest;
            if root == "super::" {
                base.pop();
                while let Some(more) = tail.strip_prefix("super::") {
                    base.pop();
                    tail = more;
                }
            }
            let mut expand = |path: &str| {
                let mut full = base.clone();
                full.extend(
                    path_prefix(path)
                        .split("::")
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
                found.push(full);
            };
            if let Some(group) = tail.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end].split(',').for_each(|p| expand(p.trim()));
            } else {
                expand(tail);
            }
        }
    }
    found
}

#[test]
fn no_source_files_import_each_other_in_a_circle() {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut modules: BTreeMap<Vec<String>, String> = BTreeMap::new();
    let mut codes = Vec::new();
    for file in &files {
        let path = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(module) = module_of(&path) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("source is UTF-8");
        // Test modules may reach anywhere; the layering is about the code that ships.
        let shipped = text.split("#[cfg(test)]").next().unwrap_or_default();
        let code: String = shipped
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        if path.ends_with("tests.rs") {
            continue;
        }
        modules.insert(module.clone(), path.clone());
        codes.push((path, module, code));
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, module, code) in &codes {
        let edges = graph.entry(path.clone()).or_default();
        for target in absolute_paths(code, module) {
            // The longest prefix of the path that is a module file.
            let file = (0..=target.len())
                .rev()
                .find_map(|n| modules.get(&target[..n]));
            if let Some(file) = file.filter(|f| *f != path) {
                edges.insert(file.clone());
            }
        }
    }
    assert!(
        graph.values().map(BTreeSet::len).sum::<usize>() > 300,
        "the reader sees the imports between files"
    );
    let circle = find_circle(&graph);
    assert!(
        circle.is_none(),
        "source files import each other in a circle: {}",
        circle.unwrap_or_default().join(" -> ")
    );
}
