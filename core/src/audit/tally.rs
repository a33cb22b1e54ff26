//! Sufficient statistics of an audit: counts and fixed-point sums only, so
//! that two partial tallies merge exactly, whatever the order (the merge is
//! commutative and associative, which parallel evaluation relies on).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Money and other amounts summed exactly: millionths of a unit in an
/// `i128`. Float sums would depend on the order records arrive in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Micros(pub i128);

impl Micros {
    /// `None` for NaN or infinities, which no sum can hold.
    pub fn from_f64(v: f64) -> Option<Micros> {
        if !v.is_finite() || v.abs() > 1e18 {
            return None;
        }
        Some(Micros((v * 1e6).round() as i128))
    }

    pub fn to_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
}

impl std::fmt::Display for Micros {
    /// A decimal with six places: `-12.500000`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
    }
}

impl std::str::FromStr for Micros {
    type Err = String;

    /// Reads what [`Display`](std::fmt::Display) writes: an optional `-`,
    /// digits, and up to six decimals.
    fn from_str(s: &str) -> Result<Micros, String> {
        let bad = || format!("`{s}` is not an amount with at most six decimals");
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !all_digits(int) || !all_digits(frac) || frac.len() > 6 {
            return Err(bad());
        }
        let int: i128 = int.parse().map_err(|_| bad())?;
        let frac: i128 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
        let v = int
            .checked_mul(1_000_000)
            .and_then(|v| v.checked_add(frac))
            .ok_or_else(bad)?;
        Ok(Micros(if neg { -v } else { v }))
    }
}

/// Amounts travel as decimal strings: exact, and readable by any JSON
/// parser (an `i128` of millionths is not).
impl Serialize for Micros {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Micros {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Micros, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl std::ops::AddAssign for Micros {
    fn add_assign(&mut self, rhs: Micros) {
        self.0 += rhs.0;
    }
}

/// What happened to the customers of one arm (enforced, or waived).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmTally {
    pub interactions: u64,
    /// Interactions that record `churned`, and how many of them churned.
    pub churn_known: u64,
    pub churned: u64,
    pub complaint_known: u64,
    pub complaints: u64,
    pub csat_responses: u64,
    pub csat_sum: u64,
    pub nps_responses: u64,
    pub detractors: u64,
    pub promoters: u64,
    /// Sum of the customers' values (recorded, or the pack's default).
    pub customer_value: Micros,
}

impl ArmTally {
    pub fn merge(&mut self, o: &ArmTally) {
        self.interactions += o.interactions;
        self.churn_known += o.churn_known;
        self.churned += o.churned;
        self.complaint_known += o.complaint_known;
        self.complaints += o.complaints;
        self.csat_responses += o.csat_responses;
        self.csat_sum += o.csat_sum;
        self.nps_responses += o.nps_responses;
        self.detractors += o.detractors;
        self.promoters += o.promoters;
        self.customer_value += o.customer_value;
    }
}

/// An expression that failed: how often, and the first failure in record
/// order (smallest source name, then line), as an example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorTally {
    pub count: u64,
    pub first: ErrorExample,
}

/// One failure of an expression. Ordered by where the record was read, so
/// the example kept does not depend on how the input was split.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorExample {
    pub source: String,
    pub line: u64,
    pub interaction: String,
    pub message: String,
}

/// One policy's tally.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyTally {
    pub applied: u64,
    pub enforced: ArmTally,
    pub waived: ArmTally,
    /// Enforcements whose benefit evaluated, and the sum.
    pub benefit_evaluated: u64,
    pub benefit: Micros,
    /// Findings per check id.
    pub findings: BTreeMap<String, u64>,
    /// Failures per expression (`applies`, `benefit`, `checks.x.when`).
    pub errors: BTreeMap<String, ErrorTally>,
}

impl PolicyTally {
    pub fn merge(&mut self, o: &PolicyTally) {
        self.applied += o.applied;
        self.enforced.merge(&o.enforced);
        self.waived.merge(&o.waived);
        self.benefit_evaluated += o.benefit_evaluated;
        self.benefit += o.benefit;
        for (k, v) in &o.findings {
            *self.findings.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.errors {
            match self.errors.get_mut(k) {
                Some(mine) => {
                    mine.count += v.count;
                    if v.first < mine.first {
                        mine.first = v.first.clone();
                    }
                }
                None => {
                    self.errors.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

/// Keeps the `limit` smallest items under their total order; merging two
/// keeps the `limit` smallest of both, so the result does not depend on
/// how the input was split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smallest<T: Ord> {
    limit: usize,
    items: Vec<T>,
}

impl<T: Ord> Smallest<T> {
    pub fn new(limit: usize) -> Self {
        Smallest {
            limit,
            items: Vec::new(),
        }
    }

    pub fn push(&mut self, item: T) {
        if self.limit == 0 {
            return;
        }
        if self.items.len() == self.limit {
            if self.items.last().is_some_and(|worst| &item >= worst) {
                return;
            }
            self.items.pop();
        }
        let at = self.items.partition_point(|x| x < &item);
        self.items.insert(at, item);
    }

    pub fn merge(&mut self, other: Smallest<T>) {
        for item in other.items {
            self.push(item);
        }
    }

    /// Keeps the `limit` smallest of `items`, whatever their order.
    pub fn from_items(limit: usize, items: impl IntoIterator<Item = T>) -> Self {
        let mut s = Smallest::new(limit);
        for item in items {
            s.push(item);
        }
        s
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn items(&self) -> &[T] {
        &self.items
    }

    pub fn into_sorted(self) -> Vec<T> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_sum_exactly_in_any_order() {
        let vals = [0.1, 0.2, 0.3, 1e9, -1e9];
        let mut a = Micros::default();
        for v in vals {
            a += Micros::from_f64(v).unwrap();
        }
        let mut b = Micros::default();
        for v in vals.iter().rev() {
            b += Micros::from_f64(*v).unwrap();
        }
        assert_eq!(a, b);
        assert_eq!(a.to_f64(), 0.6);
        assert_eq!(Micros::from_f64(f64::NAN), None);
    }

    #[test]
    fn micros_read_back_exactly_what_they_write() {
        for v in [
            0,
            1,
            -1,
            999_999,
            -1_000_000,
            123_456_789_012,
            i128::from(i64::MAX) * 1000,
        ] {
            let m = Micros(v);
            assert_eq!(m.to_string().parse::<Micros>(), Ok(m), "{m}");
        }
        assert_eq!(Micros(-12_500_000).to_string(), "-12.500000");
        assert_eq!("3.5".parse::<Micros>(), Ok(Micros(3_500_000)));
        assert_eq!("7".parse::<Micros>(), Ok(Micros(7_000_000)));
        for bad in ["", "-", "1.2345678", "1e3", "+1", "1.-2", "--1", "1.2.3"] {
            assert!(bad.parse::<Micros>().is_err(), "{bad}");
        }
    }

    #[test]
    fn smallest_keeps_the_same_items_however_the_input_is_split() {
        let items: Vec<u32> = (0..50).map(|i| (i * 37) % 101).collect();
        let mut whole = Smallest::new(5);
        items.iter().for_each(|&i| whole.push(i));
        let (l, r) = items.split_at(17);
        let mut a = Smallest::new(5);
        l.iter().for_each(|&i| a.push(i));
        let mut b = Smallest::new(5);
        r.iter().for_each(|&i| b.push(i));
        b.merge(a);
        assert_eq!(whole.into_sorted(), b.into_sorted());
    }
}
