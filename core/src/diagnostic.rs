//! Diagnostics: what went wrong, where (file, byte span, so line and column),
//! and one line of help. Every load error of a pack is one of these; the
//! binary renders them for humans (with the source line and a caret) or as
//! JSON. Message style follows cedar: lowercase, no trailing period, user
//! input in backticks.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::source::{LineCol, SourceFile};

/// What kind of fault a diagnostic reports; stable, shown as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticCode {
    /// A file could not be read.
    Io,
    /// The TOML itself does not parse.
    TomlSyntax,
    /// A key the format does not know.
    UnknownKey,
    /// A value of the wrong type, or a required key missing.
    InvalidValue,
    /// A CEL expression does not parse.
    CelSyntax,
    /// A CEL expression whose types do not fit (a string added to a number,
    /// a condition that is not a bool).
    CelType,
    /// A CEL expression or placeholder reads a field that is neither
    /// canonical nor declared.
    UnknownField,
    /// A message template that does not parse.
    BadTemplate,
    /// Two policies or two checks share an id.
    DuplicateId,
    /// A pack test names a check that does not exist.
    UnknownCheck,
    /// A declared field that cannot be declared.
    BadFieldDeclaration,
    /// A pack test's interaction is not usable.
    BadTestInteraction,
    /// A WebAssembly plugin listed in `goodwill.toml` was refused.
    PluginLoad,
    /// `[lint]`, a waiver or a baseline names a rule that does not exist, or
    /// a lint file does not parse.
    BadLintConfig,
}

impl DiagnosticCode {
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticCode::Io => "io",
            DiagnosticCode::TomlSyntax => "toml-syntax",
            DiagnosticCode::UnknownKey => "unknown-key",
            DiagnosticCode::InvalidValue => "invalid-value",
            DiagnosticCode::CelSyntax => "cel-syntax",
            DiagnosticCode::CelType => "cel-type",
            DiagnosticCode::UnknownField => "unknown-field",
            DiagnosticCode::BadTemplate => "bad-template",
            DiagnosticCode::DuplicateId => "duplicate-id",
            DiagnosticCode::UnknownCheck => "unknown-check",
            DiagnosticCode::BadFieldDeclaration => "bad-field-declaration",
            DiagnosticCode::BadTestInteraction => "bad-test-interaction",
            DiagnosticCode::PluginLoad => "plugin-load",
            DiagnosticCode::BadLintConfig => "bad-lint-config",
        }
    }
}

impl fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a pack file.
#[derive(Debug, Clone)]
pub struct Location {
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
}

impl Location {
    pub fn start(&self) -> LineCol {
        self.file.line_col(self.span.start)
    }
    pub fn end(&self) -> LineCol {
        self.file.line_col(self.span.end)
    }
}

/// One load error of a pack.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: DiagnosticCode,
    pub message: String,
    /// Where; `None` only when there is no file to point into (a missing
    /// pack directory).
    pub location: Option<Location>,
    /// A short note at the caret.
    pub label: Option<String>,
    /// One line telling how to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: DiagnosticCode, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            location: None,
            label: None,
            help: None,
        }
    }

    pub fn at(mut self, file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        let len = file.text.len();
        let start = span.start.min(len);
        let end = span.end.clamp(start, len);
        self.location = Some(Location {
            file: Arc::clone(file),
            span: start..end,
        });
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// `file:line:column`, or the file alone, or nothing.
    pub fn position(&self) -> Option<String> {
        self.location.as_ref().map(|loc| {
            let lc = loc.start();
            format!("{}:{}:{}", loc.file.display_path(), lc.line, lc.column)
        })
    }

    /// The machine-readable form used by `--error-format json`.
    pub fn to_json(&self) -> DiagnosticJson {
        let (file, start, end) = match &self.location {
            Some(loc) => (
                Some(loc.file.display_path()),
                Some(loc.start()),
                Some(loc.end()),
            ),
            None => (None, None, None),
        };
        DiagnosticJson {
            severity: "error",
            code: self.code.as_str(),
            message: self.message.clone(),
            file,
            line: start.map(|p| p.line),
            column: start.map(|p| p.column),
            end_line: end.map(|p| p.line),
            end_column: end.map(|p| p.column),
            label: self.label.clone(),
            help: self.help.clone(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.location
            .as_ref()
            .map(|loc| &*loc.file as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let loc = self.location.as_ref()?;
        let span = miette::SourceSpan::from(loc.span.start..loc.span.end.max(loc.span.start));
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(self.label.clone(), span),
        )))
    }
}

impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.display_path(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// The JSON shape of a diagnostic (documented in docs/policy-format.md).
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticJson {
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub label: Option<String>,
    pub help: Option<String>,
}
