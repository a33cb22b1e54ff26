//! `goodwill audit`: the demo's reports (snapshots), `--interactions` with
//! bad records, atomic `--output`, and the HTML rendered by Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn goodwill(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_goodwill"))
        .args(args)
        .output()
        .expect("run goodwill")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn demo_table_leads_with_the_verdicts_and_fits_100_columns() {
    let text = stdout(&goodwill(&["audit", "--demo"]));
    assert!(
        text.lines().nth(2).unwrap().starts_with("VERDICTS"),
        "{text}"
    );
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
    insta::assert_snapshot!("demo_table", text);
}

#[test]
fn demo_markdown() {
    insta::assert_snapshot!(
        "demo_markdown",
        stdout(&goodwill(&["audit", "--demo", "--format", "markdown"]))
    );
}

#[test]
fn demo_json_follows_the_documented_schema() {
    let text = stdout(&goodwill(&["audit", "--demo", "--format", "json"]));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["input"]["evaluated"], 20_000);
    let verdicts: Vec<(&str, &str)> = doc["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("card-courier", "favors-company"),
            ("cheque-hold", "not-enough-evidence"),
            ("late-fee-no-exceptions", "not-enough-evidence"),
            ("overdraft-fee", "favors-company"),
            ("parking-validation", "favors-company"),
            ("statement-fee", "balanced"),
            ("wire-fraud-hold", "justified"),
        ]
    );
    insta::assert_snapshot!("demo_json", text);
}

#[test]
fn output_is_written_to_the_file_and_nothing_is_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("audit.json");
    std::fs::write(&target, "old report").unwrap();
    let out = goodwill(&[
        "audit",
        "--demo",
        "--format",
        "json",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert!(stdout(&out).is_empty());
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.starts_with("{\n  \"schema_version\": 1"));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "a temporary file was left behind");
}

#[test]
fn bad_records_are_rejected_with_their_line_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("interactions.jsonl");
    std::fs::write(
        &data,
        concat!(
            "{\"id\": \"a\", \"request\": {\"kind\": \"parking_validation\", \"amount\": 0.6}, \"outcome\": {\"resolution\": \"denied\"}, \"churned\": true}\n",
            "\n",
            "{not json\n",
            "[1, 2]\n",
            "{\"id\": \"b\", \"csat\": \"great\"}\n",
            "{\"request\": {\"kind\": \"parking_validation\"}}\n",
        )
        .bytes()
        .chain(*b"{\"id\": \"\xff\"}\n")
        .collect::<Vec<u8>>(),
    )
    .unwrap();
    let pack = repo().join("policies/example");
    let out = goodwill(&[
        "audit",
        pack.to_str().unwrap(),
        "--interactions",
        data.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["input"]["records"], 6);
    assert_eq!(doc["input"]["evaluated"], 1);
    assert_eq!(doc["input"]["rejected"], 5);
    let lines: Vec<u64> = doc["input"]["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5, 6, 7]);
    let kinds: Vec<&str> = doc["input"]["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "malformed",
            "not-an-object",
            "wrong-type",
            "missing-id",
            "invalid-utf8"
        ]
    );
    let reasons = doc["input"]["rejections"].to_string();
    assert!(reasons.contains("malformed JSON"), "{reasons}");
    assert!(
        reasons.contains("`csat` must be a whole number"),
        "{reasons}"
    );
    assert!(reasons.contains("the record has no `id`"), "{reasons}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("5 of 6 records were rejected"));
    assert_eq!(doc["policies"][0]["enforced"], 1);
}

#[test]
fn a_missing_interactions_file_is_an_error_with_exit_2() {
    let pack = repo().join("policies/example");
    let out = goodwill(&[
        "audit",
        pack.to_str().unwrap(),
        "--interactions",
        "/nonexistent/x.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `/nonexistent/x.jsonl`"));
}

#[test]
fn audit_without_interactions_or_demo_is_a_usage_error() {
    let out = goodwill(&["audit", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--interactions"));
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    })
}

fn headless(chromium: &Path, profile: &Path, extra: &[&str], page: &Path) -> Output {
    Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

#[test]
fn demo_html_renders_its_charts_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        // scripts/test installs chromium and sets this, so CI never skips.
        assert!(
            std::env::var_os("GOODWILL_REQUIRE_CHROMIUM").is_none(),
            "chromium is required (GOODWILL_REQUIRE_CHROMIUM is set) but not installed"
        );
        println!(
            "SKIPPED: chromium is not installed (apt-get install chromium); the HTML report was not rendered"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("audit.html");
    let out = goodwill(&[
        "audit",
        "--demo",
        "--format",
        "html",
        "--output",
        page.to_str().unwrap(),
    ]);
    stdout(&out);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script"), "the report needs no JavaScript");
    for external in ["src=", "href=", "url(", "@import"] {
        assert!(
            !html.contains(external),
            "the report must load nothing: found `{external}`"
        );
    }

    let dom = headless(
        &chromium,
        &dir.path().join("profile-dom"),
        &["--dump-dom"],
        &page,
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "{stderr}");
    assert!(!stderr.contains("CONSOLE"), "console messages: {stderr}");
    // Both charts are in the rendered DOM, with their marks.
    let ledger = dom_text
        .split("ledger-chart")
        .nth(1)
        .expect("ledger chart")
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(
        ledger.matches("<rect class=\"benefit\"").count(),
        7,
        "{ledger}"
    );
    assert_eq!(
        ledger.matches("<circle class=\"cost\"").count(),
        6,
        "{ledger}"
    );
    let pyramid = dom_text
        .split("pyramid-chart")
        .nth(1)
        .expect("pyramid chart")
        .split("</svg>")
        .next()
        .unwrap();
    assert_eq!(pyramid.matches("<polygon class=\"level\"").count(), 4);

    let shot = dir.path().join("audit.png");
    let png = headless(
        &chromium,
        &dir.path().join("profile-shot"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1100,2400",
            "--hide-scrollbars",
        ],
        &page,
    );
    assert!(
        png.status.success(),
        "{}",
        String::from_utf8_lossy(&png.stderr)
    );
    let bytes = std::fs::read(&shot).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    assert!(
        bytes.len() > 20_000,
        "a blank page compresses to almost nothing: {} bytes",
        bytes.len()
    );
    if let Some(keep) = std::env::var_os("GOODWILL_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

#[test]
fn the_exported_demo_interactions_audit_like_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo.jsonl");
    stdout(&goodwill(&[
        "audit",
        "--demo",
        "--export-interactions",
        data.to_str().unwrap(),
    ]));
    assert_eq!(
        std::fs::read_to_string(&data).unwrap().lines().count(),
        20_000
    );
    let pack = repo().join("policies/demo");
    let from_file = stdout(&goodwill(&[
        "audit",
        pack.to_str().unwrap(),
        "--interactions",
        data.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let demo = stdout(&goodwill(&["audit", "--demo", "--format", "json"]));
    let strip = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v["input"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(&from_file), strip(&demo));
}

#[test]
fn interactions_are_read_from_stdin_given_a_dash() {
    use std::io::Write;
    let pack = repo().join("policies/example");
    let mut child = Command::new(env!("CARGO_BIN_EXE_goodwill"))
        .args([
            "audit",
            pack.to_str().unwrap(),
            "--interactions",
            "-",
            "--format",
            "json",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\": \"a\", \"request\": {\"kind\": \"parking_validation\", \"amount\": 0.6}, \"outcome\": {\"resolution\": \"granted\"}}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["input"]["evaluated"], 1);
    assert_eq!(doc["policies"][0]["waived"], 1);
}

#[test]
fn a_pack_that_does_not_load_is_reported_with_exit_2() {
    let out = goodwill(&["audit", "/nonexistent-pack", "--interactions", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a folder"));
}
