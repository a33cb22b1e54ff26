//! Which of a run's files are the same file.
//!
//! A run must not write over what it reads. `--rejects in.jsonl` would
//! truncate the input before a record of it is read (the run then reports
//! "0 records" and succeeds); `--partial` and `--output` replace a file
//! after the run, so the client's export would be gone; and standard output
//! appended to an input (`>> in.jsonl`) feeds the run its own output. Each
//! is refused before anything is opened for writing.
//!
//! Nor may it read a file twice (`exports/*.jsonl exports/jan.jsonl`): its
//! interactions would be counted twice, and every figure of the audit with
//! them.
//!
//! Files are compared by identity (device and inode), not by name, so
//! `./in.jsonl`, a symbolic link or a hard link to it are the same file.
//! Only regular files are compared: a pipe or a terminal is never an
//! input's file.

use std::path::Path;

use super::{InputError, InputSpec};

/// Where a run writes.
#[derive(Debug, Clone, Copy)]
pub enum Output<'a> {
    /// A file named by a flag, as `--rejects FILE`.
    File { flag: &'static str, path: &'a Path },
    /// Standard output, when the run writes there.
    Stdout,
}

/// `Err` when one of `outputs` is one of the files of `inputs`. Usually no
/// output is an existing file, and no input is looked at.
pub fn refuse_overwriting(inputs: &[InputSpec], outputs: &[Output<'_>]) -> Result<(), InputError> {
    let outputs: Vec<(String, identity::Identity)> = outputs
        .iter()
        .filter_map(|output| match output {
            Output::File { flag, path } => Some((format!("`{flag}`"), identity::of_path(path)?)),
            Output::Stdout => Some(("standard output".to_string(), identity::of_stdout()?)),
        })
        .collect();
    if outputs.is_empty() {
        return Ok(());
    }
    for input in inputs {
        // Standard input redirected from a file (`- < in.jsonl`) is that file.
        let of_input = match &input.path {
            Some(path) => identity::of_path(path),
            None => identity::of_stdin(),
        };
        let Some(of_input) = of_input else { continue };
        if let Some((what, _)) = outputs.iter().find(|(_, id)| *id == of_input) {
            return Err(InputError::WouldOverwrite {
                what: what.clone(),
                input: input.display_name(),
            });
        }
    }
    Ok(())
}

/// `Err` when two of `inputs` are the same file.
pub(super) fn refuse_repeats(inputs: &[InputSpec]) -> Result<(), InputError> {
    let mut seen: Vec<(identity::Identity, &Path)> = Vec::with_capacity(inputs.len());
    for path in inputs.iter().filter_map(|i| i.path.as_deref()) {
        let Some(id) = identity::of_path(path) else {
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(seen, _)| *seen == id) {
            return Err(InputError::ReadTwice {
                first: first.display().to_string(),
                again: path.display().to_string(),
            });
        }
        seen.push((id, path));
    }
    Ok(())
}

#[cfg(unix)]
mod identity {
    use std::fs::{File, Metadata};
    use std::os::fd::{AsFd, BorrowedFd};
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;

    /// Device and inode of a regular file.
    pub type Identity = (u64, u64);

    fn of(meta: &Metadata) -> Option<Identity> {
        meta.is_file().then(|| (meta.dev(), meta.ino()))
    }

    /// `stat`, not `open`: opening a named pipe would block, and closing
    /// it could end its writer.
    pub fn of_path(path: &Path) -> Option<Identity> {
        of(&std::fs::metadata(path).ok()?)
    }

    /// `fstat` of a copy of `fd`, which is closed again.
    fn of_fd(fd: BorrowedFd<'_>) -> Option<Identity> {
        let copy = fd.try_clone_to_owned().ok()?;
        of(&File::from(copy).metadata().ok()?)
    }

    pub fn of_stdout() -> Option<Identity> {
        of_fd(std::io::stdout().as_fd())
    }

    pub fn of_stdin() -> Option<Identity> {
        of_fd(std::io::stdin().as_fd())
    }
}

#[cfg(not(unix))]
mod identity {
    use std::path::Path;

    /// The canonical path of a regular file.
    pub type Identity = std::path::PathBuf;

    pub fn of_path(path: &Path) -> Option<Identity> {
        let meta = std::fs::metadata(path).ok()?;
        if meta.is_file() {
            std::fs::canonicalize(path).ok()
        } else {
            None
        }
    }

    /// Not known here: standard output is never refused.
    pub fn of_stdout() -> Option<Identity> {
        None
    }

    /// Not known here: standard input is never compared.
    pub fn of_stdin() -> Option<Identity> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InputFormat;

    /// A file `name` in `dir`, with one record.
    fn written(dir: &Path, name: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, "{}\n").unwrap();
        path
    }

    fn input(path: &Path) -> InputSpec {
        InputSpec {
            path: Some(path.to_path_buf()),
            format: InputFormat::JsonLines,
        }
    }

    #[test]
    fn an_output_that_is_an_input_under_another_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = written(dir.path(), "in.jsonl");
        let other_name = dir.path().join(".").join("in.jsonl");
        let err = refuse_overwriting(
            &[input(&file)],
            &[Output::File {
                flag: "--rejects",
                path: &other_name,
            }],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`--rejects` is the input `{}`: writing it would destroy the records this run reads",
                file.display()
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_hard_link_to_an_input_is_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let file = written(dir.path(), "in.jsonl");
        let link = dir.path().join("link.jsonl");
        std::fs::hard_link(&file, &link).unwrap();
        let output = Output::File {
            flag: "--partial",
            path: &link,
        };
        assert!(refuse_overwriting(&[input(&file)], &[output]).is_err());
    }

    #[test]
    fn a_file_given_twice_under_two_names_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = written(dir.path(), "in.jsonl");
        let other = written(dir.path(), "other.jsonl");
        let again = dir.path().join(".").join("in.jsonl");
        let err = refuse_repeats(&[input(&file), input(&other), input(&again)]).unwrap_err();
        assert!(
            matches!(&err, InputError::ReadTwice { first, again: a }
                if *first == file.display().to_string() && *a == again.display().to_string()),
            "{err}"
        );
        assert!(refuse_repeats(&[input(&file), input(&other)]).is_ok());
    }

    #[test]
    fn other_files_and_outputs_not_yet_made_pass() {
        let dir = tempfile::tempdir().unwrap();
        let file = written(dir.path(), "in.jsonl");
        let other = written(dir.path(), "other.jsonl");
        let outputs = [
            Output::File {
                flag: "--rejects",
                path: &other,
            },
            Output::File {
                flag: "--partial",
                path: &dir.path().join("new.json"),
            },
        ];
        assert!(refuse_overwriting(&[input(&file)], &outputs).is_ok());
    }
}
