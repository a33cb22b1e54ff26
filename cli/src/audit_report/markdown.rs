//! `--format markdown`: the report as GitHub-flavoured Markdown.

use goodwill_core::audit::Audit;

use super::{headline, sections};

pub fn render(a: &Audit) -> String {
    let mut out = format!("# {}\n", headline(a));
    for s in sections(a) {
        out.push_str(&format!("\n## {}\n\n", s.title));
        if !s.header.is_empty() {
            out.push_str(&row(s.header.iter().map(|h| h.to_string())));
            out.push_str(&row(s.header.iter().map(|_| "---".to_string())));
            for r in &s.rows {
                out.push_str(&row(r.iter().cloned()));
            }
            out.push('\n');
        }
        for n in &s.notes {
            out.push_str(&format!("- {}\n", escape(n)));
        }
    }
    out
}

fn row(cells: impl Iterator<Item = String>) -> String {
    let cells: Vec<String> = cells.map(|c| escape(&c).replace('\n', "<br>")).collect();
    format!("| {} |\n", cells.join(" | "))
}

/// Keeps user text from becoming Markdown structure.
fn escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
