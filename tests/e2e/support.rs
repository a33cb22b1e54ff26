//! Helpers for running the real binary on real files.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The result of one run of `goodwill`.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `goodwill ARGS` in `dir`, without colour.
pub fn goodwill(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_goodwill"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the goodwill binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh copy of the example pack (what `goodwill init` writes).
pub struct PackDir {
    pub dir: tempfile::TempDir,
}

impl PackDir {
    pub fn example() -> PackDir {
        let dir = tempfile::tempdir().unwrap();
        let run = goodwill(dir.path(), &["init", "."]);
        assert_eq!(run.code, 0, "init failed: {}", run.stderr);
        PackDir { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn policy_path(&self) -> PathBuf {
        self.path().join("policies/parking-validation.toml")
    }

    /// Replaces the first `from` in the pack file `rel` by `to`; panics if
    /// `from` is absent, so a fixture cannot silently stop breaking anything.
    pub fn replace(&self, rel: &str, from: &str, to: &str) -> &Self {
        let path = self.path().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "`{from}` is not in {rel}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn check(&self, extra: &[&str]) -> Run {
        let mut args = vec!["check", "."];
        args.extend_from_slice(extra);
        goodwill(self.path(), &args)
    }
}

pub const POLICY: &str = "policies/parking-validation.toml";

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fixture pack of a lint rule: `tests/fixtures/lint/gw001`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/lint").join(name)
}
