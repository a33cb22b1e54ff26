//! Partial audits on the real binary: `eval --partial` over pieces of a
//! log piped in with their line offsets, `merge`, `audit --from-partials`,
//! and the partials that must be refused.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{Run, goodwill, repo};

/// Runs `goodwill ARGS` in `dir` with `input` on stdin.
fn goodwill_piped(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_goodwill"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the goodwill binary runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(run: Run) -> Run {
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

fn demo_pack() -> String {
    repo().join("policies/demo").display().to_string()
}

/// The stdout of a successful `goodwill audit <demo pack> ARGS` in `dir`.
fn audit(dir: &Path, args: &[&str]) -> String {
    let pack = demo_pack();
    let mut all = vec!["audit", pack.as_str()];
    all.extend_from_slice(args);
    ok(goodwill(dir, &all)).stdout
}

/// The first 3,000 demo interactions as `log.jsonl`, with a broken line,
/// a blank line and a record without an id among them.
fn write_log(dir: &Path) -> Vec<String> {
    ok(goodwill(
        dir,
        &["audit", "--demo", "--export-interactions", "all.jsonl"],
    ));
    let all = std::fs::read_to_string(dir.join("all.jsonl")).unwrap();
    let mut lines: Vec<String> = all.lines().take(3000).map(str::to_string).collect();
    lines.insert(1200, "{broken".to_string());
    lines.insert(1500, String::new());
    lines.insert(2600, r#"{"channel": "phone"}"#.to_string());
    std::fs::write(dir.join("log.jsonl"), lines.join("\n") + "\n").unwrap();
    lines
}

/// Pieces of the log piped to `eval --partial` as a Spark task would, with
/// the log's name and each piece's first line.
fn partials_of(dir: &Path, lines: &[String], cuts: &[usize]) -> Vec<String> {
    let pack = demo_pack();
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(lines.len());
    let mut names = Vec::new();
    for (i, w) in bounds.windows(2).enumerate() {
        let piece = lines[w[0]..w[1]].join("\n") + "\n";
        let name = format!("part-{i}.json");
        let offset = w[0].to_string();
        let args = [
            "eval",
            &pack,
            "-",
            "--partial",
            &name,
            "--allow-rejects",
            "--stdin-name",
            "log.jsonl",
            "--line-offset",
            &offset,
        ];
        ok(goodwill_piped(dir, &args, piece.as_bytes()));
        names.push(name);
    }
    names
}

#[test]
fn a_log_split_in_pieces_and_merged_audits_like_the_whole_file_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let lines = write_log(dir.path());
    let mut parts = partials_of(dir.path(), &lines, &[700, 1201, 2900]);
    parts.reverse();
    let mut merge = vec!["merge"];
    merge.extend(parts.iter().map(String::as_str));
    merge.extend(["--output", "merged.json"]);
    ok(goodwill(dir.path(), &merge));
    for format in ["json", "table", "markdown"] {
        let whole = audit(
            dir.path(),
            &["--interactions", "log.jsonl", "--format", format],
        );
        let merged = audit(
            dir.path(),
            &["--from-partials", "merged.json", "--format", format],
        );
        assert_eq!(merged, whole, "{format}");
    }
    let merged = audit(
        dir.path(),
        &["--from-partials", "merged.json", "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&merged).unwrap();
    assert_eq!(doc["input"]["records"], 3002);
    assert_eq!(doc["input"]["rejected"], 2);
    let at: Vec<(String, u64)> = doc["input"]["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            ("log.jsonl".to_string(), 1201),
            ("log.jsonl".to_string(), 2601)
        ]
    );
}

#[test]
fn the_merged_partial_is_the_same_whatever_the_merge_order_and_grouping() {
    let dir = tempfile::tempdir().unwrap();
    let lines = write_log(dir.path());
    let parts = partials_of(dir.path(), &lines, &[1000, 2000]);
    let p = |i: usize| parts[i].as_str();
    ok(goodwill(
        dir.path(),
        &["merge", p(0), p(1), p(2), "-o", "flat.json"],
    ));
    ok(goodwill(
        dir.path(),
        &["merge", p(2), p(0), "-o", "pair.json"],
    ));
    ok(goodwill(
        dir.path(),
        &["merge", p(1), "pair.json", "-o", "nested.json"],
    ));
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    assert_eq!(read("flat.json"), read("nested.json"));
    let stdout = ok(goodwill(dir.path(), &["merge", p(1), p(2), p(0)])).stdout;
    assert_eq!(stdout, read("flat.json"));
}

#[test]
fn the_audit_is_byte_identical_for_one_and_two_jobs() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path());
    let run = |jobs: &str| {
        audit(
            dir.path(),
            &[
                "--interactions",
                "log.jsonl",
                "--format",
                "json",
                "--jobs",
                jobs,
            ],
        )
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn the_audit_reads_gzip_like_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path());
    let plain = std::fs::read(dir.path().join("log.jsonl")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&plain).unwrap();
    std::fs::write(dir.path().join("log.jsonl.gz"), enc.finish().unwrap()).unwrap();
    let pack = demo_pack();
    let audit = |file: &str| {
        let out = ok(goodwill(
            dir.path(),
            &["audit", &pack, "--interactions", file, "--format", "json"],
        ))
        .stdout;
        out.replace(file, "FILE")
    };
    assert_eq!(audit("log.jsonl.gz"), audit("log.jsonl"));
}

#[test]
fn merging_partials_of_different_packs_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let lines = write_log(dir.path());
    partials_of(dir.path(), &lines, &[]);
    let example = repo().join("policies/example").display().to_string();
    ok(goodwill_piped(
        dir.path(),
        &[
            "eval",
            &example,
            "-",
            "--partial",
            "example.json",
            "--allow-rejects",
        ],
        b"{\"id\": \"x\"}\n",
    ));
    let run = goodwill(dir.path(), &["merge", "part-0.json", "example.json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("`example.json` was computed with pack `")
            && run.stderr.contains("not with the pack of `part-0.json`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("= help: every partial of one audit"),
        "{}",
        run.stderr
    );
    let run = goodwill(
        dir.path(),
        &["audit", &demo_pack(), "--from-partials", "example.json"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("`example.json` was computed with pack"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_that_is_not_a_partial_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.json"), "{\"hello\": 1}").unwrap();
    let run = goodwill(dir.path(), &["merge", "notes.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`notes.json` is not a goodwill partial audit"),
        "{}",
        run.stderr
    );
    let run = goodwill(dir.path(), &["merge", "missing.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot read the partial audit `missing.json`"),
        "{}",
        run.stderr
    );
}

#[test]
fn asking_for_more_moments_than_the_partials_keep_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let lines = write_log(dir.path());
    partials_of(dir.path(), &lines, &[]);
    let pack = demo_pack();
    let run = goodwill(
        dir.path(),
        &[
            "audit",
            &pack,
            "--from-partials",
            "part-0.json",
            "--moments",
            "11",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("the partials keep 10 moments of truth"),
        "{}",
        run.stderr
    );
    let fewer = audit(
        dir.path(),
        &[
            "--from-partials",
            "part-0.json",
            "--moments",
            "3",
            "--format",
            "json",
        ],
    );
    let whole = audit(
        dir.path(),
        &[
            "--interactions",
            "log.jsonl",
            "--moments",
            "3",
            "--format",
            "json",
        ],
    );
    assert_eq!(fewer, whole);
}

#[test]
fn an_unreadable_input_makes_no_partial_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let pack = demo_pack();
    let run = goodwill(
        dir.path(),
        &["eval", &pack, "missing.jsonl", "--partial", "p.json"],
    );
    assert_eq!(run.code, 2);
    assert!(!dir.path().join("p.json").exists());
}

#[test]
fn a_partial_on_stdout_is_the_only_thing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let lines = write_log(dir.path());
    let piece = lines[..50].join("\n") + "\n";
    let run = ok(goodwill_piped(
        dir.path(),
        &["eval", &demo_pack(), "-", "--partial", "-"],
        piece.as_bytes(),
    ));
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["format"], "goodwill-audit-partial");
    assert_eq!(doc["records"], 50);
    assert!(run.stderr.contains("read 50 records"), "{}", run.stderr);
}
