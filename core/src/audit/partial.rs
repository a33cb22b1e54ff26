//! Partial audits: the audit's sufficient statistics over part of the
//! records, as a versioned JSON document that carries the pack's
//! fingerprint. `goodwill eval --partial` writes one per machine (or Spark
//! partition), `goodwill merge` combines any number in any order, and
//! `goodwill audit --from-partials` renders the report, which equals the
//! single-machine audit of the same records byte for byte. The format is in
//! `docs/partial-format.md`.
//!
//! Everything in a partial is a count, an exact decimal or a float written
//! as its shortest round-trip text, so nothing is lost in transit: a JSON
//! parser may read a number like `0.30000000000000004` one unit off, and a
//! report must not depend on that.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ledger::{Moment, Rejection};
use super::tally::{PolicyTally, Smallest};
use super::{AuditBuilder, AuditStats, AuditedPolicy, MomentEntry, REJECTIONS_SHOWN};
use crate::pack::Pack;

/// The value of a partial's `format` key.
pub const FORMAT: &str = "goodwill-audit-partial";
/// The version of the format this build reads and writes. A change that an
/// older reader would misread bumps it.
pub const VERSION: u32 = 1;

/// One partial audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partial {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written by this build.
    pub version: u32,
    /// The goodwill that wrote it, for the curious: `goodwill 0.1.0`.
    pub generator: String,
    pub pack: PackIdentity,
    /// How many moments of truth the partial keeps.
    pub moments_limit: usize,
    /// Records read, rejected ones included.
    pub records: u64,
    pub rejected: u64,
    /// The first rejections by source and line (at most 20).
    pub rejections: Vec<Rejection>,
    /// One per policy, in the pack's order.
    pub policies: Vec<PolicyPartial>,
    /// The costliest moments of truth, costliest first.
    pub moments_of_truth: Vec<MomentText>,
}

/// Which pack a partial was computed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackIdentity {
    pub name: String,
    /// `sha256:` and the hex digest of the pack's files; see
    /// [`fingerprint`].
    pub fingerprint: String,
}

/// One policy's statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyPartial {
    pub id: String,
    pub tally: PolicyTally,
}

/// A moment of truth with its amounts as shortest round-trip decimal text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MomentText {
    pub policy: String,
    pub interaction: String,
    pub customer: Option<String>,
    pub channel: Option<String>,
    pub stake: String,
    pub customer_value: String,
    pub net_loss: String,
    pub complaint: Option<bool>,
    pub nps: Option<i64>,
    pub evidence: Vec<String>,
}

/// A partial that cannot be read or combined.
#[derive(Debug, thiserror::Error)]
pub enum PartialError {
    #[error("`{name}` is not a goodwill partial audit: {reason}")]
    NotAPartial { name: String, reason: String },
    #[error(
        "`{name}` is a partial audit of format version {found}; this goodwill reads version {VERSION}"
    )]
    Version { name: String, found: u64 },
    #[error("`{name}` is a damaged partial audit: {reason}")]
    Damaged { name: String, reason: String },
    #[error("{0}")]
    DifferentPack(Box<PackMismatch>),
    #[error("no partial audits to merge")]
    Empty,
}

/// A partial computed with another pack than the one it is combined with.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{name}` was computed with pack `{pack}` ({fingerprint}), not with the pack of `{other}` (`{other_pack}`, {other_fingerprint})"
)]
pub struct PackMismatch {
    pub name: String,
    pub pack: String,
    pub fingerprint: String,
    /// The partial or pack folder it was compared with.
    pub other: String,
    pub other_pack: String,
    pub other_fingerprint: String,
}

impl PartialError {
    /// One line on what to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            PartialError::NotAPartial { .. } => {
                "partials are written by `goodwill eval PACK FILE... --partial OUT` or `goodwill merge`"
            }
            PartialError::Version { .. } => {
                "merge and render partials with the goodwill release that wrote them"
            }
            PartialError::Damaged { .. } => {
                "write the partial again with `goodwill eval --partial`; do not edit partials by hand"
            }
            PartialError::DifferentPack(_) => {
                "every partial of one audit must be computed with the same pack files, byte for byte"
            }
            PartialError::Empty => "name at least one partial",
        }
    }
}

/// The pack's fingerprint: SHA-256 over `goodwill.toml`, each policy file
/// (by policy id, so the folder the pack sits in does not matter) and each
/// plugin's component. Two packs with the same fingerprint evaluate the same
/// way.
pub fn fingerprint(pack: &Pack) -> String {
    let mut h = Sha256::new();
    let mut part = |label: &str, bytes: &[u8]| {
        h.update((label.len() as u64).to_le_bytes());
        h.update(label.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part("goodwill.toml", pack.manifest_file.text.as_bytes());
    let mut policies: Vec<_> = pack.policies.iter().collect();
    policies.sort_by(|a, b| a.id().cmp(b.id()));
    for p in policies {
        part(&format!("policy {}", p.id()), p.file.text.as_bytes());
    }
    for entry in &pack.manifest.plugins {
        match std::fs::read(pack.root.join(&entry.path)) {
            Ok(bytes) => part(&format!("plugin {}", entry.path), &bytes),
            Err(_) => part(&format!("unreadable plugin {}", entry.path), &[]),
        }
    }
    let digest = h.finalize();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

fn identity(pack: &Pack) -> PackIdentity {
    PackIdentity {
        name: pack.manifest.pack.name.clone(),
        fingerprint: fingerprint(pack),
    }
}

fn generator() -> String {
    format!("goodwill {}", env!("CARGO_PKG_VERSION"))
}

impl AuditBuilder<'_> {
    /// This builder's statistics as a partial audit.
    pub fn to_partial(&self) -> Partial {
        Partial::assemble(
            identity(self.pack),
            generator(),
            self.policies.iter().map(|p| p.id.clone()).collect(),
            self.stats.clone(),
        )
    }
}

impl Partial {
    /// A partial of `stats`, whose policies are `ids` in order.
    fn assemble(
        pack: PackIdentity,
        generator: String,
        ids: Vec<String>,
        stats: AuditStats,
    ) -> Partial {
        Partial {
            format: FORMAT.to_string(),
            version: VERSION,
            generator,
            pack,
            moments_limit: stats.moments.limit(),
            records: stats.records,
            rejected: stats.rejected,
            rejections: stats.rejections.into_sorted(),
            policies: ids
                .into_iter()
                .zip(stats.policies)
                .map(|(id, tally)| PolicyPartial { id, tally })
                .collect(),
            moments_of_truth: stats
                .moments
                .into_sorted()
                .iter()
                .map(|e| MomentText::from(e.moment()))
                .collect(),
        }
    }

    /// Reads a partial written by [`Partial::to_json`]; `name` (a path)
    /// names it in errors. The version is checked before the rest, so a
    /// partial from a newer release says so instead of failing on a key.
    pub fn parse(name: &str, text: &str) -> Result<Partial, PartialError> {
        let not_a_partial = |reason: String| PartialError::NotAPartial {
            name: name.to_string(),
            reason,
        };
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| not_a_partial(format!("invalid JSON: {e}")))?;
        if doc.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(not_a_partial(format!(
                "it has no `\"format\": \"{FORMAT}\"`"
            )));
        }
        match doc.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(found) => {
                return Err(PartialError::Version {
                    name: name.to_string(),
                    found,
                });
            }
            None => return Err(not_a_partial("it has no numeric `version`".to_string())),
        }
        let damaged = |reason: String| PartialError::Damaged {
            name: name.to_string(),
            reason,
        };
        let partial: Partial = serde_json::from_value(doc).map_err(|e| damaged(e.to_string()))?;
        partial.validate().map_err(damaged)?;
        Ok(partial)
    }

    /// The checks a hand-edited or truncated partial fails.
    fn validate(&self) -> Result<(), String> {
        if self.rejected > self.records {
            return Err(format!(
                "{} rejected of {} records",
                self.rejected, self.records
            ));
        }
        let shown = self.rejected.min(REJECTIONS_SHOWN as u64);
        if self.rejections.len() as u64 != shown {
            return Err(format!(
                "{} rejections listed for {} rejected records (expected {shown})",
                self.rejections.len(),
                self.rejected
            ));
        }
        let mut ids = BTreeSet::new();
        for p in &self.policies {
            if !ids.insert(p.id.as_str()) {
                return Err(format!("policy `{}` appears twice", p.id));
            }
            let evaluated = self.records - self.rejected;
            if p.tally.applied > evaluated {
                return Err(format!(
                    "policy `{}` applied {} times in {evaluated} evaluated records",
                    p.id, p.tally.applied
                ));
            }
        }
        if self.moments_of_truth.len() > self.moments_limit {
            return Err(format!(
                "{} moments of truth kept with a limit of {}",
                self.moments_of_truth.len(),
                self.moments_limit
            ));
        }
        for m in &self.moments_of_truth {
            m.to_moment()?;
        }
        Ok(())
    }

    /// The partial as pretty-printed JSON, with a final newline.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serializing cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// The statistics, for [`AuditBuilder::from_stats`] or a merge.
    pub fn into_stats(self) -> AuditStats {
        let moments = self
            .moments_of_truth
            .iter()
            .filter_map(|m| m.to_moment().ok())
            .map(MomentEntry::new);
        AuditStats {
            records: self.records,
            rejected: self.rejected,
            rejections: Smallest::from_items(REJECTIONS_SHOWN, self.rejections),
            policies: self.policies.into_iter().map(|p| p.tally).collect(),
            moments: Smallest::from_items(self.moments_limit, moments),
        }
    }

    /// Whether this partial was computed with `pack` and covers the
    /// policies `policies` (the TOML ones and the plugins'); `name` names
    /// the partial and `pack_name` the pack (a path) in the error.
    pub fn check_pack(
        &self,
        name: &str,
        pack: &Pack,
        policies: &[AuditedPolicy],
        pack_name: &str,
    ) -> Result<(), PartialError> {
        let fp = fingerprint(pack);
        let same_ids = self.policies.len() == policies.len()
            && self
                .policies
                .iter()
                .zip(policies)
                .all(|(a, b)| a.id == b.id);
        if self.pack.fingerprint != fp || !same_ids {
            return Err(PartialError::DifferentPack(Box::new(PackMismatch {
                name: name.to_string(),
                pack: self.pack.name.clone(),
                fingerprint: self.pack.fingerprint.clone(),
                other: pack_name.to_string(),
                other_pack: pack.manifest.pack.name.clone(),
                other_fingerprint: fp,
            })));
        }
        Ok(())
    }

    /// Merges named partials, in any order, into one. All must come from
    /// the same pack; the result keeps the smallest moments limit.
    pub fn merge_all(parts: Vec<(String, Partial)>) -> Result<Partial, PartialError> {
        let mut parts = parts.into_iter();
        let (first_name, first) = parts.next().ok_or(PartialError::Empty)?;
        let pack = first.pack.clone();
        let ids: Vec<String> = first.policies.iter().map(|p| p.id.clone()).collect();
        let generator = first.generator.clone();
        let mut stats = first.into_stats();
        for (name, part) in parts {
            let same_ids = part.policies.len() == ids.len()
                && part.policies.iter().zip(&ids).all(|(p, id)| &p.id == id);
            if part.pack != pack || !same_ids {
                return Err(PartialError::DifferentPack(Box::new(PackMismatch {
                    name,
                    pack: part.pack.name,
                    fingerprint: part.pack.fingerprint,
                    other: first_name,
                    other_pack: pack.name,
                    other_fingerprint: pack.fingerprint,
                })));
            }
            stats.merge(part.into_stats());
        }
        Ok(Partial::assemble(pack, generator, ids, stats))
    }
}

impl From<&Moment> for MomentText {
    fn from(m: &Moment) -> Self {
        MomentText {
            policy: m.policy.clone(),
            interaction: m.interaction.clone(),
            customer: m.customer.clone(),
            channel: m.channel.clone(),
            // Rust prints the shortest text that reads back to the same
            // float, and reads it back exactly.
            stake: m.stake.to_string(),
            customer_value: m.customer_value.to_string(),
            net_loss: m.net_loss.to_string(),
            complaint: m.complaint,
            nps: m.nps,
            evidence: m.evidence.clone(),
        }
    }
}

impl MomentText {
    fn to_moment(&self) -> Result<Moment, String> {
        let number = |key: &str, text: &str| {
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "moment `{}` of `{}`: `{key}` is `{text}`, not a number",
                        self.interaction, self.policy
                    )
                })
        };
        Ok(Moment {
            policy: self.policy.clone(),
            interaction: self.interaction.clone(),
            customer: self.customer.clone(),
            channel: self.channel.clone(),
            stake: number("stake", &self.stake)?,
            customer_value: number("customer_value", &self.customer_value)?,
            net_loss: number("net_loss", &self.net_loss)?,
            complaint: self.complaint,
            nps: self.nps,
            evidence: self.evidence.clone(),
        })
    }
}
