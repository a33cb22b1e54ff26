//! No input makes the loader or the CEL compiler panic: arbitrary text as a
//! policy file, a manifest or an expression always ends in a value or in
//! diagnostics.

use std::fs;

use proptest::prelude::*;

const MANIFEST: &str = "[pack]\nname = \"p\"\n";

fn pack_with_policy(policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("goodwill.toml"), MANIFEST).unwrap();
    fs::create_dir(dir.path().join("policies")).unwrap();
    fs::write(dir.path().join("policies/p.toml"), policy).unwrap();
    dir
}

/// Text that looks like a policy file: known keys, TOML punctuation, CEL
/// operators, so the fuzzing reaches past the TOML parser.
fn policyish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "id = \"a\"\n",
        "title = \"t\"\n",
        "applies = \"",
        "\"\n",
        "[[checks]]\n",
        "[[tests]]\n",
        "when = '",
        "'\n",
        "message = \"{",
        "}\"\n",
        "customer.",
        "lifetime_value",
        " && ",
        " || ",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "'",
        "\"",
        "\\",
        "\n",
        "=",
        ".",
        "1e999",
        "-0",
        "é",
        "\u{0}",
        "severity = \"error\"\n",
        "level = \"accuracy\"\n",
        "interaction = {",
        "raises = [\"x\"]\n",
        "has(",
        "size(",
        "x.exists(y, y",
        "\"\"\"",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_policy_text_loads_or_reports_diagnostics(text in "\\PC{0,200}") {
        let dir = pack_with_policy(&text);
        if let Err(e) = goodwill_core::load(dir.path()) {
            prop_assert!(!e.diagnostics.is_empty());
        }
    }

    #[test]
    fn policy_shaped_text_loads_or_reports_positioned_diagnostics(text in policyish()) {
        let dir = pack_with_policy(&text);
        if let Err(e) = goodwill_core::load(dir.path()) {
            prop_assert!(!e.diagnostics.is_empty());
            for d in &e.diagnostics {
                prop_assert!(d.location.is_some(), "no position for {}", d.message);
            }
        }
    }

    #[test]
    fn arbitrary_expressions_compile_or_report_spans_inside_them(src in "\\PC{0,80}") {
        if let Err(errors) = goodwill_core::cel::compile(&src) {
            for e in errors {
                prop_assert!(e.span.end <= src.len());
                prop_assert!(src.is_char_boundary(e.span.start));
            }
        }
    }
}
