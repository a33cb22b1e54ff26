//! Sufficient statistics of an audit: counts and fixed-point sums only, so
//! that two partial tallies merge exactly, whatever the order (the merge is
//! commutative and associative, which parallel evaluation relies on).

use std::collections::BTreeMap;

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

impl std::ops::AddAssign for Micros {
    fn add_assign(&mut self, rhs: Micros) {
        self.0 += rhs.0;
    }
}

/// What happened to the customers of one arm (enforced, or waived).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
/// order (smallest origin), as an example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorTally {
    pub count: u64,
    pub example: (OriginKey, String, String),
}

/// Orders records across inputs: the input's position on the command line,
/// then the line.
pub type OriginKey = (usize, u64);

/// One policy's tally.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
                    if v.example < mine.example {
                        mine.example = v.example.clone();
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
