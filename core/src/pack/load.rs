//! Reading a pack from disk: TOML syntax, keys and types, then the meaning
//! (CEL, fields, ids, tests). Faults are collected, not thrown: one run
//! reports everything wrong with a pack.

use std::collections::HashMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use toml::de::DeTable;

use super::model::{CheckDef, Manifest, PolicyFile, TestDef};
use super::schema;
use super::spans::SpanIndex;
use super::{Check, Pack, PackError, PackTest, Policy};
use crate::cel::{self, Activation, Expression};
use crate::diagnostic::{Diagnostic, DiagnosticCode as Code, Location};
use crate::fields::{FieldCatalog, PathKind};
use crate::source::{SourceFile, StringLiteralMap};
use crate::suggest;
use crate::template::Template;

/// The largest pack file we read; anything bigger is not a policy.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Loads the pack at `root` (a folder with `goodwill.toml`, or the path of
/// that file).
pub fn load(root: &Path) -> Result<Pack, PackError> {
    let root = if root.file_name().is_some_and(|n| n == "goodwill.toml") && root.is_file() {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        root.to_path_buf()
    };
    let mut diags = Vec::new();
    let fail = |diagnostics| PackError {
        root: root.clone(),
        diagnostics,
    };

    let manifest_path = root.join("goodwill.toml");
    if !root.is_dir() {
        return Err(fail(vec![
            Diagnostic::new(Code::Io, format!("`{}` is not a folder", root.display()))
                .help("name a pack folder, or create one with `goodwill init DIR`"),
        ]));
    }
    if !manifest_path.is_file() {
        return Err(fail(vec![
            Diagnostic::new(Code::Io, format!("no `goodwill.toml` in `{}`", root.display()))
                .help("a pack is a folder with `goodwill.toml` at its root: create one with `goodwill init DIR`"),
        ]));
    }
    let manifest_file = match read_source(&manifest_path) {
        Ok(f) => f,
        Err(d) => return Err(fail(vec![d])),
    };
    let manifest_schema = schema::manifest_schema();
    let parsed = parse_toml::<Manifest>(&manifest_file, &manifest_schema, &mut diags);
    let Some((manifest, manifest_spans)) = parsed else {
        return Err(fail(diags));
    };

    let mut catalog = FieldCatalog::canonical();
    for (path, ty) in &manifest.fields {
        if let Err(msg) = catalog.declare(path, *ty) {
            let span = manifest_spans
                .key_span(&format!("fields.{path}"))
                .unwrap_or_else(|| manifest_spans.nearest("fields"));
            diags.push(
                Diagnostic::new(Code::BadFieldDeclaration, msg)
                    .at(&manifest_file, span)
                    .help("declare only fields beyond the canonical ones (see `docs/policy-format.md`)"),
            );
        }
    }

    if let Err(errors) = crate::input::Mapping::new(&manifest.mapping, &catalog) {
        for e in errors {
            let span = manifest_spans
                .key_span(&e.key)
                .unwrap_or_else(|| manifest_spans.nearest(&e.key));
            diags.push(
                Diagnostic::new(Code::InvalidValue, e.message)
                    .at(&manifest_file, span)
                    .help(e.help),
            );
        }
    }

    let policies_dir = root.join(&manifest.pack.policies);
    let files = match policy_files(&policies_dir) {
        Ok(files) => files,
        Err(msg) => {
            let span = manifest_spans.nearest("pack.policies");
            diags.push(
                Diagnostic::new(Code::Io, msg)
                    .at(&manifest_file, span)
                    .help("put one TOML file per policy in that folder, or point `pack.policies` elsewhere"),
            );
            Vec::new()
        }
    };

    let policy_schema = schema::policy_schema();
    let mut policies: Vec<Policy> = Vec::new();
    let mut seen_ids: HashMap<String, Location> = HashMap::new();
    for path in files {
        let file = match read_source(&path) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let Some((def, spans)) = parse_toml::<PolicyFile>(&file, &policy_schema, &mut diags) else {
            continue;
        };
        let ctx = PolicyCtx {
            file: &file,
            spans: &spans,
            catalog: &catalog,
            diags: &mut diags,
        };
        let id_span = spans.value_span("id").unwrap_or(0..0);
        let id_loc = Location {
            file: Arc::clone(&file),
            span: id_span.clone(),
        };
        if let Some(first) = seen_ids.get(&def.id) {
            let lc = first.start();
            ctx.diags.push(
                Diagnostic::new(
                    Code::DuplicateId,
                    format!("policy id `{}` is used twice", def.id),
                )
                .at(&file, id_span)
                .label("second use")
                .help(format!(
                    "it is first used at {}:{}:{}; give each policy its own id",
                    first.file.display_path(),
                    lc.line,
                    lc.column
                )),
            );
        } else {
            seen_ids.insert(def.id.clone(), id_loc);
        }
        if let Some(policy) = ctx.compile(def) {
            policies.push(policy);
        }
    }

    if diags.is_empty() {
        Ok(Pack {
            root,
            manifest,
            manifest_file,
            manifest_spans,
            catalog,
            policies,
        })
    } else {
        Err(fail(diags))
    }
}

pub(crate) fn read_source(path: &Path) -> Result<Arc<SourceFile>, Diagnostic> {
    let meta = fs::metadata(path).map_err(|e| {
        Diagnostic::new(
            Code::Io,
            format!("cannot read `{}`: {}", path.display(), io_reason(&e)),
        )
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::new(
            Code::Io,
            format!(
                "`{}` is {} bytes, more than a pack file may be ({MAX_FILE_BYTES})",
                path.display(),
                meta.len()
            ),
        )
        .help("split the policy, or move test interactions into JSON files"));
    }
    let bytes = fs::read(path).map_err(|e| {
        Diagnostic::new(
            Code::Io,
            format!("cannot read `{}`: {}", path.display(), io_reason(&e)),
        )
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = SourceFile::new(path, text);
            Err(
                Diagnostic::new(Code::TomlSyntax, "the file is not valid UTF-8")
                    .at(&file, valid..valid + 1)
                    .help("save the file as UTF-8"),
            )
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s.to_lowercase(),
    }
}

/// The policy files under `dir`, sorted by path, subfolders included.
fn policy_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if !dir.is_dir() {
        return Err(format!(
            "the policies folder `{}` does not exist",
            dir.display()
        ));
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = fs::read_dir(&d)
            .map_err(|e| format!("cannot list `{}`: {}", d.display(), io_reason(&e)))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| format!("cannot list `{}`: {}", d.display(), io_reason(&e)))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Parses `file` as `T`: syntax errors, unknown keys (with "did you mean")
/// and type errors all become diagnostics. Returns the value only when the
/// structure is sound.
pub(crate) fn parse_toml<T: DeserializeOwned>(
    file: &Arc<SourceFile>,
    schema: &Json,
    diags: &mut Vec<Diagnostic>,
) -> Option<(T, SpanIndex)> {
    let text: &str = file.text.as_str();
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            diags.push(
                Diagnostic::new(
                    Code::TomlSyntax,
                    format!("invalid TOML: {}", tidy(e.message())),
                )
                .at(file, widen(text, span))
                .help(
                    "fix the TOML syntax on this line (strings need quotes, tables need `[name]`)",
                ),
            );
        }
        return None;
    }
    let spans = SpanIndex::build(&doc);
    let mut unknown: Vec<Vec<String>> = Vec::new();
    let de = toml::de::Deserializer::from(doc);
    let result: Result<T, _> =
        serde_ignored::deserialize(de, |path| unknown.push(path_segments(&path)));
    for segs in &unknown {
        let dotted = segs.join(".");
        let key = segs.last().cloned().unwrap_or_default();
        let parent: Vec<&str> = segs[..segs.len().saturating_sub(1)]
            .iter()
            .map(String::as_str)
            .collect();
        let known = schema::keys_at(schema, &parent);
        let span = spans
            .key_span(&dotted)
            .unwrap_or_else(|| spans.nearest(&dotted));
        let where_ = if parent.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in `{}`", parent.join("."))
        };
        let top_level = schema::keys_at(schema, &[]);
        let help = match suggest::closest(&key, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None if !parent.is_empty() && top_level.contains(&key) => format!(
                "`{key}` belongs at the top level: TOML puts every key after `[{}]` into that table, so move it above the first table",
                parent[0]
            ),
            None if known.is_empty() => "remove it".to_string(),
            None => format!(
                "known keys here: {}",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        diags.push(
            Diagnostic::new(Code::UnknownKey, format!("unknown key `{key}` {where_}"))
                .at(file, span)
                .label("not part of the pack format")
                .help(help),
        );
    }
    match result {
        Ok(v) if unknown.is_empty() => Some((v, spans)),
        Ok(_) => None,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = type_message(&tidy(e.message()), spans.path_at(&span).as_deref());
            let help = if message.starts_with("missing field") {
                "add the missing key; `docs/policy-format.md` lists every required key".to_string()
            } else if message.contains("unknown value") {
                "use one of the values listed".to_string()
            } else {
                "`docs/policy-format.md` gives the type of every key".to_string()
            };
            diags.push(
                Diagnostic::new(Code::InvalidValue, message)
                    .at(file, span)
                    .help(help),
            );
            None
        }
    }
}

/// Serde's "invalid type: string "x", expected f64" in the pack's terms:
/// which key, what it must be, what it is.
fn type_message(msg: &str, path: Option<&str>) -> String {
    let msg = msg.replace("unknown variant", "unknown value");
    let Some(rest) = msg.strip_prefix("invalid type: ") else {
        return match path {
            Some(p) if !msg.starts_with("missing field") => format!("`{p}`: {msg}"),
            _ => msg,
        };
    };
    let Some((found, expected)) = rest.split_once(", expected ") else {
        return msg;
    };
    let expected = match expected {
        "f64" | "f32" => "a number",
        "i64" | "i32" | "u64" | "u32" | "u16" | "u8" | "usize" => "a whole number",
        "a boolean" => "`true` or `false`",
        "a sequence" => "an array",
        "a map" => "a table",
        other => other,
    };
    let found = found.replace('"', "`");
    match path {
        Some(p) => format!("`{p}` must be {expected}, found {found}"),
        None => format!("expected {expected}, found {found}"),
    }
}

/// A zero-width span becomes one character wide, so the caret shows.
fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    if span.start < span.end {
        return span;
    }
    let end = text[span.start.min(text.len())..]
        .chars()
        .next()
        .map_or(span.start, |c| span.start + c.len_utf8());
    span.start..end
}

fn tidy(msg: &str) -> String {
    let msg = msg.trim().trim_end_matches('.');
    let mut chars = msg.chars();
    match chars.next() {
        Some(c) => c
            .to_lowercase()
            .chain(chars)
            .collect::<String>()
            .replace('\n', "; "),
        None => String::new(),
    }
}

fn path_segments(path: &serde_ignored::Path<'_>) -> Vec<String> {
    use serde_ignored::Path as P;
    match path {
        P::Root => Vec::new(),
        P::Seq { parent, index } => {
            let mut v = path_segments(parent);
            v.push(index.to_string());
            v
        }
        P::Map { parent, key } => {
            let mut v = path_segments(parent);
            v.push(key.clone());
            v
        }
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            path_segments(parent)
        }
    }
}

/// The state of compiling one policy file.
struct PolicyCtx<'a> {
    file: &'a Arc<SourceFile>,
    spans: &'a SpanIndex,
    catalog: &'a FieldCatalog,
    diags: &'a mut Vec<Diagnostic>,
}

impl PolicyCtx<'_> {
    /// Amounts, hours and days must be finite and not negative: TOML
    /// reads `nan`, `inf` and `-5` as floats, and the lint rules and the
    /// report compare against them.
    fn check_quantities(&mut self, def: &PolicyFile) {
        let exception = def.exception.as_ref();
        let quantities = [
            (
                "exception.up_to",
                exception.and_then(|e| e.up_to),
                "an amount",
            ),
            (
                "exception.escalation_deadline_hours",
                exception.and_then(|e| e.escalation_deadline_hours),
                "a number of hours",
            ),
            (
                "complaints.response_days",
                def.complaints.as_ref().and_then(|c| c.response_days),
                "a number of days",
            ),
        ];
        for (path, value, what) in quantities {
            let Some(value) = value else { continue };
            if value.is_finite() && value >= 0.0 {
                continue;
            }
            let span = self.spans.value_span(path).unwrap_or(0..0);
            self.diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{path}` is {value}, not {what}"),
                )
                .at(self.file, span)
                .label(format!("not {what}"))
                .help(format!("give {what}, zero or more")),
            );
        }
    }

    fn compile(mut self, def: PolicyFile) -> Option<Policy> {
        let before = self.diags.len();
        if !is_valid_id(&def.id) {
            let span = self.spans.value_span("id").unwrap_or(0..0);
            self.diags.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("policy id `{}` is not a valid id", def.id),
                )
                .at(self.file, span)
                .help("use lowercase letters, digits and dashes, like `parking-validation`"),
            );
        }
        self.check_quantities(&def);
        let applies = self.expression("applies", &def.applies);
        let enforced = def
            .enforced
            .as_ref()
            .map(|s| self.expression("enforced", s));
        let benefit = def.benefit.as_ref().map(|s| self.expression("benefit", s));

        let mut checks = Vec::new();
        let mut check_ids: HashMap<&str, usize> = HashMap::new();
        for (i, c) in def.checks.iter().enumerate() {
            if let Some(first) = check_ids.insert(&c.id, i) {
                let span = self
                    .spans
                    .value_span(&format!("checks.{i}.id"))
                    .unwrap_or(0..0);
                let first_line = self
                    .spans
                    .value_span(&format!("checks.{first}.id"))
                    .map(|s| self.file.line_col(s.start).line)
                    .unwrap_or(0);
                self.diags.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        format!("check id `{}` is used twice in this policy", c.id),
                    )
                    .at(self.file, span)
                    .label("second use")
                    .help(format!(
                        "it is first used on line {first_line}; give each check its own id"
                    )),
                );
            }
            if !is_valid_id(&c.id) {
                let span = self
                    .spans
                    .value_span(&format!("checks.{i}.id"))
                    .unwrap_or(0..0);
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("check id `{}` is not a valid id", c.id),
                    )
                    .at(self.file, span)
                    .help("use lowercase letters, digits and dashes, like `tiny-stake`"),
                );
            }
            if let Some(check) = self.check(i, c) {
                checks.push(check);
            }
        }

        let ids: Vec<&str> = def.checks.iter().map(|c| c.id.as_str()).collect();
        let mut tests = Vec::new();
        for (i, t) in def.tests.iter().enumerate() {
            if let Some(test) = self.test(i, t, &ids) {
                tests.push(test);
            }
        }

        if self.diags.len() != before {
            return None;
        }
        Some(Policy {
            applies: applies.ok()?,
            enforced: enforced.transpose().ok()?,
            benefit: benefit.transpose().ok()?,
            checks,
            tests,
            file: Arc::clone(self.file),
            spans: self.spans.clone(),
            def,
        })
    }

    fn check(&mut self, i: usize, c: &CheckDef) -> Option<Check> {
        let when = self.expression(&format!("checks.{i}.when"), &c.when);
        let message = self.template(&format!("checks.{i}.message"), &c.message);
        let span = self.spans.nearest(&format!("checks.{i}.id"));
        Some(Check {
            id: c.id.clone(),
            severity: c.severity,
            level: c.level,
            when: when.ok()?,
            message: message?,
            description: c.description.clone(),
            location: Location {
                file: Arc::clone(self.file),
                span,
            },
        })
    }

    /// Compiles the CEL at `path` and checks every field it reads. `Err`
    /// means diagnostics were pushed.
    fn expression(&mut self, path: &str, src: &str) -> Result<Expression, ()> {
        let value_span = self.spans.value_span(path).unwrap_or(0..0);
        let map = StringLiteralMap::new(&self.file.text, value_span);
        match cel::compile(src) {
            Err(errors) => {
                for e in errors {
                    let help = if e.message.contains("operators")
                        || e.message.contains("nests deeper")
                    {
                        "split the condition into several checks, each with a simpler expression"
                    } else if e.message.contains("has() macro") {
                        "`has()` tests a field of something: `has(customer.segment)`, and \
                         `has(interaction.csat)` for a top-level field"
                    } else {
                        "CEL uses `&&`, `||` and `!`, single- or double-quoted strings, and `has(a.b)` to test a field"
                    };
                    self.diags.push(
                        Diagnostic::new(
                            Code::CelSyntax,
                            format!("invalid CEL in `{path}`: {}", e.message),
                        )
                        .at(self.file, map.span_to_file(e.span))
                        .label("here")
                        .help(help),
                    );
                }
                Err(())
            }
            Ok(expr) => {
                let mut ok = true;
                for read in expr.reads() {
                    if let Some(d) = self.unknown_field(&read.path) {
                        ok = false;
                        self.diags
                            .push(d.at(self.file, map.span_to_file(read.span.clone())));
                    }
                }
                if !ok {
                    return Err(());
                }
                let expected = if path == "benefit" {
                    cel::Expected::Number
                } else {
                    cel::Expected::Bool
                };
                let type_errors = expr.type_errors(self.catalog, expected);
                if type_errors.is_empty() {
                    return Ok(expr);
                }
                for e in type_errors {
                    self.diags.push(
                        Diagnostic::new(
                            Code::CelType,
                            format!("type mistake in `{path}`: {}", e.message),
                        )
                        .at(self.file, map.span_to_file(e.span))
                        .label("here")
                        .help(e.help),
                    );
                }
                Err(())
            }
        }
    }

    fn template(&mut self, path: &str, src: &str) -> Option<Template> {
        let value_span = self.spans.value_span(path).unwrap_or(0..0);
        let map = StringLiteralMap::new(&self.file.text, value_span);
        match Template::parse(src) {
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(Code::BadTemplate, format!("invalid message template: {}", e.message))
                        .at(self.file, map.span_to_file(e.span))
                        .help("placeholders look like `{customer.id}`; write `{{` and `}}` for literal braces"),
                );
                None
            }
            Ok(t) => {
                let mut ok = true;
                for (field, span) in t.fields() {
                    if let Some(d) = self.unknown_field(field) {
                        ok = false;
                        self.diags.push(d.at(self.file, map.span_to_file(span)));
                    }
                }
                ok.then_some(t)
            }
        }
    }

    /// A diagnostic (without location) when `path` is not readable.
    fn unknown_field(&self, path: &str) -> Option<Diagnostic> {
        if self.catalog.kind(path) != PathKind::Unknown {
            return None;
        }
        // `csat.value`: a prefix is a leaf field, which has no children.
        let segs: Vec<&str> = path.split('.').collect();
        for n in (1..segs.len()).rev() {
            let prefix = segs[..n].join(".");
            if let PathKind::Field(def) = self.catalog.kind(&prefix) {
                return Some(
                    Diagnostic::new(
                        Code::UnknownField,
                        format!(
                            "`{prefix}` is a {} field and has no `{}`",
                            def.ty,
                            segs[n..].join(".")
                        ),
                    )
                    .label("no such field")
                    .help(format!("read `{prefix}` itself")),
                );
            }
        }
        let help = match self.catalog.suggest(path) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "declare it in goodwill.toml: `[fields]` `\"{path}\" = \"string\"` (or its type)"
            ),
        };
        Some(
            Diagnostic::new(Code::UnknownField, format!("unknown field `{path}`"))
                .label("not a canonical or declared field")
                .help(help),
        )
    }

    fn test(&mut self, i: usize, t: &TestDef, check_ids: &[&str]) -> Option<PackTest> {
        let base = format!("tests.{i}");
        let span = self.spans.nearest(&format!("{base}.name"));
        let mut ok = true;
        for (key, list) in [("raises", &t.raises), ("not_raises", &t.not_raises)] {
            for (j, id) in list.iter().enumerate() {
                if !check_ids.contains(&id.as_str()) {
                    ok = false;
                    let span = self
                        .spans
                        .value_span(&format!("{base}.{key}.{j}"))
                        .unwrap_or(span.clone());
                    let help = match suggest::closest(id, check_ids.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if check_ids.is_empty() => "this policy has no checks".to_string(),
                        None => format!(
                            "this policy's checks are {}",
                            check_ids
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    self.diags.push(
                        Diagnostic::new(
                            Code::UnknownCheck,
                            format!(
                                "test `{}` names check `{id}`, which this policy does not have",
                                t.name
                            ),
                        )
                        .at(self.file, span)
                        .label("no such check")
                        .help(help),
                    );
                }
            }
        }
        for id in &t.raises {
            if t.not_raises.contains(id) {
                ok = false;
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!(
                            "test `{}` expects check `{id}` both to fire and not to fire",
                            t.name
                        ),
                    )
                    .at(self.file, self.spans.nearest(&format!("{base}.not_raises")))
                    .help("keep the id in `raises` or in `not_raises`, not both"),
                );
            }
        }
        let interaction = match (&t.interaction, &t.interaction_file) {
            (Some(table), None) => Some(toml_to_json(table)),
            (None, Some(rel)) => self.interaction_file(&base, rel),
            (Some(_), Some(_)) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!(
                            "test `{}` has both `interaction` and `interaction_file`",
                            t.name
                        ),
                    )
                    .at(
                        self.file,
                        self.spans.nearest(&format!("{base}.interaction_file")),
                    )
                    .help("keep one of them"),
                );
                None
            }
            (None, None) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("test `{}` has no interaction", t.name),
                    )
                    .at(self.file, span.clone())
                    .help("add `interaction = { ... }` or `interaction_file = \"path.json\"`"),
                );
                None
            }
        };
        let mut interaction = interaction?;
        if !interaction.contains_key("id") {
            interaction.insert("id".to_string(), Json::String(t.name.clone()));
        }
        if let Err(e) = Activation::new(&interaction, self.catalog) {
            let field_path = format!("{base}.interaction.{}", e.path);
            let at = self
                .spans
                .value_span(&field_path)
                .unwrap_or_else(|| self.spans.nearest(&format!("{base}.interaction")));
            self.diags.push(
                Diagnostic::new(Code::BadTestInteraction, format!("test `{}`: {e}", t.name))
                    .at(self.file, at)
                    .help("give the field a value of its type (see `docs/policy-format.md`)"),
            );
            ok = false;
        }
        ok.then(|| PackTest {
            name: t.name.clone(),
            interaction,
            raises: t.raises.clone(),
            not_raises: t.not_raises.clone(),
            applies: t.applies,
            enforced: t.enforced,
            location: Location {
                file: Arc::clone(self.file),
                span,
            },
        })
    }

    fn interaction_file(&mut self, base: &str, rel: &str) -> Option<serde_json::Map<String, Json>> {
        let span = self
            .spans
            .value_span(&format!("{base}.interaction_file"))
            .unwrap_or(0..0);
        let dir = self.file.path.parent().unwrap_or(Path::new("."));
        let path = dir.join(rel);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::Io,
                        format!("cannot read `{}`: {}", path.display(), io_reason(&e)),
                    )
                    .at(self.file, span)
                    .help("the path is relative to the policy file"),
                );
                return None;
            }
        };
        match serde_json::from_str::<Json>(&text) {
            Ok(Json::Object(map)) => Some(map),
            Ok(other) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::BadTestInteraction,
                        format!(
                            "`{}` holds {}, not an object",
                            path.display(),
                            cel::describe_json(&other)
                        ),
                    )
                    .at(self.file, span)
                    .help("a test interaction is one JSON object"),
                );
                None
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::BadTestInteraction,
                        format!(
                            "`{}` is not valid JSON: {} at line {} column {}",
                            path.display(),
                            e,
                            e.line(),
                            e.column()
                        ),
                    )
                    .at(self.file, span)
                    .help("fix the JSON file"),
                );
                None
            }
        }
    }
}

pub(crate) fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.'
        })
}

/// A TOML table as JSON; TOML date-times become RFC 3339 strings.
pub(crate) fn toml_to_json(table: &toml::Table) -> serde_json::Map<String, Json> {
    table
        .iter()
        .map(|(k, v)| (k.clone(), toml_value_to_json(v)))
        .collect()
}

fn toml_value_to_json(v: &toml::Value) -> Json {
    match v {
        toml::Value::String(s) => Json::String(s.clone()),
        toml::Value::Integer(i) => Json::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        toml::Value::Boolean(b) => Json::Bool(*b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(a) => Json::Array(a.iter().map(toml_value_to_json).collect()),
        toml::Value::Table(t) => Json::Object(toml_to_json(t)),
    }
}
