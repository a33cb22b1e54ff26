//! A goodwill policy plugin in Rust: promise keeping.
//!
//! "Do what you say, when you say, how you say, at the price you promised."
//! For every interaction that records a promise, it checks the date (was it
//! delivered by `promise.due`?), the price (was `promise.charged_price` at
//! most `promise.quoted_price`?) and the manner (was it delivered the way
//! promised: `promise.manner` against `promise.delivered_manner`, two string
//! fields a pack declares).
//!
//! The company "enforces" this policy against the customer when it breaks
//! the promise; its benefit is what it charged above the quote.

use std::cell::RefCell;

use serde_json::{Map, Value};

wit_bindgen::generate!({
    path: "../../wit",
    world: "plugin",
});

use exports::goodwill::policy::policy::Guest;
use goodwill::policy::types::{
    CheckDoc, Description, Evaluation, Finding, Level, Promise, Remedy, RemedyKind, Severity,
};

/// What `goodwill.toml` can set in the plugin's `config` table.
struct Config {
    /// Hours of lateness forgiven (default 0).
    grace_hours: f64,
    /// Overcharge forgiven, in the pack's currency (default 0.005).
    price_tolerance: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            grace_hours: 0.0,
            price_tolerance: 0.005,
        }
    }
}

thread_local! {
    static CONFIG: RefCell<Config> = RefCell::new(Config::default());
}

struct PromiseKeeping;

impl Guest for PromiseKeeping {
    fn describe() -> Description {
        let check = |id: &str, severity, level, description: &str| CheckDoc {
            id: id.to_string(),
            severity,
            level,
            description: description.to_string(),
        };
        Description {
            id: "promise-keeping".to_string(),
            title: "Promises are kept: date, price and manner".to_string(),
            owner: Some("customer experience".to_string()),
            summary: Some(
                "What an agent promises a customer (a date, a price, a way of delivering) \
                 is what the company does."
                    .to_string(),
            ),
            levels: vec![Level::Accuracy, Level::Partnership],
            fees: vec![],
            windows: vec![],
            exception: None,
            promises: vec![Promise {
                what: "delivery on the promised date, at the quoted price, in the promised manner"
                    .to_string(),
                by: Some("the date the agent gives".to_string()),
                owner: Some("the agent who made the promise".to_string()),
            }],
            third_parties: vec![],
            complaints: None,
            jurisdiction: None,
            requires_purchase: None,
            signup: None,
            cancellation: None,
            // Charging above the quote leaves the customer owed the difference,
            // and a broken promise is the company's own failure.
            money_owed: Some(true),
            company_fault: Some(true),
            remedies: vec![
                Remedy {
                    kind: RemedyKind::Refund,
                    on_request_only: Some(false),
                    tiers: vec![],
                    description: Some("what was charged above the quoted price".to_string()),
                },
                Remedy {
                    kind: RemedyKind::Apology,
                    on_request_only: Some(false),
                    tiers: vec![],
                    description: Some("for a late delivery or a changed manner".to_string()),
                },
            ],
            refusals: vec![],
            automation: None,
            pricing: None,
            checks: vec![
                check(
                    "promise-late",
                    Severity::Error,
                    Level::Accuracy,
                    "Delivered after the promised date, or not at all by the time of the interaction.",
                ),
                check(
                    "price-above-quote",
                    Severity::Error,
                    Level::Accuracy,
                    "Charged more than the price quoted when the promise was made.",
                ),
                check(
                    "manner-changed",
                    Severity::Warning,
                    Level::Partnership,
                    "Delivered in another way than promised (pickup instead of home delivery, e-mail instead of a call).",
                ),
            ],
        }
    }

    fn configure(config: String) -> Result<(), String> {
        let value: Value =
            serde_json::from_str(&config).map_err(|e| format!("config is not JSON: {e}"))?;
        let table = value.as_object().ok_or("config is not a table")?;
        let mut parsed = Config::default();
        for (key, v) in table {
            let number = v
                .as_f64()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| format!("`{key}` must be a number, at least 0"))?;
            match key.as_str() {
                "grace_hours" => parsed.grace_hours = number,
                "price_tolerance" => parsed.price_tolerance = number,
                other => {
                    return Err(format!(
                        "unknown setting `{other}` (expected `grace_hours` or `price_tolerance`)"
                    ))
                }
            }
        }
        CONFIG.with(|c| *c.borrow_mut() = parsed);
        Ok(())
    }

    fn evaluate(interaction: String) -> Result<Evaluation, String> {
        let record: Value =
            serde_json::from_str(&interaction).map_err(|e| format!("not JSON: {e}"))?;
        let record = record.as_object().ok_or("the interaction is not an object")?;
        CONFIG.with(|c| evaluate(record, &c.borrow()))
    }
}

fn evaluate(record: &Map<String, Value>, config: &Config) -> Result<Evaluation, String> {
    let Some(promise) = record.get("promise").and_then(Value::as_object) else {
        return Ok(not_applicable());
    };
    let due = timestamp(promise, "due")?;
    let quoted = number(promise, "quoted_price")?;
    let manner = text(promise, "manner")?;
    if due.is_none() && quoted.is_none() && manner.is_none() {
        return Ok(not_applicable());
    }
    let mut findings = Vec::new();
    let mut benefit = None;

    if let Some((due_text, due_secs)) = due {
        let delivered = timestamp(promise, "delivered_at")?;
        let now = timestamp(record, "at")?;
        let grace = config.grace_hours * 3600.0;
        match (delivered, now) {
            (Some((when, secs)), _) if secs as f64 > due_secs as f64 + grace => {
                findings.push(Finding {
                    check_id: "promise-late".to_string(),
                    message: format!(
                        "promised by {due_text}, delivered {when}: {} late",
                        lateness(secs - due_secs)
                    ),
                    evidence: vec![
                        ("promise.due".to_string(), json_string(&due_text)),
                        ("promise.delivered_at".to_string(), json_string(&when)),
                    ],
                });
            }
            (None, Some((at, secs))) if secs as f64 > due_secs as f64 + grace => {
                findings.push(Finding {
                    check_id: "promise-late".to_string(),
                    message: format!(
                        "promised by {due_text}, still not delivered at {at}: {} late",
                        lateness(secs - due_secs)
                    ),
                    evidence: vec![
                        ("promise.due".to_string(), json_string(&due_text)),
                        ("at".to_string(), json_string(&at)),
                    ],
                });
            }
            _ => {}
        }
    }

    if let (Some(quoted), Some(charged)) = (quoted, number(promise, "charged_price")?) {
        let over = charged - quoted;
        if over > config.price_tolerance {
            benefit = Some(round_cents(over));
            findings.push(Finding {
                check_id: "price-above-quote".to_string(),
                message: format!("quoted {quoted:.2}, charged {charged:.2}: {over:.2} more"),
                evidence: vec![
                    ("promise.quoted_price".to_string(), quoted.to_string()),
                    ("promise.charged_price".to_string(), charged.to_string()),
                ],
            });
        }
    }

    if let (Some(promised), Some(delivered)) = (manner, text(promise, "delivered_manner")?) {
        if !promised.trim().eq_ignore_ascii_case(delivered.trim()) {
            findings.push(Finding {
                check_id: "manner-changed".to_string(),
                message: format!("promised {promised}, delivered as {delivered}"),
                evidence: vec![
                    ("promise.manner".to_string(), json_string(promised)),
                    ("promise.delivered_manner".to_string(), json_string(delivered)),
                ],
            });
        }
    }

    let enforced = !findings.is_empty();
    Ok(Evaluation {
        applies: true,
        enforced,
        benefit: if enforced { Some(benefit.unwrap_or(0.0)) } else { None },
        findings,
    })
}

fn not_applicable() -> Evaluation {
    Evaluation {
        applies: false,
        enforced: false,
        benefit: None,
        findings: vec![],
    }
}

fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("`{key}` should be a string, found {other}")),
    }
}

fn number(obj: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("`{key}` should be a number, found {v}")),
    }
}

/// The field as written and as seconds since 1970-01-01T00:00:00Z.
fn timestamp(obj: &Map<String, Value>, key: &str) -> Result<Option<(String, i64)>, String> {
    let Some(s) = text(obj, key)? else {
        return Ok(None);
    };
    parse_rfc3339(s)
        .map(|secs| Some((s.to_string(), secs)))
        .ok_or_else(|| format!("`{key}` is not an RFC 3339 date or date-time: `{s}`"))
}

/// `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and `Z` or
/// `±HH:MM`; a date alone is the end of that day (a promise "by the 3rd"
/// is kept on the 3rd).
fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = days_from_civil(y, m, d) * 86_400;
    if b.len() == 10 {
        return Some(day + 86_399);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return None;
    }
    let (hh, mm) = (digits(11, 2)?, digits(14, 2)?);
    let mut i = 16;
    let mut ss = 0;
    if b.get(i) == Some(&b':') {
        ss = digits(17, 2)?;
        i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if b.len() == i + 1 => 0,
        Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && b.get(i + 3) == Some(&b':') => {
            let off = digits(i + 1, 2)? * 3600 + digits(i + 4, 2)? * 60;
            if *sign == b'+' { off } else { -off }
        }
        None => 0,
        _ => return None,
    };
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(day + hh * 3600 + mm * 60 + ss - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn lateness(secs: i64) -> String {
    let hours = secs / 3600;
    if hours >= 48 {
        format!("{} days", hours / 24)
    } else if hours >= 1 {
        format!("{hours} h")
    } else {
        format!("{} min", (secs / 60).max(1))
    }
}

fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn json_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

export!(PromiseKeeping);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_alone_is_the_end_of_that_day() {
        assert_eq!(parse_rfc3339("1970-01-01"), Some(86_399));
        assert_eq!(parse_rfc3339("1970-01-02T00:00:00Z"), Some(86_400));
        assert_eq!(parse_rfc3339("1970-01-02T02:00:00+02:00"), Some(86_400));
        assert_eq!(parse_rfc3339("2024-02-30x"), None);
    }
}
