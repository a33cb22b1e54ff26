//! A run never writes over the interactions it reads: `--rejects`,
//! `--partial`, the audit's `--output`, or standard output appended to an
//! input, are refused before anything is written, and the input is intact.
//! Nor does it read one file twice.

use std::fs::OpenOptions;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{PackDir, Run, goodwill};

const RECORDS: &str = "{\"id\":\"a\",\"request\":{\"kind\":\"other\"}}\n{\"id\":\"b\",\"request\":{\"kind\":\"other\"}}\n";

/// A pack and, in the same folder, `in.jsonl` holding [`RECORDS`].
fn pack_and_input() -> PackDir {
    let pack = PackDir::example();
    std::fs::write(pack.path().join("in.jsonl"), RECORDS).unwrap();
    pack
}

fn assert_refused(run: &Run, what: &str, dir: &Path) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: {what} is the input `in.jsonl`: writing it would destroy the records this run reads\n  = help: write the output to another file"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("in.jsonl")).unwrap(),
        RECORDS
    );
}

#[test]
fn rejects_file_that_is_an_input_is_refused_and_the_input_kept() {
    let pack = pack_and_input();
    let run = goodwill(
        pack.path(),
        &["eval", ".", "in.jsonl", "--rejects", "./in.jsonl"],
    );
    assert_refused(&run, "`--rejects`", pack.path());
}

#[test]
fn partial_that_is_an_input_is_refused() {
    let pack = pack_and_input();
    let run = goodwill(
        pack.path(),
        &["eval", ".", "in.jsonl", "--partial", "in.jsonl"],
    );
    assert_refused(&run, "`--partial`", pack.path());
}

#[test]
fn audit_output_that_is_an_input_is_refused() {
    let pack = pack_and_input();
    let run = goodwill(
        pack.path(),
        &[
            "audit",
            ".",
            "--interactions",
            "in.jsonl",
            "--output",
            "in.jsonl",
        ],
    );
    assert_refused(&run, "`--output`", pack.path());
}

#[test]
fn standard_output_appended_to_an_input_is_refused() {
    let pack = pack_and_input();
    // As `goodwill eval . in.jsonl >> in.jsonl`.
    let appended = OpenOptions::new()
        .append(true)
        .open(pack.path().join("in.jsonl"))
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_goodwill"))
        .current_dir(pack.path())
        .args(["eval", ".", "in.jsonl"])
        .stdout(Stdio::from(appended))
        .output()
        .unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_refused(&run, "standard output", pack.path());
}

#[test]
fn outputs_to_other_files_are_written() {
    let pack = pack_and_input();
    let run = goodwill(
        pack.path(),
        &[
            "eval",
            ".",
            "in.jsonl",
            "--rejects",
            "rejects.jsonl",
            "--partial",
            "p.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(pack.path().join("p.json").is_file());
    assert!(pack.path().join("rejects.jsonl").is_file());
}

#[test]
fn rejects_to_standard_output_is_refused_with_a_way_out() {
    let pack = pack_and_input();
    let run = goodwill(pack.path(), &["eval", ".", "in.jsonl", "--rejects", "-"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "error: `--rejects -` would mix the rejected records into the findings on standard output\n  = help: name a file; `--rejects /dev/stderr` prints them with the summary\n"
    );
    assert!(!pack.path().join("-").exists());
}

#[test]
fn a_file_given_twice_is_refused_before_it_is_counted_twice() {
    let pack = pack_and_input();
    std::fs::write(
        pack.path().join("other.jsonl"),
        RECORDS.replace(r#""a""#, r#""c""#),
    )
    .unwrap();
    // The glob matches `in.jsonl` and `other.jsonl`; `in.jsonl` comes again.
    let run = goodwill(
        pack.path(),
        &["audit", ".", "--interactions", "*.jsonl", "./in.jsonl"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "error: `./in.jsonl` is `in.jsonl` again: its interactions would be counted twice\n  = help: give each file once (globs that overlap each other, or a file, count)\n"
    );
}

#[test]
fn standard_input_redirected_from_a_file_is_that_file() {
    let pack = pack_and_input();
    // As `goodwill eval . - --rejects in.jsonl < in.jsonl`.
    let out = Command::new(env!("CARGO_BIN_EXE_goodwill"))
        .current_dir(pack.path())
        .args(["eval", ".", "-", "--rejects", "in.jsonl"])
        .stdin(std::fs::File::open(pack.path().join("in.jsonl")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("error: `--rejects` is the input `-`: writing it would destroy"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(pack.path().join("in.jsonl")).unwrap(),
        RECORDS
    );
}
