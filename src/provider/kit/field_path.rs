//! Paths into a manifest document (`spec.inventories[2].schedule`), named in diagnostics.

use std::borrow::Cow;
use std::fmt;

/// One step of a path into a document: a mapping key or a sequence index.
///
/// A field name written in the code is borrowed, not copied: a path is extended for every field
/// checked, which copies the keys of all its ancestors each time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// A mapping key, displayed after a `.` (none before the first).
    Key(Cow<'static, str>),
    /// A zero-based sequence index, displayed as `[2]`.
    Index(usize),
}

/// A path into a document, displayed as `spec.inventories[2].schedule`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    /// The empty path, the document itself.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// This path extended by a mapping key: a field name (`&'static str`, not copied) or a key
    /// read from a document (`String`).
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> Self {
        self.with(Segment::Key(key.into()))
    }

    /// This path extended by a sequence index.
    pub fn index(&self, index: usize) -> Self {
        self.with(Segment::Index(index))
    }

    /// This path extended by `last`, in one allocation of the path: every field checked gets
    /// its own path, so this runs for most fields of every manifest.
    fn with(&self, last: Segment) -> Self {
        let mut segments = Vec::with_capacity(self.0.len() + 1);
        segments.extend_from_slice(&self.0);
        segments.push(last);
        FieldPath(segments)
    }

    /// This path followed by `other`.
    pub fn join(&self, other: &FieldPath) -> Self {
        let mut next = self.clone();
        next.0.extend(other.0.iter().cloned());
        next
    }

    /// The path without its last segment (the root stays the root).
    pub fn parent(&self) -> Self {
        let mut next = self.clone();
        next.0.pop();
        next
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => write!(f, "{key}")?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}
