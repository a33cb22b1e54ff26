//! The Spark recipe of `integrations/spark/`: its Python test runs the job
//! on a local Spark (`local[2]`) with this build's binary and checks that
//! the audit merged from the partitions' partials equals the single-machine
//! audit byte for byte. Ignored by default (a Spark session takes seconds);
//! scripts/test runs it. Needs pyspark, installed into
//! `integrations/spark/.venv` by `integrations/spark/setup.sh`, and Java.

use std::path::{Path, PathBuf};
use std::process::Command;

fn spark_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../integrations/spark")
}

/// The venv of setup.sh when it exists, else `python3` from PATH.
fn python() -> PathBuf {
    let venv = spark_dir().join(".venv/bin/python");
    if venv.is_file() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

fn has_pyspark(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import pyspark"])
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
#[ignore = "starts a Spark session: run by scripts/test"]
fn spark_job_merges_partials_into_the_single_machine_audit() {
    let python = python();
    if !has_pyspark(&python) {
        // scripts/test installs pyspark and sets this, so CI never skips.
        assert!(
            std::env::var_os("GOODWILL_REQUIRE_SPARK").is_none(),
            "pyspark is required (GOODWILL_REQUIRE_SPARK is set) but `{} -c 'import pyspark'` fails: \
             run integrations/spark/setup.sh",
            python.display()
        );
        println!(
            "SKIPPED: pyspark is not installed (integrations/spark/setup.sh); the Spark recipe was not run"
        );
        return;
    }
    let out = Command::new(&python)
        .arg(spark_dir().join("test_spark_recipe.py"))
        .arg("--goodwill")
        .arg(env!("CARGO_BIN_EXE_goodwill"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run the Spark recipe's test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the Spark recipe's test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}
