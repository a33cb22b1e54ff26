//! Text from an export converted to a field's type: `"Yes"` to `true`,
//! `"$1,234.50"` to `1234.5`, `"03/01/2024 09:30"` in a declared zone to
//! RFC 3339. A value that does not convert is an error, never a null.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde_json::Value as Json;

use crate::fields::{FieldDef, FieldType};

/// How one field converts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Conversion<'a> {
    pub def: &'a FieldDef,
    pub format: Option<&'a str>,
    pub zone: Option<Tz>,
}

impl Conversion<'_> {
    /// Converts text (a CSV cell, or a JSON string under `[mapping]`).
    pub fn text(&self, text: &str) -> Result<Json, String> {
        let t = text.trim();
        match self.def.ty {
            FieldType::String => Ok(Json::String(t.to_string())),
            FieldType::Bool => parse_bool(t)
                .map(Json::Bool)
                .ok_or_else(|| self.wrong("`yes`/`no`, `true`/`false` or `1`/`0`", t)),
            FieldType::Int => parse_number(t)
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| Json::from(f as i64))
                .ok_or_else(|| self.wrong("a whole number", t)),
            FieldType::Double => parse_number(t)
                .and_then(serde_json::Number::from_f64)
                .map(Json::Number)
                .ok_or_else(|| self.wrong("a number", t)),
            FieldType::Timestamp => self.timestamp(t).map(Json::String),
            FieldType::StringList => Ok(Json::Array(
                t.split([',', ';'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Json::String(s.to_string()))
                    .collect(),
            )),
        }
    }

    /// Converts a JSON value of a mapped field: strings as text, numbers
    /// to strings for string fields and `0`/`1` to booleans; anything else
    /// is left for the field's type check.
    pub fn json(&self, value: Json) -> Result<Json, String> {
        match (value, self.def.ty) {
            (Json::String(s), _) => self.text(&s),
            (Json::Number(n), FieldType::String) => Ok(Json::String(n.to_string())),
            (Json::Number(n), FieldType::Bool) => match n.as_u64() {
                Some(0) => Ok(Json::Bool(false)),
                Some(1) => Ok(Json::Bool(true)),
                _ => Err(self.wrong("`yes`/`no`, `true`/`false` or `1`/`0`", &n.to_string())),
            },
            (other, _) => Ok(other),
        }
    }

    fn wrong(&self, expected: &str, found: &str) -> String {
        format!(
            "`{}` must be {expected}, found `{}`",
            self.def.path,
            shorten(found)
        )
    }

    fn timestamp(&self, t: &str) -> Result<String, String> {
        if let Some(fmt) = self.format {
            if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
                return Ok(dt.to_rfc3339());
            }
            let naive = NaiveDateTime::parse_from_str(t, fmt).ok().or_else(|| {
                NaiveDate::parse_from_str(t, fmt)
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            });
            return match naive {
                Some(n) => self.localize(t, n),
                None => Err(format!(
                    "`{}` must be a date-time in the format `{fmt}`, found `{}`",
                    self.def.path,
                    shorten(t)
                )),
            };
        }
        if DateTime::parse_from_rfc3339(t).is_ok() {
            return Ok(t.to_string());
        }
        for fmt in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%:z"] {
            if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
                return Ok(dt.to_rfc3339());
            }
        }
        for fmt in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
                return self.localize(t, n);
            }
        }
        if let Some(n) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
        {
            return self.localize(t, n);
        }
        Err(format!(
            "`{}` must be a date-time like `2024-03-01T09:30:00Z`, found `{}`",
            self.def.path,
            shorten(t)
        ))
    }

    fn localize(&self, t: &str, naive: NaiveDateTime) -> Result<String, String> {
        let Some(zone) = self.zone else {
            return Err(format!(
                "`{}` has a date-time without a zone, `{}`: declare the export's zone in `[mapping] timezone`",
                self.def.path,
                shorten(t)
            ));
        };
        zone.from_local_datetime(&naive)
            .earliest()
            .map(|dt| dt.fixed_offset().to_rfc3339())
            .ok_or_else(|| {
                format!(
                    "`{}` is `{}`, a time that does not exist in `{zone}` (a daylight-saving gap)",
                    self.def.path,
                    shorten(t)
                )
            })
    }
}

fn parse_bool(t: &str) -> Option<bool> {
    match t.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "t" | "1" => Some(true),
        "no" | "n" | "false" | "f" | "0" => Some(false),
        _ => None,
    }
}

/// `1,234.50`, `$12`, `12 €`, `USD 40`, `(5.00)`, `-3`: a number with
/// currency signs and thousands separators.
pub(super) fn parse_number(t: &str) -> Option<f64> {
    let mut s = t.trim();
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    let is_currency = |c: char| matches!(c, '$' | '€' | '£' | '¥' | '₹' | '₽' | '₩' | '₺');
    let s = s.trim_matches(|c: char| is_currency(c) || c.is_whitespace());
    // A three-letter currency code on either side.
    let s = strip_code(s);
    let s = s.trim_matches(|c: char| is_currency(c) || c.is_whitespace());
    let (s, minus) = match s.strip_prefix('-') {
        Some(rest) => (rest.trim_start_matches(is_currency), true),
        None => (s, false),
    };
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let mut digits = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' | '.' | 'e' | 'E' | '+' | '-' => digits.push(c),
            ',' | '_' | ' ' | '\u{a0}' | '\u{202f}' | '\'' => {}
            _ => return None,
        }
    }
    let v: f64 = digits.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(if negative ^ minus { -v } else { v })
}

fn strip_code(s: &str) -> &str {
    let is_code = |c: &str| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase());
    if let Some((head, tail)) = s.split_once(char::is_whitespace)
        && is_code(head)
    {
        return tail.trim();
    }
    if let Some((head, tail)) = s.rsplit_once(char::is_whitespace)
        && is_code(tail)
    {
        return head.trim();
    }
    s
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        s.chars().take(37).collect::<String>() + "..."
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::FieldCatalog;

    fn conv(
        path: &str,
        text: &str,
        zone: Option<Tz>,
        format: Option<&str>,
    ) -> Result<Json, String> {
        let cat = FieldCatalog::canonical();
        let def = cat.get(path).unwrap().clone();
        Conversion {
            def: &def,
            format,
            zone,
        }
        .text(text)
    }

    #[test]
    fn yes_no_and_one_zero_become_booleans() {
        assert_eq!(conv("complaint", "Yes", None, None), Ok(Json::Bool(true)));
        assert_eq!(conv("complaint", "no", None, None), Ok(Json::Bool(false)));
        assert_eq!(conv("complaint", "TRUE", None, None), Ok(Json::Bool(true)));
        assert_eq!(conv("complaint", "0", None, None), Ok(Json::Bool(false)));
        assert!(conv("complaint", "maybe", None, None).is_err());
    }

    #[test]
    fn money_with_symbols_and_separators_becomes_a_number() {
        assert_eq!(parse_number("$1,234.50"), Some(1234.5));
        assert_eq!(parse_number("12 €"), Some(12.0));
        assert_eq!(parse_number("USD 40"), Some(40.0));
        assert_eq!(parse_number("(5.00)"), Some(-5.0));
        assert_eq!(parse_number("-$3"), Some(-3.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn whole_number_field_refuses_a_fraction() {
        assert!(conv("contacts", "2.5", None, None).is_err());
        assert_eq!(conv("contacts", "1,200", None, None), Ok(Json::from(1200)));
    }

    #[test]
    fn zoneless_date_time_is_placed_in_the_declared_zone() {
        let got = conv(
            "at",
            "03/01/2024 09:30",
            Some(chrono_tz::Europe::Tallinn),
            Some("%m/%d/%Y %H:%M"),
        );
        assert_eq!(got, Ok(Json::String("2024-03-01T09:30:00+02:00".into())));
    }

    #[test]
    fn zoneless_date_time_without_a_declared_zone_is_an_error() {
        let err = conv("at", "2024-03-01 09:30", None, None).unwrap_err();
        assert!(err.contains("timezone"), "{err}");
    }

    #[test]
    fn rfc3339_passes_unchanged() {
        assert_eq!(
            conv("at", "2024-03-01T09:30:00Z", None, None),
            Ok(Json::String("2024-03-01T09:30:00Z".into()))
        );
    }
}
