//! A finding's fingerprint: rule, policy and a hash of the fields the rule
//! read (paths without array indices, and values), so a baseline survives
//! edits that move lines or reorder tables, and a real change to what the
//! policy says makes the finding new again.

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

/// `GW004:policy-id:0123456789abcdef`.
pub fn of(rule: &str, policy: &str, evidence: &[(String, Json)]) -> String {
    let mut hasher = Sha256::new();
    for (path, value) in evidence {
        let path: Vec<&str> = path
            .split('.')
            .filter(|seg| seg.parse::<usize>().is_err())
            .collect();
        hasher.update(path.join(".").as_bytes());
        hasher.update(b"=");
        // serde_json keeps object keys sorted (no `preserve_order`), so this
        // text is canonical.
        hasher.update(value.to_string().as_bytes());
        hasher.update(b"\n");
    }
    let digest = hasher.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{rule}:{policy}:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn array_indices_do_not_change_the_fingerprint() {
        let a = of("GW005", "p", &[("promises.0.what".into(), json!("x"))]);
        let b = of("GW005", "p", &[("promises.3.what".into(), json!("x"))]);
        assert_eq!(a, b);
    }

    #[test]
    fn a_changed_value_changes_the_fingerprint() {
        let a = of("GW002", "p", &[("fees.0.amount".into(), json!(5.0))]);
        let b = of("GW002", "p", &[("fees.0.amount".into(), json!(6.0))]);
        assert_ne!(a, b);
        assert!(a.starts_with("GW002:p:"));
    }
}
