//! Plans: what to create, update, replace or delete so that live state matches the manifests.
