//! Writing results: to stdout, or to a file atomically so that a crash or a
//! full disk never leaves half a report where a whole one was expected.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Writes `bytes` to `path` through a temporary file in the same folder and
/// a rename. A path that is not a regular file (`/dev/null`, a FIFO, a
/// terminal) is written in place: renaming over it would replace the
/// device or pipe with a plain file. A symbolic link is followed: the file
/// it points to is replaced, and the link stays.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let followed = follow_links(path);
    let path = followed.as_path();
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()))
            .with_context(|| format!("cannot write `{}`", path.display()));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write into `{}`", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

/// The path a chain of symbolic links at `path` ends at, even when that
/// file does not exist yet; `path` itself when it is not a link.
fn follow_links(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    // Linux gives up after 40 links (ELOOP); so do we, where we are.
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&path) else {
            break;
        };
        path = match path.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
    }
    path
}

/// Writes `bytes` to `path`, or to stdout when there is no path or it is
/// `-`.
pub fn write_to(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(p) if p != Path::new("-") => write_atomically(p, bytes),
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .context("cannot write to stdout")
        }
    }
}

/// Asks for a 1 MiB buffer on stdout when it is a pipe (Linux; 64 KiB by
/// default): `goodwill eval` writes hundreds of megabytes into pipes, and
/// with a small pipe the writer and the reader take turns in the kernel at
/// every 64 KiB. Anything else (a file, a terminal, a refusal) is left as
/// it is.
pub fn widen_stdout_pipe() {
    #[cfg(target_os = "linux")]
    widen_pipe(std::io::stdout());
}

#[cfg(target_os = "linux")]
fn widen_pipe(fd: impl std::os::fd::AsFd) {
    let _ = rustix::pipe::fcntl_setpipe_size(fd, PIPE_BYTES);
}

#[cfg(target_os = "linux")]
const PIPE_BYTES: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    use std::process::Command;

    use super::write_atomically;

    #[test]
    fn a_regular_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old and longer").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn a_fifo_is_written_through_and_stays_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                std::fs::File::open(&fifo)
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
                text
            })
        };
        write_atomically(&fifo, b"through the pipe").unwrap();
        // Checked first: were the FIFO renamed over, the reader would wait
        // for a writer forever.
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(reader.join().unwrap(), "through the pipe");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_pipe_is_widened_to_a_mebibyte_or_the_systems_most() {
        let (reader, writer) = std::io::pipe().unwrap();
        let before = rustix::pipe::fcntl_getpipe_size(&reader).unwrap();
        super::widen_pipe(&writer);
        let most: usize = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
            .map_or(super::PIPE_BYTES, |s| {
                s.trim().parse().unwrap_or(super::PIPE_BYTES)
            });
        let after = rustix::pipe::fcntl_getpipe_size(&reader).unwrap();
        assert!(
            after >= super::PIPE_BYTES.min(most).max(before),
            "{before} -> {after}"
        );
        assert!(after > before || most <= before);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_keeps_pointing_at_the_file_it_names_which_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.html");
        std::fs::write(&target, "old").unwrap();
        std::fs::create_dir(dir.path().join("links")).unwrap();
        let link = dir.path().join("links/latest.html");
        std::os::unix::fs::symlink("../report.html", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_gets_its_file_made() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("latest.json");
        std::os::unix::fs::symlink("first.json", &link).unwrap();
        write_atomically(&link, b"{}").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("first.json")).unwrap(),
            "{}"
        );
    }
}
