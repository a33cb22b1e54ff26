//! A quick yes for the common shape of an RFC 3339 date-time
//! (`2024-03-01T09:30:00Z`, `2024-03-01T09:30:00.5+02:00`), checked byte by
//! byte with the calendar's ranges. Anything else — another separator, a
//! leap second, lowercase letters, a malformed string — is for chrono to
//! judge: this only saves chrono's parse on the records that are plainly
//! right, and never says yes where chrono says no (`tests`).

/// Whether `s` is plainly a valid RFC 3339 date-time; `false` means "ask
/// chrono", not "invalid".
pub(crate) fn plainly_valid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let num = |from: usize, len: usize| -> Option<u32> {
        let mut n = 0u32;
        for &c in b.get(from..from + len)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0, 4),
        num(5, 2),
        num(8, 2),
        num(11, 2),
        num(14, 2),
        num(17, 2),
    ) else {
        return false;
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return false;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in(year, month) {
        return false;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    let mut at = 19;
    if b[at] == b'.' {
        let digits = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !(1..=9).contains(&digits) {
            return false;
        }
        at += 1 + digits;
    }
    match &b[at..] {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let digits = [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit());
            let hours = u32::from(h1.wrapping_sub(b'0')) * 10 + u32::from(h2.wrapping_sub(b'0'));
            let minutes = u32::from(m1.wrapping_sub(b'0')) * 10 + u32::from(m2.wrapping_sub(b'0'));
            digits && hours <= 23 && minutes <= 59
        }
        _ => false,
    }
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::plainly_valid;

    fn chrono_accepts(s: &str) -> bool {
        chrono::DateTime::parse_from_rfc3339(s).is_ok()
    }

    #[test]
    fn common_forms_are_plainly_valid() {
        for s in [
            "2024-03-01T09:30:00Z",
            "2024-02-29T23:59:59.123456789+14:00",
            "2000-02-29T00:00:00-00:00",
            "1999-12-31T12:00:00.5-08:30",
        ] {
            assert!(plainly_valid(s), "{s}");
            assert!(chrono_accepts(s), "{s}");
        }
    }

    #[test]
    fn anything_unusual_is_left_to_chrono() {
        for s in [
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-03-01t09:30:00z",
            "2024-03-01 09:30:00Z",
            "2024-03-01T23:59:60Z",
            "2024-03-01T09:30:00",
            "2024-03-01T09:30:00.Z",
            "2024-03-01T09:30:00.1234567890Z",
            "2024-03-01T09:30:00+2400",
            "2024-03-01T24:00:00Z",
            "2024-13-01T00:00:00Z",
            "+2024-03-01T09:30:00Z",
            "2024-03-01T09:30:00Zjunk",
        ] {
            assert!(!plainly_valid(s), "{s}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Strings shaped like date-times, with out-of-range and misplaced
        /// parts: a plain yes is always chrono's yes.
        #[test]
        fn plainly_valid_never_accepts_what_chrono_rejects(
            s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,10})?(Z|z|[+-][0-9]{2}:?[0-9]{2})?"
        ) {
            if plainly_valid(&s) {
                prop_assert!(chrono_accepts(&s), "{}", s);
            }
        }

        /// And on well-formed ones within the calendar, it says yes.
        #[test]
        fn plainly_valid_says_yes_to_plain_date_times(
            y in 1000u32..9999, m in 1u32..=12, d in 1u32..=28, h in 0u32..24,
            mi in 0u32..60, sec in 0u32..60, off in prop_oneof![Just("Z".to_string()), "[+-](0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]"],
        ) {
            let s = format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{sec:02}{off}");
            prop_assert!(plainly_valid(&s), "{}", s);
            prop_assert!(chrono_accepts(&s), "{}", s);
        }
    }
}
