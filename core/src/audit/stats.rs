//! Interval estimates for proportions: Wilson's score interval for one
//! proportion, and Newcombe's hybrid score interval (his method 10) for the
//! difference of two independent proportions. Formulas in `docs/ledger.md`.

use serde::Serialize;

/// The normal quantile for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A point estimate with a two-sided 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub point: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// The same estimate times a non-negative constant.
    pub fn scale(self, k: f64) -> Estimate {
        Estimate {
            point: self.point * k,
            low: self.low * k,
            high: self.high * k,
        }
    }
}

/// Wilson's score interval for `successes` out of `trials`; `None` when
/// there are no trials.
pub fn wilson(successes: u64, trials: u64) -> Option<Estimate> {
    if trials == 0 || successes > trials {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 and at n the exact bounds are 0 and 1; rounding would miss them.
    Some(Estimate {
        point: p,
        low: if successes == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        high: if successes == trials {
            1.0
        } else {
            (centre + half).min(1.0)
        },
    })
}

/// Newcombe's interval for `p1 - p2`, built from the two Wilson intervals;
/// `None` when either group is empty.
pub fn newcombe_difference(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<Estimate> {
    let a = wilson(x1, n1)?;
    let b = wilson(x2, n2)?;
    let d = a.point - b.point;
    let below = ((a.point - a.low).powi(2) + (b.high - b.point).powi(2)).sqrt();
    let above = ((a.high - a.point).powi(2) + (b.point - b.low).powi(2)).sqrt();
    Some(Estimate {
        point: d,
        low: d - below,
        high: d + above,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-4
    }

    #[test]
    fn wilson_matches_newcombe_1998_example() {
        // Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263.
        let e = wilson(81, 263).unwrap();
        assert!(close(e.low, 0.2553) && close(e.high, 0.3662), "{e:?}");
    }

    #[test]
    fn wilson_stays_inside_zero_and_one() {
        let e = wilson(0, 10).unwrap();
        assert_eq!(e.low, 0.0);
        assert!(close(e.high, 0.2775), "{e:?}");
        let e = wilson(10, 10).unwrap();
        assert_eq!(e.high, 1.0);
    }

    #[test]
    fn newcombe_matches_the_published_difference_example() {
        // Newcombe (1998b), Statistics in Medicine 17:873, example (a):
        // 56/70 - 48/80 = 0.2, method 10 interval 0.0524 to 0.3339.
        let e = newcombe_difference(56, 70, 48, 80).unwrap();
        assert!(close(e.point, 0.2), "{e:?}");
        assert!(close(e.low, 0.0524) && close(e.high, 0.3339), "{e:?}");
    }

    #[test]
    fn newcombe_needs_both_groups() {
        assert_eq!(newcombe_difference(1, 10, 0, 0), None);
        assert_eq!(wilson(3, 2), None);
    }
}
