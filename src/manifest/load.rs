//! Loading a manifests directory into a [`DesiredState`], all or nothing.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, FieldError, ManifestErrors, display_path};
use super::document::Declaration;
use super::lines::{self, FieldPath, LinedDocument};
use super::revision::{file_digest, revision_from_digests};
use super::walk::{ManifestFile, Walk, manifest_files};
use super::{bare, document};
use crate::model::{DesiredBucket, DesiredState, InventoryPolicy, Origin, Provider};

/// Loads and validates every manifest below `dir`.
///
/// Reads every `*.yaml` / `*.yml` file recursively (hidden directories skipped), every
/// non-empty YAML document of each. `dir` may be a symlink (git-sync): it is resolved once and
/// every file is read through the resolved directory; messages still show paths as
/// `dir.join(relative)`. The revision comes from [`super::revision_of`] on the resolved
/// directory.
///
/// # Errors
/// Every problem found in every file and document: a missing directory, a file that is not a
/// directory, unreadable files, manifest paths that are not regular files (a FIFO, a device) or
/// are symlinks leading outside the directory (named, never read), YAML syntax errors, schema
/// and validation errors, a bucket declared twice. A directory without any manifest document is
/// an error too: an empty desired state is never returned, because acting on one would stop
/// managing every bucket.
pub fn load_dir(dir: &Path) -> Result<DesiredState, ManifestErrors> {
    load(dir, None)
}

/// Parsed files kept between loads of one manifests directory, so that a reload parses only
/// the files whose contents changed.
///
/// Keyed by the path a file is shown under (`dir.join(relative)`), so a git-sync swap to a new
/// commit directory reuses every file the commit did not touch.
#[derive(Default)]
pub struct ParseCache {
    /// What each file parsed to, with the SHA-256 of the contents it was parsed from.
    files: HashMap<PathBuf, ([u8; 32], FileOutcome)>,
}

/// [`load_dir`], reusing from `cache` what was parsed from identical file contents before,
/// and leaving in it what this load parsed.
///
/// # Errors
/// As [`load_dir`]; the result is the same as an uncached load's.
pub fn load_dir_cached(dir: &Path, cache: &mut ParseCache) -> Result<DesiredState, ManifestErrors> {
    load(dir, Some(cache))
}

/// [`load_dir`], with or without a cache (a one-shot load skips the cost of filling one).
fn load(dir: &Path, mut cache: Option<&mut ParseCache>) -> Result<DesiredState, ManifestErrors> {
    let resolved = resolve_dir(dir)?;
    let Walk {
        files,
        errors: walk_errors,
    } = manifest_files(&resolved);
    let transient = walk_errors.iter().any(|e| e.problem.is_transient());
    let mut diagnostics: Vec<Diagnostic> = walk_errors
        .into_iter()
        .map(|e| Diagnostic {
            hint: e.problem.hint().map(str::to_string),
            ..file_diagnostic(dir.join(&e.relative), e.problem.to_string())
        })
        .collect();
    let mut declared = Declared::default();
    let mut previous = cache
        .as_mut()
        .map(|c| std::mem::take(&mut c.files))
        .unwrap_or_default();
    let no_thread = |error: std::io::Error| ManifestErrors {
        diagnostics: vec![Diagnostic {
            hint: Some("the process is short of threads or memory; the load is tried again".into()),
            ..file_diagnostic(
                dir.to_path_buf(),
                format!("cannot start a thread to parse it: {error}"),
            )
        }],
        transient: true,
    };
    let digests =
        parse_in_parallel(&files, |file| file_digest(&file.contents)).map_err(no_thread)?;
    let mut outcomes: Vec<Option<FileOutcome>> = files
        .iter()
        .zip(&digests)
        .map(
            |(file, digest)| match previous.remove(&dir.join(&file.relative)) {
                Some((cached, outcome)) if cached == *digest => Some(outcome),
                _ => None,
            },
        )
        .collect();
    let misses: Vec<&ManifestFile> = files
        .iter()
        .zip(&outcomes)
        .filter_map(|(file, hit)| hit.is_none().then_some(file))
        .collect();
    let mut parsed = parse_in_parallel(&misses, |file| {
        let shown = dir.join(&file.relative);
        match std::str::from_utf8(&file.contents) {
            Ok(text) => parse_file(&shown, text),
            Err(e) => {
                FileOutcome::Unreadable(file_diagnostic(shown, format!("is not UTF-8 text: {e}")))
            }
        }
    })
    .map_err(no_thread)?
    .into_iter();
    // One parse per cache miss, in order.
    for slot in outcomes.iter_mut().filter(|slot| slot.is_none()) {
        *slot = parsed.next();
    }
    for (i, (file, outcome)) in files.iter().zip(outcomes).enumerate() {
        let shown = dir.join(&file.relative);
        let Some(outcome) = outcome else { continue };
        if let Some(cache) = cache.as_mut() {
            cache
                .files
                .insert(shown.clone(), (digests[i], outcome.clone()));
        }
        declare(&shown, outcome, &mut declared, &mut diagnostics);
    }
    super::policy_checks::check_policies(&declared.policies, &mut diagnostics);
    if declared.documents == 0 && diagnostics.is_empty() {
        diagnostics.push(Diagnostic {
            hint: Some(
                "add *.yaml files with `kind: BucketInventory` or `kind: InventoryPolicy` documents"
                    .into(),
            ),
            ..file_diagnostic(dir.to_path_buf(), "contains no manifest documents".into())
        });
    }
    if !diagnostics.is_empty() {
        diagnostics.sort();
        return Err(ManifestErrors {
            diagnostics,
            transient,
        });
    }
    let digests: Vec<(PathBuf, [u8; 32])> = files
        .into_iter()
        .zip(digests)
        .map(|(f, digest)| (f.relative, digest))
        .collect();
    Ok(DesiredState {
        revision: revision_from_digests(&resolved, &digests),
        buckets: declared
            .buckets
            .into_iter()
            .map(|b| (b.key.clone(), b))
            .collect(),
        policies: {
            let mut policies = declared.policies;
            policies.sort_by(|a, b| a.name.cmp(&b.name));
            policies
        },
    })
}

/// Parses and validates the text of one file, shown as `file` in messages.
///
/// The lower-level entry of [`load_dir`]: it finds buckets declared twice within the file,
/// but knows nothing of other files. Policies are checked, not returned.
///
/// # Errors
/// Every problem in the file.
pub fn parse_document_text(file: &Path, text: &str) -> Result<Vec<DesiredBucket>, Vec<Diagnostic>> {
    let mut declared = Declared::default();
    let mut diagnostics = Vec::new();
    declare(
        file,
        parse_file(file, text),
        &mut declared,
        &mut diagnostics,
    );
    if diagnostics.is_empty() {
        Ok(declared.buckets)
    } else {
        diagnostics.sort();
        Err(diagnostics)
    }
}

/// What the documents read so far declare.
#[derive(Default)]
struct Declared {
    documents: usize,
    buckets: Vec<DesiredBucket>,
    policies: Vec<InventoryPolicy>,
    /// Where each (provider, bucket) was first declared.
    places: BTreeMap<(Provider, String), (PathBuf, Option<usize>, usize)>,
}

/// What one file holds, read without reference to any other file.
#[derive(Clone)]
enum FileOutcome {
    /// Not UTF-8, or not YAML: no document was read.
    Unreadable(Diagnostic),
    Documents(Vec<DocumentOutcome>),
}

/// One document of a file, parsed and validated, with its errors already placed.
#[derive(Clone)]
struct DocumentOutcome {
    index: usize,
    identity: Option<(Provider, String)>,
    /// Line of `spec.bucket`, for "already declared at" messages.
    bucket_line: Option<usize>,
    /// Where `spec.bucket` is reported when the bucket is declared twice.
    bucket_path: FieldPath,
    result: Result<Declaration, Vec<Diagnostic>>,
}

/// The stack of every thread that parses manifests. Parsing recurses once per YAML nesting
/// level up to the depth limit, which needs more than a default thread's 2 MiB in a debug build
/// (see [`super::limits`]); the caller may be a tokio worker, whose stack is small too.
const PARSE_THREAD_STACK: usize = 16 << 20;

/// Runs `parse` on every file, on as many threads as there are cores, keeping file order.
///
/// Parsing and validating a file needs nothing from the others; only declaring buckets (which
/// finds duplicates, first declaration wins) must see the files in order, and runs after.
///
/// # Guarantees
/// `parse` always runs on a thread with [`PARSE_THREAD_STACK`], never on the caller's, so a file
/// nested up to the depth limit is read whatever thread loads the directory.
///
/// # Errors
/// A thread could not be started (the process is short of threads or memory).
fn parse_in_parallel<F, T>(files: &[F], parse: impl Fn(&F) -> T + Sync) -> std::io::Result<Vec<T>>
where
    F: Sync,
    T: Send,
{
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(files.len());
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parse = &parse;
        // Threads started before one fails are joined when the scope ends.
        let handles = files
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    .name("manifest-parse".to_string())
                    .stack_size(PARSE_THREAD_STACK)
                    .spawn_scoped(scope, move || part.iter().map(parse).collect::<Vec<T>>())
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(parsed) => parsed,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect())
    })
}

/// Parses and validates every document of one file, shown as `file` in messages.
///
/// A file is read bare first (see [`bare`]); one with any problem is read again with the line
/// of every node, and reported from that reading alone.
fn parse_file(file: &Path, text: &str) -> FileOutcome {
    parse_file_bare(file, text).unwrap_or_else(|| parse_file_lined(file, text))
}

/// The outcome of a file whose every document is valid, read without lines; `None` when
/// anything is wrong with it.
fn parse_file_bare(file: &Path, text: &str) -> Option<FileOutcome> {
    let documents = bare::parse_documents(text)?;
    let mut outcomes = Vec::with_capacity(documents.len());
    for (index, doc) in documents.into_iter().enumerate() {
        let origin = Origin {
            file: file.to_path_buf(),
            document: index,
            line: Some(doc.line),
        };
        let parsed = document::parse(&doc.value, origin);
        outcomes.push(DocumentOutcome {
            index,
            identity: parsed.identity,
            bucket_line: Some(doc.bucket_line),
            bucket_path: FieldPath::root().key("spec").key("bucket"),
            result: Ok(parsed.result.ok()?),
        });
    }
    Some(FileOutcome::Documents(outcomes))
}

/// [`parse_file`] with the line of every node kept, for files with problems.
fn parse_file_lined(file: &Path, text: &str) -> FileOutcome {
    let documents = match lines::parse_documents(text) {
        Ok(documents) => documents,
        Err(e) => {
            let (message, hint) = match e.limit_hint {
                Some(hint) => (e.message, hint),
                None => (
                    format!("invalid YAML: {}", e.message),
                    "fix the YAML syntax; no document of this file was read".into(),
                ),
            };
            return FileOutcome::Unreadable(Diagnostic {
                line: e.line,
                hint: Some(hint),
                ..file_diagnostic(file.to_path_buf(), message)
            });
        }
    };
    let outcomes = documents
        .iter()
        .enumerate()
        .map(|(index, doc)| {
            let origin = Origin {
                file: file.to_path_buf(),
                document: index,
                line: doc.line_of(&FieldPath::root()),
            };
            let parsed = document::parse(&doc.value, origin);
            let bucket_path = FieldPath::root().key("spec").key("bucket");
            let bucket_line = doc.line_of(&bucket_path);
            DocumentOutcome {
                index,
                identity: parsed.identity,
                bucket_line,
                bucket_path,
                result: parsed.result.map_err(|errors| {
                    errors
                        .into_iter()
                        .map(|e| locate(file, index, doc, e))
                        .collect()
                }),
            }
        })
        .collect();
    FileOutcome::Documents(outcomes)
}

/// Records the documents of one file, in order: buckets declared, duplicates and errors.
fn declare(file: &Path, outcome: FileOutcome, declared: &mut Declared, out: &mut Vec<Diagnostic>) {
    let documents = match outcome {
        FileOutcome::Unreadable(diagnostic) => {
            out.push(diagnostic);
            return;
        }
        FileOutcome::Documents(documents) => documents,
    };
    for doc in documents {
        declared.documents += 1;
        if let Some(identity) = doc.identity {
            match declared.places.get(&identity) {
                Some((first_file, first_line, first_doc)) => {
                    let place = place(first_file, *first_line, *first_doc);
                    out.push(Diagnostic {
                        file: file.to_path_buf(),
                        line: doc.bucket_line,
                        document: Some(doc.index),
                        path: doc.bucket_path.to_string(),
                        message: format!(
                            "{} bucket `{}` is already declared at {place}",
                            identity.0, identity.1
                        ),
                        hint: Some(
                            "declare each bucket in one document only; merge the two".into(),
                        ),
                    });
                }
                None => {
                    declared
                        .places
                        .insert(identity, (file.to_path_buf(), doc.bucket_line, doc.index));
                }
            }
        }
        match doc.result {
            Ok(Declaration::Bucket(bucket)) => declared.buckets.push(*bucket),
            Ok(Declaration::Policy(policy)) => declared.policies.push(*policy),
            Err(errors) => out.extend(errors),
        }
    }
}

fn locate(file: &Path, document: usize, doc: &LinedDocument, e: FieldError) -> Diagnostic {
    Diagnostic {
        file: file.to_path_buf(),
        line: doc.line_of(&e.path),
        document: Some(document),
        path: display_path(&e.path, &doc.value),
        message: e.message,
        hint: e.hint,
    }
}

/// `file:line (document n)`, as diagnostics print places.
fn place(file: &Path, line: Option<usize>, document: usize) -> String {
    match line {
        Some(line) => format!("{}:{line} (document {})", file.display(), document + 1),
        None => format!("{} (document {})", file.display(), document + 1),
    }
}

fn file_diagnostic(file: PathBuf, message: String) -> Diagnostic {
    Diagnostic {
        file,
        line: None,
        document: None,
        path: String::new(),
        message,
        hint: None,
    }
}

/// The directory the manifests are read from: `dir` with symlinks resolved.
fn resolve_dir(dir: &Path) -> Result<PathBuf, ManifestErrors> {
    let shown = dir.to_path_buf();
    let mut transient = false;
    let resolved = match fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Diagnostic {
            hint: Some(
                "check the --manifests path; a missing directory is never an empty state".into(),
            ),
            ..file_diagnostic(shown, "manifests directory does not exist".into())
        }),
        Err(e) => {
            transient = super::walk::is_transient(&e);
            Err(file_diagnostic(shown, format!("cannot be read: {e}")))
        }
        Ok(meta) if !meta.is_dir() => Err(Diagnostic {
            hint: Some("point --manifests at the directory holding the YAML files".into()),
            ..file_diagnostic(shown, "is not a directory".into())
        }),
        Ok(_) => fs::canonicalize(dir).map_err(|e| {
            transient = super::walk::is_transient(&e);
            file_diagnostic(shown, format!("cannot be resolved: {e}"))
        }),
    };
    resolved.map_err(|d| ManifestErrors {
        diagnostics: vec![d],
        transient,
    })
}
