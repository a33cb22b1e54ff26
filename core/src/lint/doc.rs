//! A rule's documentation: the `//!` comment at the top of its source file,
//! read from the file itself (`include_str!`), so `goodwill rules ID` and
//! rustdoc show the same text.

/// The sections every rule's documentation must have, in order.
pub const SECTIONS: [&str; 5] = [
    "What it flags",
    "Why it costs loyalty",
    "Example",
    "Fix",
    "References",
];

/// A rule's documentation, split into its title and `##` sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    /// The `#` heading: `GW004 partner-blamed`.
    pub title: String,
    /// `(heading, body)` in order of appearance; bodies are trimmed.
    pub sections: Vec<(String, String)>,
    /// The whole comment as Markdown.
    pub markdown: String,
}

impl RuleDoc {
    /// Reads the leading `//!` lines of `source`.
    pub fn parse(source: &str) -> RuleDoc {
        let lines: Vec<&str> = source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                let rest = &l[3..];
                rest.strip_prefix(' ').unwrap_or(rest)
            })
            .collect();
        let mut title = String::new();
        let mut sections: Vec<(String, Vec<&str>)> = Vec::new();
        for line in &lines {
            if let Some(h) = line.strip_prefix("## ") {
                sections.push((h.trim().to_string(), Vec::new()));
            } else if let Some(h) = line.strip_prefix("# ") {
                if title.is_empty() {
                    title = h.trim().to_string();
                }
            } else if let Some((_, body)) = sections.last_mut() {
                body.push(line);
            }
        }
        RuleDoc {
            title,
            sections: sections
                .into_iter()
                .map(|(h, body)| (h, body.join("\n").trim().to_string()))
                .collect(),
            markdown: lines.join("\n").trim().to_string() + "\n",
        }
    }

    /// The body of the section headed `name`.
    pub fn section(&self, name: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|(h, _)| h == name)
            .map(|(_, b)| b.as_str())
    }

    /// The required sections that are missing or empty.
    pub fn missing_sections(&self) -> Vec<&'static str> {
        SECTIONS
            .iter()
            .copied()
            .filter(|s| self.section(s).is_none_or(str::is_empty))
            .collect()
    }

    /// The first paragraph of *Fix*, on one line: the help of a finding.
    pub fn help_line(&self) -> Option<String> {
        first_paragraph(self.section("Fix")?)
    }

    /// The first sentence of *What it flags*: the rule in one line.
    pub fn summary(&self) -> String {
        let para = self
            .section("What it flags")
            .and_then(first_paragraph)
            .unwrap_or_default();
        match para.find(". ") {
            Some(i) => para[..=i].to_string(),
            None => para,
        }
    }
}

fn first_paragraph(body: &str) -> Option<String> {
    let para: Vec<&str> = body
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    (!para.is_empty()).then(|| para.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "//! # GW999 sample\n//!\n//! ## What it flags\n//! One thing. And more\n//! text.\n//!\n//! ## Fix\n//! Do this\n//! now.\n//!\n//! Later para.\nuse x;\n//! not doc\n";

    #[test]
    fn parse_reads_title_and_sections_up_to_the_first_code_line() {
        let doc = RuleDoc::parse(SOURCE);
        assert_eq!(doc.title, "GW999 sample");
        assert_eq!(doc.sections.len(), 2);
        assert!(!doc.markdown.contains("not doc"));
    }

    #[test]
    fn help_line_is_the_first_paragraph_of_fix_on_one_line() {
        assert_eq!(
            RuleDoc::parse(SOURCE).help_line().as_deref(),
            Some("Do this now.")
        );
    }

    #[test]
    fn summary_is_the_first_sentence_of_what_it_flags() {
        assert_eq!(RuleDoc::parse(SOURCE).summary(), "One thing.");
    }

    #[test]
    fn missing_sections_lists_absent_and_empty_ones() {
        let doc = RuleDoc::parse(SOURCE);
        assert_eq!(
            doc.missing_sections(),
            vec!["Why it costs loyalty", "Example", "References"]
        );
    }
}
