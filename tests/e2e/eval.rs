//! `goodwill eval` on real files: every reader, compression, stdin, the
//! mapping conversions, each kind of bad record, `| head`, and identical
//! output for any `--jobs`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value as Json;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_goodwill")
}

fn example_pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/example")
}

/// Runs `goodwill eval PACK args...` in `dir`, with `stdin`.
fn eval_in(dir: &Path, pack: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir).arg("eval").arg(pack).args(args);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("goodwill runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn lines(o: &Output) -> Vec<Json> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// The Spokane depositor, refused a 60-cent stamp.
const DEPOSITOR: &str = r#"{"id":"spokane-1989","channel":"store","customer":{"id":"john","lifetime_value":2000000.0},"request":{"kind":"parking_validation","amount":0.6},"outcome":{"resolution":"denied","exception_requested":true,"exception_granted":false}}"#;
/// A stamped ticket: no finding.
const STAMPED: &str = r#"{"id":"stamped","channel":"store","customer":{"id":"c2","lifetime_value":50.0},"request":{"kind":"parking_validation","amount":0.6},"outcome":{"resolution":"granted","exception_requested":false,"exception_granted":false}}"#;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn jsonl(records: &[&str]) -> Vec<u8> {
    let mut s = records.join("\n");
    s.push('\n');
    s.into_bytes()
}

#[test]
fn jsonl_findings_carry_check_level_evidence_and_source() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.jsonl", &jsonl(&[STAMPED, DEPOSITOR]));
    let out = eval_in(dir.path(), &example_pack(), &["in.jsonl"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn summary_on_stderr_counts_read_evaluated_rejected_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.jsonl",
        &jsonl(&[STAMPED, DEPOSITOR, "oops"]),
    );
    let out = eval_in(
        dir.path(),
        &example_pack(),
        &["in.jsonl", "--allow-rejects"],
        None,
    );
    let err = stderr(&out);
    assert!(
        err.contains("read 3 records: 2 evaluated, 1 rejected"),
        "{err}"
    );
    assert!(err.contains("findings: 2 (1 error, 1 warning)"), "{err}");
    assert!(err.contains("records/s"), "{err}");
}

#[test]
fn json_array_records_are_read_with_their_start_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("[\n  {STAMPED},\n  {DEPOSITOR}\n]\n");
    write(dir.path(), "in.json", text.as_bytes());
    let out = eval_in(dir.path(), &example_pack(), &["in.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = lines(&out);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0]["source"]["line"], 3);
    assert_eq!(found[0]["source"]["record"], 2);
}

#[test]
fn input_format_flag_overrides_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("[{DEPOSITOR}]");
    write(dir.path(), "in.txt", text.as_bytes());
    let out = eval_in(
        dir.path(),
        &example_pack(),
        &["in.txt", "--input-format", "json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 2);
}

#[test]
fn gzip_input_is_read_transparently() {
    use flate2::write::GzEncoder;
    let dir = tempfile::tempdir().unwrap();
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&jsonl(&[DEPOSITOR])).unwrap();
    write(dir.path(), "in.jsonl.gz", &enc.finish().unwrap());
    let out = eval_in(dir.path(), &example_pack(), &["in.jsonl.gz"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 2);
}

#[test]
fn zstd_input_is_read_transparently() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = zstd::encode_all(&jsonl(&[DEPOSITOR])[..], 3).unwrap();
    write(dir.path(), "in.jsonl.zst", &bytes);
    let out = eval_in(dir.path(), &example_pack(), &["in.jsonl.zst"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 2);
}

#[test]
fn stdin_is_read_as_json_lines_and_named_dash() {
    let dir = tempfile::tempdir().unwrap();
    let out = eval_in(
        dir.path(),
        &example_pack(),
        &["-"],
        Some(&jsonl(&[STAMPED, DEPOSITOR])),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = lines(&out);
    assert_eq!(found[0]["source"]["file"], "-");
    assert_eq!(found[0]["source"]["line"], 2);
}

#[test]
fn globs_expand_to_their_files_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b.jsonl", &jsonl(&[DEPOSITOR]));
    write(
        dir.path(),
        "a.jsonl",
        &jsonl(&[DEPOSITOR.replace("spokane-1989", "first").as_str()]),
    );
    let out = eval_in(dir.path(), &example_pack(), &["*.jsonl"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = lines(&out);
    assert_eq!(found.len(), 4);
    assert_eq!(found[0]["interaction"], "first");
    assert_eq!(found[3]["source"]["file"], "b.jsonl");
}

#[test]
fn glob_without_match_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = eval_in(dir.path(), &example_pack(), &["*.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`*.jsonl` matches no file"));
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = eval_in(dir.path(), &example_pack(), &["nope.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read `nope.jsonl`: no such file"),
        "{}",
        stderr(&out)
    );
}

/// A folder holding the pack `claims` (a `goodwill.toml`, no policies).
fn claims_pack_beside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("claims/policies")).unwrap();
    write(
        dir.path(),
        "claims/goodwill.toml",
        b"[pack]\nname = \"claims\"\n",
    );
    dir
}

#[test]
fn a_mistyped_pack_is_named_with_the_pack_it_resembles() {
    let dir = claims_pack_beside();
    let record = jsonl(&[r#"{"id":"a"}"#]);
    let out = eval_in(dir.path(), Path::new("claim"), &["-"], Some(&record));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cannot read `claim`: no such file or folder")
            && err.contains("= help: did you mean the pack `claims`?"),
        "{err}"
    );
    // Nothing was read: no findings, no summary.
    assert!(out.stdout.is_empty());
    assert!(!err.contains("evaluated"), "{err}");
}

#[test]
fn a_pack_file_given_for_the_pack_names_the_pack_folder() {
    let dir = claims_pack_beside();
    write(dir.path(), "claims/policies/fees.toml", b"id = \"fees\"\n");
    let record = jsonl(&[r#"{"id":"a"}"#]);
    for file in ["claims/goodwill.toml", "claims/policies/fees.toml"] {
        let out = eval_in(dir.path(), Path::new(file), &["-"], Some(&record));
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("error: `{file}` is a TOML file, not interactions"))
                && err.contains("`goodwill eval claims FILE...`"),
            "{err}"
        );
        assert!(out.stdout.is_empty() && !err.contains("evaluated"), "{err}");
    }
}

#[test]
fn a_first_argument_naming_nothing_says_it_was_taken_as_an_input() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.jsonl", &jsonl(&[r#"{"id":"a"}"#]));
    let out = eval_in(dir.path(), Path::new("polcy"), &["a.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "= help: `polcy` is not a folder, so it was taken as an input, with the current \
             folder as the pack"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_optional_top_level_field_is_guarded_with_has_interaction() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(pack.join("policies")).unwrap();
    write(
        &pack,
        "goodwill.toml",
        b"[pack]\nname = \"surveys\"\ncurrency = \"USD\"\n",
    );
    write(
        &pack,
        "policies/unhappy.toml",
        br#"id = "unhappy"
title = "Unhappy customers are followed up"
owner = "Support"
summary = "A low score gets a call back."
levels = ["partnership"]
applies = "has(interaction.channel) && interaction.channel == 'phone'"

[[checks]]
id = "low-csat"
severity = "warning"
level = "partnership"
when = "has(interaction.csat) && csat <= 2"
message = "csat {csat}"
"#,
    );
    let records = jsonl(&[
        r#"{"id":"a"}"#,
        r#"{"id":"b","channel":"phone"}"#,
        r#"{"id":"c","channel":"phone","csat":1}"#,
    ]);
    let out = eval_in(dir.path(), &pack, &["-"], Some(&records));
    // Records without `channel` or `csat` are evaluated, not errors.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("read 3 records: 3 evaluated, 0 rejected"));
    assert!(
        !stderr(&out).contains("evaluation errors"),
        "{}",
        stderr(&out)
    );
    let found = lines(&out);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["interaction"], "c");
    assert_eq!(found[0]["evidence"], serde_json::json!({"csat": 1}));
}

/// A pack that maps a helpdesk's CSV export onto the canonical fields.
fn csv_pack(dir: &Path) -> PathBuf {
    let pack = dir.join("pack");
    std::fs::create_dir_all(pack.join("policies")).unwrap();
    std::fs::copy(
        example_pack().join("policies/parking-validation.toml"),
        pack.join("policies/parking-validation.toml"),
    )
    .unwrap();
    let manifest = std::fs::read_to_string(example_pack().join("goodwill.toml")).unwrap();
    let manifest = format!(
        "{manifest}\n{}",
        r#"
[mapping]
timezone = "America/Los_Angeles"

[mapping.fields]
"id" = "Ticket"
"customer.id" = "Customer"
"customer.lifetime_value" = "Customer value"
"request.kind" = { from = "Request", values = { "Parking stamp" = "parking_validation" } }
"request.amount" = "Amount"
"outcome.resolution" = { from = "Company response", values = { "Closed with monetary relief" = "granted", "Closed with explanation" = "denied" } }
"outcome.exception_requested" = "Asked for exception"
"outcome.exception_granted" = "Exception given"
"at" = { from = "Date received", format = "%m/%d/%Y %H:%M" }
"#
    );
    std::fs::write(pack.join("goodwill.toml"), manifest).unwrap();
    pack
}

const CSV_EXPORT: &str = "Ticket,Date received,Customer,Customer value,Request,Amount,Company response,Asked for exception,Exception given,Branch\n\
T-1,03/01/2024 09:30,john,\"$2,000,000.00\",Parking stamp,$0.60,Closed with explanation,Yes,No,spokane-main\n\
T-2,03/02/2024 10:00,mary,\"$1,500\",Parking stamp,$0.60,Closed with monetary relief,TRUE,1,spokane-main\n";

#[test]
fn csv_export_is_used_as_it_comes_through_the_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let pack = csv_pack(dir.path());
    write(dir.path(), "export.csv", CSV_EXPORT.as_bytes());
    let out = eval_in(
        dir.path(),
        &pack,
        &["export.csv", "--per-interaction"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let found = lines(&out);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0]["interaction"], "T-1");
    assert_eq!(found[0]["source"]["line"], 2);
    let checks: Vec<&str> = found[0]["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks,
        ["tiny-stake-valuable-customer", "no-exception-offered"]
    );
    let evidence = &found[0]["policies"][0]["findings"][0]["evidence"];
    assert_eq!(evidence["customer.lifetime_value"], 2000000.0);
    assert_eq!(evidence["outcome.resolution"], "denied");
    // T-2 was granted: the policy applied and was waived.
    assert_eq!(found[1]["policies"][0]["enforced"], false);
}

#[test]
fn the_audit_reads_a_csv_export_through_the_same_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let pack = csv_pack(dir.path());
    write(dir.path(), "export.csv", CSV_EXPORT.as_bytes());
    let out = Command::new(env!("CARGO_BIN_EXE_goodwill"))
        .current_dir(dir.path())
        .args([
            "audit",
            pack.to_str().unwrap(),
            "--interactions",
            "export.csv",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["input"]["evaluated"], 2);
    let policy = &doc["policies"][0];
    assert_eq!(policy["id"], "parking-validation");
    assert_eq!(policy["applied"], 2);
    assert_eq!(policy["enforced"], 1);
    assert_eq!(policy["waived"], 1);
    assert_eq!(policy["findings"], 2);
}

#[test]
fn zoneless_date_time_is_converted_in_the_declared_zone() {
    let dir = tempfile::tempdir().unwrap();
    let pack = csv_pack(dir.path());
    // A check that reads `at`, so the converted value shows in evidence.
    let policy = std::fs::read_to_string(pack.join("policies/parking-validation.toml")).unwrap();
    let policy = format!(
        "{policy}\n[[checks]]\nid = \"dated\"\nseverity = \"info\"\nlevel = \"accuracy\"\nwhen = \"at > timestamp('2024-03-01T17:00:00Z') && at < timestamp('2024-03-01T18:00:00Z')\"\nmessage = \"dated\"\n"
    );
    std::fs::write(pack.join("policies/parking-validation.toml"), policy).unwrap();
    write(dir.path(), "export.csv", CSV_EXPORT.as_bytes());
    let out = eval_in(dir.path(), &pack, &["export.csv"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dated: Vec<Json> = lines(&out)
        .into_iter()
        .filter(|f| f["check"] == "dated")
        .collect();
    assert_eq!(dated.len(), 1, "09:30 PST is 17:30Z");
    assert_eq!(dated[0]["evidence"]["at"], "2024-03-01T09:30:00-08:00");
}

#[test]
fn csv_value_that_does_not_convert_is_rejected_with_its_column() {
    let dir = tempfile::tempdir().unwrap();
    let pack = csv_pack(dir.path());
    let bad = CSV_EXPORT.replace("Yes,No", "Perhaps,No");
    write(dir.path(), "export.csv", bad.as_bytes());
    let out = eval_in(dir.path(), &pack, &["export.csv"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "error: export.csv:2: `outcome.exception_requested` must be `yes`/`no`, `true`/`false` or `1`/`0`, found `Perhaps` (column `Asked for exception`)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn csv_row_with_the_wrong_number_of_fields_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.csv",
        b"id,channel\na,store\nb,store,extra\n",
    );
    let out = eval_in(dir.path(), &example_pack(), &["in.csv"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: in.csv:3: the row has 3 fields, the header has 2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn mapping_onto_an_unknown_field_fails_the_pack_load() {
    let dir = tempfile::tempdir().unwrap();
    let pack = csv_pack(dir.path());
    let manifest = std::fs::read_to_string(pack.join("goodwill.toml")).unwrap();
    std::fs::write(
        pack.join("goodwill.toml"),
        manifest.replace(
            "\"customer.id\" = \"Customer\"",
            "\"customer.idd\" = \"Customer\"",
        ),
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["check"])
        .arg(&pack)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`customer.idd` is not a field"), "{err}");
    assert!(err.contains("goodwill.toml:"), "{err}");
}

/// Runs the example pack over `input` and returns (stderr, rejects file).
fn rejected(name: &str, input: &[u8], extra: &[&str]) -> (Output, Vec<Json>) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), name, input);
    let mut args = vec![name, "--rejects", "rejects.jsonl"];
    args.extend_from_slice(extra);
    let out = eval_in(dir.path(), &example_pack(), &args, None);
    let rejects = std::fs::read_to_string(dir.path().join("rejects.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out, rejects)
}

fn assert_one_reject(out: &Output, rejects: &[Json], line: u64, kind: &str, message: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    let err = stderr(out);
    assert!(err.contains(message), "`{message}` not in:\n{err}");
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(rejects[0]["line"], line);
    assert_eq!(rejects[0]["kind"], kind);
}

#[test]
fn malformed_line_is_rejected_with_its_line() {
    let (out, rejects) = rejected("in.jsonl", &jsonl(&[STAMPED, "{\"id\": ", DEPOSITOR]), &[]);
    assert_one_reject(
        &out,
        &rejects,
        2,
        "malformed",
        "error: in.jsonl:2: malformed JSON",
    );
    assert_eq!(rejects[0]["text"], "{\"id\": ");
    // The run went on: the depositor's findings are there.
    assert_eq!(lines(&out).len(), 2);
}

#[test]
fn invalid_utf8_is_rejected_with_its_line() {
    let mut input = jsonl(&[STAMPED]);
    input.extend_from_slice(b"{\"id\":\"\xff\xfe\"}\n");
    let (out, rejects) = rejected("in.jsonl", &input, &[]);
    assert_one_reject(
        &out,
        &rejects,
        2,
        "invalid-utf8",
        "error: in.jsonl:2: the record is not UTF-8",
    );
}

#[test]
fn wrong_type_is_rejected_naming_the_field() {
    let (out, rejects) = rejected("in.jsonl", &jsonl(&[r#"{"id":"a","csat":"five"}"#]), &[]);
    assert_one_reject(
        &out,
        &rejects,
        1,
        "wrong-type",
        "error: in.jsonl:1: `csat` must be a whole number, found a string `\"five\"`",
    );
    assert_eq!(rejects[0]["text"], r#"{"id":"a","csat":"five"}"#);
}

#[test]
fn a_key_given_twice_with_different_values_is_rejected_naming_both() {
    let (out, rejects) = rejected(
        "in.jsonl",
        &jsonl(&[
            r#"{"id":"a","request":{"kind":"other"},"csat":1,"csat":5}"#,
            // The same value twice loses nothing: one field.
            r#"{"id":"b","request":{"kind":"other"},"csat":2,"csat":2}"#,
        ]),
        &[],
    );
    assert_one_reject(
        &out,
        &rejects,
        1,
        "duplicate-field",
        "error: in.jsonl:1: `csat` is given twice, as a number `1` and as a number `5` (column 55)",
    );
    assert!(stderr(&out).contains("read 2 records: 1 evaluated, 1 rejected"));
}

#[test]
fn csv_columns_of_one_name_that_disagree_are_rejected() {
    // Row `a` says 1 and 5; row `b` has only one value, row `c` the same twice.
    let (out, rejects) = rejected(
        "in.csv",
        b"id,request.kind,csat,csat\na,other,1,5\nb,other,2,\nc,other,3,3\n",
        &[],
    );
    assert_one_reject(
        &out,
        &rejects,
        2,
        "duplicate-field",
        "error: in.csv:2: `csat` is given twice, as a number `1` and as a number `5` (in column 4 `csat`)",
    );
    assert!(stderr(&out).contains("read 3 records: 2 evaluated, 1 rejected"));
}

#[test]
fn a_mapping_target_the_record_also_has_is_rejected_if_they_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let pack = csv_pack(dir.path());
    let record = r#"{"Ticket":"T-9","Company response":"Closed with explanation","outcome":{"resolution":"granted"}}"#;
    write(dir.path(), "in.jsonl", &jsonl(&[record]));
    let out = eval_in(dir.path(), &pack, &["in.jsonl"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "error: in.jsonl:1: `outcome.resolution` is given twice, as a string `\"granted\"` and as a string `\"denied\"` (from `Company response` by `[mapping]`)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_id_is_rejected() {
    let (out, rejects) = rejected(
        "in.jsonl",
        &jsonl(&[STAMPED, r#"{"channel":"store"}"#]),
        &[],
    );
    assert_one_reject(
        &out,
        &rejects,
        2,
        "missing-id",
        "error: in.jsonl:2: the record has no `id`",
    );
}

#[test]
fn record_over_the_size_limit_is_rejected() {
    let big = format!(r#"{{"id":"big","transcript":"{}"}}"#, "x".repeat(500));
    let (out, rejects) = rejected(
        "in.jsonl",
        &jsonl(&[STAMPED, &big, STAMPED]),
        &["--max-record-bytes", "300"],
    );
    assert_one_reject(
        &out,
        &rejects,
        2,
        "too-large",
        "error: in.jsonl:2: the record is larger than 300 bytes",
    );
    assert!(stderr(&out).contains("read 3 records: 2 evaluated, 1 rejected"));
}

#[test]
fn record_nested_too_deep_is_rejected() {
    let deep = format!(
        r#"{{"id":"deep","x":{}1{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let (out, rejects) = rejected("in.jsonl", &jsonl(&[&deep]), &[]);
    assert_one_reject(
        &out,
        &rejects,
        1,
        "too-deep",
        "error: in.jsonl:1: the record nests deeper than 128 levels",
    );
}

#[test]
fn non_object_record_is_rejected() {
    let (out, rejects) = rejected("in.jsonl", &jsonl(&["[1,2]"]), &[]);
    assert_one_reject(
        &out,
        &rejects,
        1,
        "not-an-object",
        "error: in.jsonl:1: a record must be a JSON object",
    );
}

#[test]
fn unclosed_json_array_is_rejected_at_its_element() {
    let text = format!("[\n{DEPOSITOR},\n{{\"id\":\"cut\"");
    let (out, rejects) = rejected("in.json", text.as_bytes(), &[]);
    assert_one_reject(
        &out,
        &rejects,
        3,
        "malformed",
        "error: in.json:3: the array is not closed",
    );
    assert_eq!(lines(&out).len(), 2);
}

#[test]
fn cel_runtime_error_is_reported_naming_policy_and_check() {
    // No `customer.lifetime_value`: the tiny-stake check cannot be evaluated.
    let record = r#"{"id":"e","request":{"kind":"parking_validation","amount":0.6},"outcome":{"resolution":"denied","exception_requested":true,"exception_granted":false}}"#;
    let (out, rejects) = rejected("in.jsonl", &jsonl(&[record]), &[]);
    assert_one_reject(
        &out,
        &rejects,
        1,
        "evaluation-error",
        "error: in.jsonl:1: policy `parking-validation`, `checks.tiny-stake-valuable-customer.when`: the interaction has no `customer.lifetime_value`",
    );
    // The other check still ran on the record.
    assert_eq!(lines(&out)[0]["check"], "no-exception-offered");
    assert!(stderr(&out).contains("read 1 record: 1 evaluated, 0 rejected"));
}

#[test]
fn allow_rejects_exits_zero_despite_rejects() {
    let (out, rejects) = rejected(
        "in.jsonl",
        &jsonl(&[DEPOSITOR, "nope"]),
        &["--allow-rejects"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(rejects.len(), 1);
}

#[test]
fn fail_on_exits_one_at_or_above_the_severity() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.jsonl", &jsonl(&[DEPOSITOR]));
    let out = eval_in(
        dir.path(),
        &example_pack(),
        &["in.jsonl", "--fail-on", "error"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    write(dir.path(), "in.jsonl", &jsonl(&[STAMPED]));
    let out = eval_in(
        dir.path(),
        &example_pack(),
        &["in.jsonl", "--fail-on", "info"],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
}

/// Records of every kind, good and bad, in a pattern.
fn mixed_records(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        let line = match i % 7 {
            0 => DEPOSITOR.replace("spokane-1989", &format!("r{i}")),
            1 => STAMPED.replace("stamped", &format!("r{i}")),
            2 => "not json".to_string(),
            3 => format!(
                r#"{{"id":"r{i}","request":{{"kind":"parking_validation","amount":0.6}},"outcome":{{"resolution":"denied","exception_requested":true,"exception_granted":false}}}}"#
            ),
            4 => format!(r#"{{"id":"r{i}","csat":"bad"}}"#),
            _ => DEPOSITOR
                .replace("spokane-1989", &format!("r{i}"))
                .replace("2000000.0", &format!("{}.5", i * 1000)),
        };
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

#[test]
fn output_is_byte_identical_for_one_and_two_jobs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.jsonl", &mixed_records(10_000));
    let run = |jobs: &str, rejects: &str| {
        eval_in(
            dir.path(),
            &example_pack(),
            &["in.jsonl", "--jobs", jobs, "--rejects", rejects],
            None,
        )
    };
    let one = run("1", "r1.jsonl");
    let two = run("2", "r2.jsonl");
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
    let r1 = std::fs::read(dir.path().join("r1.jsonl")).unwrap();
    let r2 = std::fs::read(dir.path().join("r2.jsonl")).unwrap();
    assert!(!r1.is_empty());
    assert_eq!(r1, r2);
    let per = |jobs: &str| {
        eval_in(
            dir.path(),
            &example_pack(),
            &["in.jsonl", "--jobs", jobs, "--per-interaction"],
            None,
        )
        .stdout
    };
    assert_eq!(per("1"), per("2"));
}

#[test]
fn closed_stdout_pipe_ends_quietly_with_success() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = (0..20_000)
        .map(|i| DEPOSITOR.replace("spokane-1989", &format!("r{i}")))
        .collect();
    let refs: Vec<&str> = records.iter().map(String::as_str).collect();
    write(dir.path(), "in.jsonl", &jsonl(&refs));
    let mut child = Command::new(bin())
        .current_dir(dir.path())
        .arg("eval")
        .arg(example_pack())
        .arg("in.jsonl")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `head -n 1`: read one line, then close the pipe.
    let mut pipe = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    pipe.read_exact(&mut first).unwrap();
    drop(pipe);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err, "");
}

#[test]
fn pack_defaults_to_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.jsonl", &jsonl(&[DEPOSITOR]));
    let out = Command::new(bin())
        .current_dir(example_pack())
        .arg("eval")
        .arg(dir.path().join("in.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 2);
}

#[test]
fn csv_cell_that_is_not_utf8_is_rejected_with_its_line() {
    let mut input = b"id,request.kind\na,refund\n".to_vec();
    input.extend_from_slice(b"b,ref\xffund\n");
    let (out, rejects) = rejected("in.csv", &input, &[]);
    assert_one_reject(
        &out,
        &rejects,
        3,
        "invalid-utf8",
        "error: in.csv:3: column `request.kind` is not UTF-8",
    );
}

#[test]
fn empty_array_element_and_text_after_the_array_are_rejected() {
    let text = format!("[\n{STAMPED},\n,\n{DEPOSITOR}\n] trailing");
    let (out, rejects) = rejected("in.json", text.as_bytes(), &["--allow-rejects"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: Vec<(u64, &str)> = rejects
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(3, "malformed"), (5, "malformed")]);
    assert!(stderr(&out).contains("in.json:3: an empty element in the array"));
    assert!(stderr(&out).contains("in.json:5: text after the closing `]` of the array"));
    // The depositor after the empty element was still evaluated.
    assert_eq!(lines(&out).len(), 2);
}
