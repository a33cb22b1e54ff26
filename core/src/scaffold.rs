//! `goodwill init`: a new pack with a worked example that passes `check`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The files of the example pack, relative to the pack root, with their
/// text. The same files live in `policies/example/`.
pub const EXAMPLE_FILES: &[(&str, &str)] = &[
    (
        "goodwill.toml",
        include_str!("../../policies/example/goodwill.toml"),
    ),
    (
        "policies/parking-validation.toml",
        include_str!("../../policies/example/policies/parking-validation.toml"),
    ),
];

/// Why a pack could not be created.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("`{}` exists already: refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    #[error("cannot write `{}`: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Writes the example pack into `dir` (created if needed). Refuses to
/// overwrite any file. Returns the files written.
pub fn init_pack(dir: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
    for (rel, _) in EXAMPLE_FILES {
        let path = dir.join(rel);
        if path.exists() {
            return Err(ScaffoldError::Exists(path));
        }
    }
    let mut written = Vec::new();
    for (rel, text) in EXAMPLE_FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| ScaffoldError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        fs::write(&path, text).map_err(|source| ScaffoldError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scaffolded_pack_loads_and_its_tests_pass() {
        let dir = tempfile::tempdir().unwrap();
        init_pack(dir.path()).unwrap();
        let pack = crate::pack::load(dir.path()).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let results = crate::testing::run_pack_tests(&pack);
        assert_eq!(results.len(), 4);
        for r in &results {
            assert!(r.passed(), "{}: {:?}", r.test_name, r.failures);
        }
    }

    #[test]
    fn init_refuses_to_overwrite_a_pack() {
        let dir = tempfile::tempdir().unwrap();
        init_pack(dir.path()).unwrap();
        assert!(matches!(
            init_pack(dir.path()),
            Err(ScaffoldError::Exists(_))
        ));
    }
}
