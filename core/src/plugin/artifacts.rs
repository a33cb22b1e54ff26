//! Compiled plugins on disk: a component is compiled once
//! (`Engine::precompile_component`) and later runs map the artifact
//! straight back in (`Component::deserialize_file`), with no compilation,
//! decompression or copy. wasmtime's own cache stores compressed artifacts
//! and so spent ~120 ms of a Python plugin's start-up reading one back;
//! mapping it takes a few milliseconds.
//!
//! An artifact is named by the SHA-256 of the component's bytes and a hash
//! of everything in the engine that changes compiled code (wasmtime's
//! version and compiler settings: `Engine::precompile_compatibility_hash`).
//! Files are written to a temporary name and renamed into place, so no
//! reader ever sees half an artifact, and never modified afterwards.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// A folder of compiled plugins.
pub(crate) struct ArtifactCache {
    dir: PathBuf,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl ArtifactCache {
    pub(crate) fn new(dir: &Path) -> std::io::Result<ArtifactCache> {
        std::fs::create_dir_all(dir)?;
        Ok(ArtifactCache {
            dir: dir.to_path_buf(),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        })
    }

    pub(crate) fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    pub(crate) fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    /// The compiled `bytes`: mapped from the cache when an artifact is
    /// there, else compiled and stored. A cache that cannot be written
    /// costs speed, never correctness: the component is compiled in memory.
    pub(crate) fn component(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Component> {
        let path = self.dir.join(artifact_name(engine, bytes));
        if path.is_file() {
            if let Ok(component) = map_artifact(engine, &path) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(component);
            }
            // Unreadable or from an incompatible build: replace it.
            let _ = std::fs::remove_file(&path);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let compiled = engine.precompile_component(bytes)?;
        if store(&self.dir, &path, &compiled).is_ok()
            && let Ok(component) = map_artifact(engine, &path)
        {
            return Ok(component);
        }
        Component::from_binary(engine, bytes)
    }
}

/// `goodwill-<sha256 of the component>-<engine hash>.cwasm`.
fn artifact_name(engine: &Engine, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut name = String::with_capacity(100);
    name.push_str("goodwill-");
    for b in digest {
        name.push_str(&format!("{b:02x}"));
    }
    // `DefaultHasher::new()` has fixed keys: the same settings give the
    // same name in every run of this build.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    name.push_str(&format!("-{:016x}.cwasm", h.finish()));
    name
}

fn store(dir: &Path, path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(compiled)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Maps a compiled artifact of this cache back into `engine`.
#[allow(unsafe_code)]
fn map_artifact(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    // SAFETY: `deserialize_file` trusts the file to be an artifact that
    // `precompile_component` produced, unmodified while it is mapped.
    // - Only `store` above writes into this cache: the bytes come from
    //   `Engine::precompile_component`, written to a temporary file and
    //   renamed into place, so the file is whole when it has its name and
    //   is never written again (a stale one is removed, not rewritten).
    // - wasmtime checks the artifact's header (wasmtime version, target and
    //   every compiler setting) and refuses one from another build or
    //   engine configuration, which falls back to compiling.
    // - The cache folder is the user's own (`$GOODWILL_CACHE_DIR` or their
    //   cache home), and is trusted as wasmtime's built-in cache trusts its
    //   folder when it deserializes its entries: someone who can write
    //   there can run code as the user. Point `GOODWILL_CACHE_DIR` at a
    //   private folder on shared machines (docs/plugins.md).
    unsafe { Component::deserialize_file(engine, path) }
}
