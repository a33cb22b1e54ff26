//! The audit report in four formats. Every format renders the same
//! sections, built once here as rows of text, so the table, the Markdown and
//! the HTML cannot disagree; the JSON is the [`Audit`] itself.

pub mod html;
pub mod markdown;
pub mod table;

use goodwill_core::audit::{Audit, Estimate, PolicyLedger, amount, money};

/// A section of the report: a title, a table, and notes under it.
pub struct Section {
    pub title: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
}

/// The headline: pack, interactions, rejections.
pub fn headline(a: &Audit) -> String {
    format!(
        "Loyalty audit of `{}`: {} interactions evaluated, {} rejected, {} policies",
        a.pack,
        a.input.evaluated,
        a.input.rejected,
        a.policies.len()
    )
}

/// Every section, in report order: verdicts first.
pub fn sections(a: &Audit) -> Vec<Section> {
    vec![
        verdicts(a),
        churn(a),
        voice(a),
        pyramid(a),
        moments(a),
        assumptions(a),
        input(a),
    ]
}

pub fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn signed_pp(x: f64) -> String {
    let v = 100.0 * x;
    if v.abs() < 0.05 {
        "0.0".to_string()
    } else {
        format!("{v:+.1}")
    }
}

/// `+5.2 pp (3.1 to 7.3)`.
pub fn pp_interval(e: &Estimate) -> String {
    format!(
        "{} pp ({} to {})",
        signed_pp(e.point),
        signed_pp(e.low),
        signed_pp(e.high)
    )
}

pub fn money_interval(e: &Estimate) -> String {
    format!(
        "{} ({} to {})",
        amount(e.point),
        amount(e.low),
        amount(e.high)
    )
}

fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "-".to_string())
}

fn kept(p: &PolicyLedger) -> String {
    if p.has_benefit {
        amount(p.benefit_per_enforcement)
    } else {
        "none declared".to_string()
    }
}

fn verdicts(a: &Audit) -> Section {
    let mut notes = Vec::new();
    for p in &a.policies {
        notes.push(format!("{}: {} ({})", p.id, p.verdict.name(), p.reason));
    }
    for p in &a.policies {
        if let Some(t) = &p.tiny_stake {
            notes.push(format!(
                "{}: TINY STAKE: it keeps {} per enforcement from customers worth {} on average; losing one customer in {} enforcements wipes the gain out",
                p.id,
                money(t.stake_per_enforcement, &a.currency),
                money(t.customer_value_per_enforcement, &a.currency),
                amount((1.0 / t.break_even_churn).round())
            ));
        }
        for e in &p.evaluation_errors {
            notes.push(format!(
                "{}: `{}` failed on {} interactions, first on `{}`: {}",
                p.id, e.expression, e.count, e.first_interaction, e.message
            ));
        }
    }
    Section {
        title: "Verdicts",
        header: vec![
            "policy",
            "verdict",
            "kept per enforcement",
            "loyalty cost per enforcement (95% CI)",
        ],
        rows: a
            .policies
            .iter()
            .map(|p| {
                let mut verdict = p.verdict.name().to_string();
                if p.tiny_stake.is_some() {
                    verdict.push_str("\ntiny stake");
                }
                vec![
                    p.id.clone(),
                    verdict,
                    kept(p),
                    or_dash(p.loyalty_cost_per_enforcement.as_ref().map(money_interval)),
                ]
            })
            .collect(),
        notes,
    }
}

fn rate(r: &Option<goodwill_core::audit::ledger::Rate>) -> String {
    or_dash(r.as_ref().map(|r| pct(r.rate.point)))
}

fn churn(a: &Audit) -> Section {
    Section {
        title: "Loyalty ledger: churn after enforcement vs. after waiver",
        header: vec![
            "policy",
            "applied",
            "enforced",
            "waived",
            "churn enforced",
            "churn waived",
            "difference (95% CI)",
        ],
        rows: a
            .policies
            .iter()
            .map(|p| {
                vec![
                    p.id.clone(),
                    p.applied.to_string(),
                    p.enforced.to_string(),
                    p.waived.to_string(),
                    rate(&p.enforced_outcomes.churn),
                    rate(&p.waived_outcomes.churn),
                    or_dash(p.churn_difference.as_ref().map(pp_interval)),
                ]
            })
            .collect(),
        notes: vec![format!(
            "benefit kept in total: {}",
            a.policies
                .iter()
                .filter(|p| p.has_benefit)
                .map(|p| format!("{} {}", p.id, money(p.benefit_total, &a.currency)))
                .collect::<Vec<_>>()
                .join("; ")
        )],
    }
}

fn voice(a: &Audit) -> Section {
    fn pair(e: Option<String>, w: Option<String>) -> String {
        format!("{} vs. {}", or_dash(e), or_dash(w))
    }
    let csat = |v: f64| format!("{v:.2}");
    let nps = |v: f64| format!("{v:+.0}");
    Section {
        title: "Customer voice, enforced vs. waived",
        header: vec!["policy", "complaints", "CSAT (1-5)", "NPS", "detractors"],
        rows: a
            .policies
            .iter()
            .map(|p| {
                let (e, w) = (&p.enforced_outcomes, &p.waived_outcomes);
                vec![
                    p.id.clone(),
                    pair(
                        e.complaints.map(|r| pct(r.rate.point)),
                        w.complaints.map(|r| pct(r.rate.point)),
                    ),
                    pair(e.csat_mean.map(csat), w.csat_mean.map(csat)),
                    pair(e.nps.map(nps), w.nps.map(nps)),
                    pair(e.detractor_share.map(pct), w.detractor_share.map(pct)),
                ]
            })
            .collect(),
        notes: Vec::new(),
    }
}

fn pyramid(a: &Audit) -> Section {
    let mut notes = Vec::new();
    match a.pyramid.breaks_first {
        Some(l) => notes.push(format!(
            "the service breaks first at level {} ({l})",
            l.rank()
        )),
        None => notes.push("no check fired".to_string()),
    }
    Section {
        title: "Expectation pyramid (Gallup): findings per level",
        header: vec![
            "level",
            "findings",
            "error",
            "warning",
            "info",
            "most frequent check",
        ],
        rows: a
            .pyramid
            .levels
            .iter()
            .map(|l| {
                vec![
                    format!("{} {}", l.rank, l.level),
                    l.findings.to_string(),
                    l.errors.to_string(),
                    l.warnings.to_string(),
                    l.infos.to_string(),
                    or_dash(
                        l.checks
                            .first()
                            .map(|c| format!("{}/{} ({})", c.policy, c.check, c.findings)),
                    ),
                ]
            })
            .collect(),
        notes,
    }
}

fn moments(a: &Audit) -> Section {
    let mut notes = Vec::new();
    for (i, m) in a.moments_of_truth.iter().enumerate() {
        if !m.evidence.is_empty() {
            notes.push(format!(
                "#{} {}: {}",
                i + 1,
                m.interaction,
                m.evidence.join("; ")
            ));
        }
    }
    if a.moments_of_truth.is_empty() {
        notes.push("no enforcement was followed by churn".to_string());
    }
    Section {
        title: "Moments of truth: enforcements after which the customer left",
        header: vec![
            "#",
            "policy",
            "interaction",
            "customer",
            "kept",
            "customer value",
            "complained",
        ],
        rows: a
            .moments_of_truth
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    (i + 1).to_string(),
                    m.policy.clone(),
                    m.interaction.clone(),
                    or_dash(m.customer.clone()),
                    amount(m.stake),
                    amount(m.customer_value),
                    match m.complaint {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "-",
                    }
                    .to_string(),
                ]
            })
            .collect(),
        notes,
    }
}

fn assumptions(a: &Audit) -> Section {
    let s = &a.assumptions;
    let c = &a.currency;
    Section {
        title: "Assumptions",
        header: Vec::new(),
        rows: Vec::new(),
        notes: vec![
            format!(
                "customer value: the record's customer.lifetime_value, else {}",
                money(s.default_customer_value, c)
            ),
            format!(
                "replacing a lost customer costs retention cost {} x acquisition:retention {} = {}",
                money(s.retention_cost, c),
                s.acquisition_to_retention,
                money(s.replacement_cost, c)
            ),
            "loyalty cost per enforcement = (churn after enforcement - churn after waiver) x (mean value of the customers enforced on + replacement cost)".to_string(),
            format!(
                "churn difference: {:.0}% confidence interval by Newcombe's method on Wilson intervals; waived interactions are the control group",
                100.0 * s.confidence_level
            ),
            format!(
                "verdicts need at least {} enforced and {} waived interactions that record churn",
                s.min_sample, s.min_sample
            ),
            format!(
                "tiny stake: losing one customer in {} enforcements would cost more than the policy keeps",
                amount(1.0 / s.tiny_stake_break_even)
            ),
            "churn is associated with enforcement, not proven caused by it: enforced and waived customers may differ".to_string(),
        ],
    }
}

fn input(a: &Audit) -> Section {
    Section {
        title: "Input",
        header: if a.input.rejections.is_empty() {
            Vec::new()
        } else {
            vec!["source", "line", "rejected because"]
        },
        rows: a
            .input
            .rejections
            .iter()
            .map(|r| vec![r.source.clone(), r.line.to_string(), r.reason.clone()])
            .collect(),
        notes: vec![format!(
            "{} records read, {} evaluated, {} rejected{}",
            a.input.records,
            a.input.evaluated,
            a.input.rejected,
            if a.input.rejected as usize > a.input.rejections.len() {
                format!(" (the first {} listed)", a.input.rejections.len())
            } else {
                String::new()
            }
        )],
    }
}
