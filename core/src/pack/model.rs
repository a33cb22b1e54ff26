//! The typed pack format: `goodwill.toml` and one policy file per policy.
//! These types are what serde reads and what schemars publishes as the JSON
//! Schema (`goodwill schema`), so the schema and the loader cannot disagree.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::fields::FieldType;

/// `goodwill.toml`, at the root of a pack.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Manifest {
    /// What the pack is.
    pub pack: PackMeta,
    /// The money assumptions of the loyalty ledger.
    #[serde(default)]
    pub economics: Economics,
    /// Fields beyond the canonical ones that the pack's expressions read,
    /// with their types: `"survey.comment" = "string"`.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldType>,
    /// How a client's export maps onto the interaction's fields, so it is
    /// used as it comes (`docs/eval-output.md`).
    #[serde(default)]
    pub mapping: MappingDef,
    /// Which built-in lint rules `goodwill check` runs, at what severity,
    /// and the thresholds some of them read.
    #[serde(default)]
    pub lint: LintConfig,
    /// Policies written as WebAssembly components (`[[plugins]]`).
    #[serde(default)]
    pub plugins: Vec<PluginEntry>,
}

/// `[[plugins]]`: a policy written as a WebAssembly component that
/// implements `goodwill:policy` (see `plugins/wit/`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PluginEntry {
    /// The `.wasm` component, relative to `goodwill.toml`.
    pub path: String,
    /// Handed to the plugin's `configure`, as a JSON object.
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub config: Option<toml::Table>,
    /// What one call may consume; each limit has a safe default.
    #[serde(default)]
    pub limits: crate::plugin::PluginLimits,
}

/// `[mapping]`: where each field comes from in a client's export, and how
/// its text converts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MappingDef {
    /// IANA zone (`Europe/Tallinn`) or `UTC` of date-times the export writes
    /// without an offset.
    pub timezone: Option<String>,
    /// Field path onto which a source column or JSON path is mapped:
    /// `"customer.id" = "Customer ID"`, or a table with `from`, `values`
    /// and `format`.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSource>,
}

/// Where one field comes from.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FieldSource {
    /// The source column (CSV) or dotted JSON path.
    Column(String),
    /// The source with its conversions.
    Converted(ConvertedSource),
}

/// A source column with conversions.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ConvertedSource {
    /// The source column (CSV) or dotted JSON path.
    pub from: String,
    /// Source values renamed before conversion:
    /// `"Closed with monetary relief" = "granted"`.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// chrono `strftime` format of a date-time column: `%m/%d/%Y %H:%M`.
    pub format: Option<String>,
}

impl FieldSource {
    pub fn from(&self) -> &str {
        match self {
            FieldSource::Column(c) => c,
            FieldSource::Converted(c) => &c.from,
        }
    }
}

/// `[lint]`: choosing, re-grading and tuning the built-in lint rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LintConfig {
    /// Rule ids or id prefixes to run (`["GW0"]`, `["GW001", "GW004"]`);
    /// every rule when empty.
    #[serde(default)]
    pub select: Vec<String>,
    /// Rule ids or id prefixes not to run; wins over `select`.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// New severities for rules: `GW009 = "error"`.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// The jurisdiction whose minimum refund window applies to policies that
    /// do not name their own (`eu`, `uk`).
    pub jurisdiction: Option<String>,
    /// The shortest refund or return window allowed, in days, by
    /// jurisdiction; merged over the built-in `eu = 14`, `uk = 30`.
    #[serde(default)]
    pub min_refund_days: BTreeMap<String, f64>,
    /// The longest acceptable complaint response time, in days (14 unless
    /// set).
    pub max_response_days: Option<f64>,
    /// Roles that face the customer; an exception any of them may grant
    /// counts as frontline authority. Replaces the built-in list when set.
    pub frontline_roles: Option<Vec<String>>,
}

/// `[pack]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PackMeta {
    /// The pack's name, shown in reports.
    pub name: String,
    /// ISO 4217 code of the currency of every amount in the pack and its data.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// One paragraph on whose policies these are.
    pub description: Option<String>,
    /// The folder, relative to `goodwill.toml`, holding one TOML file per
    /// policy.
    #[serde(default = "default_policies_dir")]
    pub policies: String,
}

fn default_currency() -> String {
    "USD".to_string()
}

fn default_policies_dir() -> String {
    "policies".to_string()
}

/// `[economics]`: the assumptions every money figure rests on.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Economics {
    /// The value of a customer when a record does not carry
    /// `customer.lifetime_value`.
    #[serde(default = "default_customer_value")]
    pub default_customer_value: f64,
    /// What winning a new customer costs, as a multiple of keeping one
    /// (Levitt's 7 to 1 by default).
    #[serde(default = "default_ratio")]
    pub acquisition_to_retention: f64,
    /// What keeping one customer costs, in the pack's currency; replacing a
    /// lost one costs this times `acquisition_to_retention`.
    #[serde(default = "default_retention_cost")]
    pub retention_cost: f64,
    /// The fewest enforced, and the fewest waived, interactions a verdict
    /// needs; under it a policy gets `not-enough-evidence`.
    #[serde(default = "default_min_sample")]
    pub min_sample: u32,
}

fn default_customer_value() -> f64 {
    1000.0
}
fn default_ratio() -> f64 {
    7.0
}
fn default_retention_cost() -> f64 {
    50.0
}
fn default_min_sample() -> u32 {
    30
}

impl Default for Economics {
    fn default() -> Self {
        Economics {
            default_customer_value: default_customer_value(),
            acquisition_to_retention: default_ratio(),
            retention_cost: default_retention_cost(),
            min_sample: default_min_sample(),
        }
    }
}

/// The four levels of Gallup's customer-expectation hierarchy.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// 1: customers expect accuracy (the car they booked, a correct statement).
    Accuracy,
    /// 2: customers expect availability (open, reachable, in stock).
    Availability,
    /// 3: customers expect partnership (being listened to, on the same side).
    Partnership,
    /// 4: customers expect advice (help to learn and decide).
    Advice,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Accuracy,
        Level::Availability,
        Level::Partnership,
        Level::Advice,
    ];

    pub fn rank(self) -> u8 {
        self as u8 + 1
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Accuracy => "accuracy",
            Level::Availability => "availability",
            Level::Partnership => "partnership",
            Level::Advice => "advice",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How serious a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One policy file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PolicyFile {
    // --- what the policy says -------------------------------------------
    /// Stable id, lowercase with dashes: `parking-validation`.
    pub id: String,
    /// One line, as the company would name it.
    pub title: String,
    /// Who in the company owns the policy.
    pub owner: Option<String>,
    /// What the policy says, in a few sentences.
    pub summary: Option<String>,
    /// The Gallup expectation levels the policy touches.
    #[serde(default)]
    pub levels: Vec<Level>,
    /// Fees the policy charges.
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// Time windows the policy sets (return windows, cooling-off periods).
    #[serde(default)]
    pub windows: Vec<TimeWindow>,
    /// Who may grant an exception, up to what, and where it escalates.
    pub exception: Option<ExceptionAuthority>,
    /// What the policy promises customers.
    #[serde(default)]
    pub promises: Vec<Promise>,
    /// Partners involved in delivering the policy and who answers for them.
    #[serde(default)]
    pub third_parties: Vec<ThirdParty>,
    /// Where a customer complains about it.
    pub complaints: Option<ComplaintChannel>,
    /// The jurisdiction the policy operates in (`eu`, `uk`), for the
    /// minimum refund window; the pack's `[lint] jurisdiction` otherwise.
    pub jurisdiction: Option<String>,
    /// The service is given only to customers who buy or transact during
    /// the visit (the parking stamp only with a deposit).
    pub requires_purchase: Option<bool>,
    /// What the customer must do to sign up.
    pub signup: Option<Journey>,
    /// What the customer must do to cancel.
    pub cancellation: Option<Journey>,
    /// Under this policy the customer can be owed money (an overcharge, a
    /// paid service not delivered).
    pub money_owed: Option<bool>,
    /// The policy handles failures of the company's own making (a late
    /// order, a broken promise, its partner's mistake).
    pub company_fault: Option<bool>,
    /// What the customer gets when things go wrong.
    #[serde(default)]
    pub remedies: Vec<Remedy>,
    /// Things the policy refuses, and what is offered instead.
    #[serde(default)]
    pub refusals: Vec<Refusal>,
    /// The customer is first served by an automated flow (a chatbot, a phone
    /// menu, a web form).
    pub automation: Option<Automation>,
    /// New-customer and renewal prices.
    pub pricing: Option<Pricing>,

    // --- how to recognise it in the data --------------------------------
    /// CEL: the policy governed this interaction.
    pub applies: String,
    /// CEL: the policy was enforced against the customer rather than waived.
    /// Without it, every interaction it applies to counts as enforced.
    pub enforced: Option<String>,
    /// CEL: what the company gained by enforcing, a number in the pack's
    /// currency.
    pub benefit: Option<String>,
    /// The policy's own checks.
    #[serde(default)]
    pub checks: Vec<CheckDef>,
    /// The policy's unit tests.
    #[serde(default)]
    pub tests: Vec<TestDef>,
}

/// `[[fees]]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Fee {
    pub name: String,
    /// The fee, in the pack's currency.
    pub amount: f64,
    /// What it is charged for.
    pub description: Option<String>,
    /// The value of what the customer asks for when the fee is charged (the
    /// parking ticket, the late payment), in the pack's currency.
    pub at_stake: Option<f64>,
}

/// `[[windows]]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TimeWindow {
    pub name: String,
    /// Length of the window in days.
    pub days: f64,
    /// What starts the clock (`purchase`, `delivery`, `statement`).
    pub starts_at: Option<String>,
    /// What the window is for; `refund` and `return` windows are held to the
    /// jurisdiction's minimum.
    pub kind: Option<WindowKind>,
}

/// What a time window is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WindowKind {
    /// Money back for a purchase.
    Refund,
    /// Goods brought back.
    Return,
    /// The legal cooling-off period of a distance sale.
    CoolingOff,
    /// Anything else (a complaint deadline, a claim period).
    Other,
}

/// `[exception]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ExceptionAuthority {
    /// Roles that may waive the policy on the spot (`teller`, `agent`).
    #[serde(default)]
    pub granted_by: Vec<String>,
    /// The largest value they may waive, in the pack's currency.
    pub up_to: Option<f64>,
    /// Roles the request goes to next, in order.
    #[serde(default)]
    pub escalation: Vec<String>,
    /// Hours within which an escalated request must be answered.
    pub escalation_deadline_hours: Option<f64>,
}

/// `[signup]`, `[cancellation]`: what a customer must do.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Journey {
    /// How many steps (forms, calls, confirmations) it takes.
    pub steps: Option<u32>,
    /// The channels it can be done through (`web`, `phone`, `store`).
    #[serde(default)]
    pub channels: Vec<String>,
}

/// What kind of remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RemedyKind {
    /// Money back, to the means of payment.
    Refund,
    /// A voucher for the company's own goods or services.
    Voucher,
    /// Credit on the customer's account with the company.
    Credit,
    /// Money for the harm done, beyond a refund.
    Compensation,
    /// The customer's costs paid back (a taxi, a rental).
    Reimbursement,
    /// The thing fixed.
    Repair,
    /// The thing replaced.
    Replacement,
    /// An apology.
    Apology,
}

impl RemedyKind {
    pub fn name(self) -> &'static str {
        match self {
            RemedyKind::Refund => "refund",
            RemedyKind::Voucher => "voucher",
            RemedyKind::Credit => "credit",
            RemedyKind::Compensation => "compensation",
            RemedyKind::Reimbursement => "reimbursement",
            RemedyKind::Repair => "repair",
            RemedyKind::Replacement => "replacement",
            RemedyKind::Apology => "apology",
        }
    }

    /// Paid in money the customer can spend anywhere.
    pub fn is_money(self) -> bool {
        matches!(
            self,
            RemedyKind::Refund | RemedyKind::Compensation | RemedyKind::Reimbursement
        )
    }
}

/// `[[remedies]]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Remedy {
    pub kind: RemedyKind,
    /// Given only when the customer asks for it.
    pub on_request_only: Option<bool>,
    /// Customer tiers it is given to (`gold`, `premier`); everyone when
    /// empty.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// What exactly is given.
    pub description: Option<String>,
}

/// `[[refusals]]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Refusal {
    /// What the policy refuses (`a replacement car before 10:00`).
    pub what: String,
    /// What the customer is offered instead (`a taxi, reimbursed`).
    #[serde(default)]
    pub alternatives: Vec<String>,
}

/// `[automation]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Automation {
    /// The automated flow (`chatbot`, `phone menu`).
    pub flow: String,
    /// How a customer reaches a person from it (`say "agent"`, `press 0`).
    pub human_route: Option<String>,
}

/// `[pricing]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Pricing {
    /// The price a new customer pays, per period, in the pack's currency.
    pub new_customer: Option<f64>,
    /// The price an existing customer pays on renewal, per period.
    pub renewal: Option<f64>,
}

/// `[[promises]]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Promise {
    /// What is promised.
    pub what: String,
    /// By when, in words (`within 3 business days`).
    pub by: Option<String>,
    /// Who in the company keeps it.
    pub owner: Option<String>,
}

/// Who answers to the customer for a partner's part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Accountable {
    /// The company answers for its partner.
    Company,
    /// The customer is sent to the partner.
    Partner,
}

/// `[[third_parties]]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ThirdParty {
    pub name: String,
    /// What the partner does (`photo lab`, `courier`).
    pub role: Option<String>,
    /// Who answers to the customer when the partner fails.
    pub accountable: Option<Accountable>,
}

/// `[complaints]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ComplaintChannel {
    /// Where to complain (`branch manager`, `complaints@bank.example`).
    pub channel: String,
    /// Whether complaining costs the customer nothing.
    pub free: Option<bool>,
    /// Days within which a complaint is answered.
    pub response_days: Option<f64>,
}

/// `[[checks]]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CheckDef {
    /// Id, unique within the policy.
    pub id: String,
    pub severity: Severity,
    /// The Gallup level a finding of this check breaks.
    pub level: Level,
    /// CEL: the check fires on an interaction the policy applies to.
    pub when: String,
    /// The finding's message; `{customer.lifetime_value}` is replaced by the
    /// interaction's value.
    pub message: String,
    /// Why the check exists, for reports.
    pub description: Option<String>,
}

/// `[[tests]]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TestDef {
    /// What the test shows.
    pub name: String,
    /// The interaction, inline.
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub interaction: Option<toml::Table>,
    /// The interaction, as a JSON file relative to the policy file.
    pub interaction_file: Option<String>,
    /// Check ids that must fire.
    #[serde(default)]
    pub raises: Vec<String>,
    /// Check ids that must not fire.
    #[serde(default)]
    pub not_raises: Vec<String>,
    /// Whether the policy must apply.
    pub applies: Option<bool>,
    /// Whether the policy must count as enforced.
    pub enforced: Option<bool>,
}
