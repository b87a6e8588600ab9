//! Paths into a manifest document (`spec.inventories[2].schedule`), named in diagnostics.

use std::fmt;

/// One step of a path into a document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    Key(String),
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

    /// This path extended by a mapping key.
    pub fn key(&self, key: &str) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Key(key.to_string()));
        next
    }

    /// This path extended by a sequence index.
    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
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
