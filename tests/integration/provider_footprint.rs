//! Where a provider is named, read from the source: adding a provider is its folders
//! (`src/provider/<p>/`, examples included, and `src/emulator/<p>/`) and its line in each of
//! the two tables — the README's "Adding a provider" — and nothing else.
//!
//! A file names a provider when its code (comments and `#[cfg(test)]` modules left out) names
//! the provider's constant, module or types. Each provider's list below is exact, so a new place
//! that knows a provider by name fails here, and so does a place that no longer needs to.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The files every provider is named in outside its own folders, `{p}` standing for its
/// module name: the one provider table and the emulator's one dialect table.
const TABLES: [&str; 2] = ["src/provider/registry.rs", "src/emulator/dialects.rs"];

/// Every provider: its constant on `Provider`, the prefix of its type names and its module.
const PROVIDERS: [(&str, &str, &str); 3] = [
    ("COS", "Cos", "cos"),
    ("OSS", "Oss", "oss"),
    ("S3", "S3", "s3"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file: comment lines and everything from its `#[cfg(test)]` module on left out.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// True when `code` names the provider `constant` / `types` / `module`.
fn names(code: &str, (constant, types, module): (&str, &str, &str)) -> bool {
    let words: Vec<String> = vec![
        format!("Provider::{constant}"),
        format!("{types}Inventory"),
        format!("{types}BucketOptions"),
        format!("{module}::"),
    ];
    words.iter().any(|word| {
        code.match_indices(word.as_str()).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = code[at + word.len()..].chars().next();
            let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            boundary(before) && (word.ends_with("::") || boundary(after))
        })
    })
}

#[test]
fn a_provider_is_named_only_in_its_folders_and_the_two_tables() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for provider in PROVIDERS {
        let module = provider.2;
        let own = [
            format!("src/provider/{module}/"),
            format!("src/emulator/{module}/"),
        ];
        let found: BTreeSet<String> = files
            .iter()
            .map(|file| {
                let relative = file.strip_prefix(&root).unwrap().to_string_lossy();
                (relative.replace('\\', "/"), file)
            })
            .filter(|(relative, _)| !own.iter().any(|dir| relative.starts_with(dir.as_str())))
            .filter(|(relative, _)| !relative.ends_with("tests.rs"))
            .filter(|(_, file)| names(&code(&std::fs::read_to_string(file).unwrap()), provider))
            .map(|(relative, _)| relative)
            .collect();
        let expected: BTreeSet<String> = TABLES.iter().map(|file| file.to_string()).collect();
        assert_eq!(
            found, expected,
            "the files outside src/provider/{module}/ and src/emulator/{module}/ that name {module}"
        );
    }
}
