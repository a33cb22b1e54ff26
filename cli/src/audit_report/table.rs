//! `--format table`: comfy-table sections that fit 100 columns.

use comfy_table::{ColumnConstraint, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use goodwill_core::audit::Audit;

use super::{headline, sections};

pub fn render(a: &Audit) -> String {
    let mut out = format!("{}\n", headline(a).replace('`', ""));
    for s in sections(a) {
        out.push_str(&format!("\n{}\n", s.title.to_uppercase()));
        if !s.header.is_empty() {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(100)
                .set_header(s.header.clone());
            for r in &s.rows {
                t.add_row(r.clone());
            }
            // Ids stay whole; the other columns wrap.
            let id_column = usize::from(s.header.first() == Some(&"#"));
            if let Some(c) = t.column_mut(id_column) {
                c.set_constraint(ColumnConstraint::ContentWidth);
            }
            out.push_str(&format!("{t}\n"));
        }
        for n in &s.notes {
            out.push_str(&format!("{}\n", wrap(&format!("- {n}"), 100, "  ")));
        }
    }
    out
}

/// Wraps `text` at spaces to `width` columns, indenting continuations.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
        } else if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out
}
