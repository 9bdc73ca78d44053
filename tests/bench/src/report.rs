//! The bench's results: one [`Metric`] per line, printed as a table for the terminal, written
//! as Markdown (for the README's Performance section) and as JSON.

use crate::budgets::Verdict;
use serde::{Serialize, Serializer};
use std::fmt::Write as _;

/// What one line is compared with.
#[derive(Debug, Clone, Serialize)]
pub struct Peer {
    /// Its name (`official`, `bare GET`, …).
    pub name: String,
    /// Its value in the line's unit, if it was measured.
    pub value: Option<f64>,
}

/// One measured line.
#[derive(Debug, Clone, Serialize)]
pub struct Metric {
    /// The key budgets use.
    pub key: String,
    /// What was measured.
    pub what: String,
    /// Unit of `value` and the peer's value.
    pub unit: String,
    /// Whose value `value` is (`flora-mcp`, `official`).
    pub subject: String,
    /// The value, if it was measured.
    pub value: Option<f64>,
    /// What it is compared with.
    pub peer: Option<Peer>,
    /// `value` divided by the peer's value.
    pub ratio: Option<f64>,
    /// The bound, as the table shows it.
    pub budget: Option<String>,
    /// The verdict against the budget.
    #[serde(serialize_with = "verdict_name")]
    pub verdict: Option<Verdict>,
    /// Why something was not measured, or how to read the line.
    pub note: Option<String>,
}

fn verdict_name<S: Serializer>(verdict: &Option<Verdict>, s: S) -> Result<S::Ok, S::Error> {
    match verdict {
        Some(Verdict::Within) => s.serialize_str("within"),
        Some(Verdict::Over) => s.serialize_str("over"),
        Some(Verdict::NotMeasured) => s.serialize_str("not measured"),
        None => s.serialize_none(),
    }
}

impl Metric {
    /// A line of `subject`'s `value`.
    pub fn new(key: &str, what: &str, unit: &str, subject: &str, value: Option<f64>) -> Metric {
        Metric {
            key: key.to_owned(),
            what: what.to_owned(),
            unit: unit.to_owned(),
            subject: subject.to_owned(),
            value,
            peer: None,
            ratio: None,
            budget: None,
            verdict: None,
            note: None,
        }
    }

    /// Compares the line with `name`'s `value`.
    #[must_use]
    pub fn against(mut self, name: &str, value: Option<f64>) -> Metric {
        self.ratio = match (self.value, value) {
            (Some(ours), Some(theirs)) if theirs > 0.0 => Some(ours / theirs),
            _ => None,
        };
        self.peer = Some(Peer {
            name: name.to_owned(),
            value,
        });
        self
    }

    /// Adds a note.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Metric {
        self.note = Some(note.into());
        self
    }

    fn cells(&self, footnote: Option<usize>) -> [String; 6] {
        let value = |name: &str, v: Option<f64>| match v {
            Some(v) => format!("{name} {} {}", number(v), self.unit),
            None => format!("{name}: not measured"),
        };
        let what = match footnote {
            Some(n) => format!("{} [{n}]", self.what),
            None => self.what.clone(),
        };
        [
            what,
            value(&self.subject, self.value),
            self.peer
                .as_ref()
                .map_or_else(|| "—".to_owned(), |p| value(&p.name, p.value)),
            self.ratio
                .map_or_else(|| "—".to_owned(), |r| format!("{}×", number(r))),
            self.budget.clone().unwrap_or_else(|| "—".to_owned()),
            self.verdict
                .map_or_else(|| "—".to_owned(), |v| v.as_str().to_owned()),
        ]
    }
}

const HEADERS: [&str; 6] = [
    "metric",
    "measured",
    "compared with",
    "ratio",
    "budget",
    "verdict",
];

/// A number with as many decimals as its size deserves.
pub fn number(x: f64) -> String {
    let magnitude = x.abs();
    if magnitude >= 100.0 {
        format!("{x:.0}")
    } else if magnitude >= 10.0 {
        format!("{x:.1}")
    } else if magnitude >= 1.0 {
        format!("{x:.2}")
    } else if magnitude > 0.0 {
        // Three significant digits however small: 0.123, 0.0456, 0.000789.
        let decimals = (2.0 - magnitude.log10().floor()).min(12.0) as usize;
        format!("{x:.decimals$}")
    } else {
        "0".to_owned()
    }
}

/// Footnote numbers for the metrics that carry notes, in order.
fn footnotes(metrics: &[Metric]) -> Vec<Option<usize>> {
    let mut next = 0;
    metrics
        .iter()
        .map(|m| {
            m.note.as_ref().map(|_| {
                next += 1;
                next
            })
        })
        .collect()
}

/// The table as aligned plain text, notes below it.
pub fn text(metrics: &[Metric]) -> String {
    let notes = footnotes(metrics);
    let rows: Vec<[String; 6]> = metrics
        .iter()
        .zip(&notes)
        .map(|(m, n)| m.cells(*n))
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        padded.join("  ").trim_end().to_owned() + "\n"
    };
    let mut out = line(&HEADERS.map(String::from));
    out += &line(&widths.map(|w| "-".repeat(w)));
    for row in &rows {
        out += &line(row);
    }
    for (metric, n) in metrics.iter().zip(&notes) {
        if let (Some(note), Some(n)) = (&metric.note, n) {
            let _ = writeln!(out, "[{n}] {note}");
        }
    }
    out
}

/// The table as Markdown, notes as a numbered list below it.
pub fn markdown(metrics: &[Metric]) -> String {
    let notes = footnotes(metrics);
    let row = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    let mut out = row(&HEADERS.map(String::from));
    out += &row(&HEADERS.map(|_| "---".to_owned()));
    for (metric, n) in metrics.iter().zip(&notes) {
        out += &row(&metric.cells(*n).map(|c| c.replace('|', "\\|")));
    }
    out.push('\n');
    for (metric, n) in metrics.iter().zip(&notes) {
        if let (Some(note), Some(n)) = (&metric.note, n) {
            let _ = writeln!(out, "{n}. {note}");
        }
    }
    out
}

/// How many lines are within, over, and not measured against their budgets.
pub fn tally(metrics: &[Metric]) -> (usize, usize, usize) {
    let count = |v: Verdict| metrics.iter().filter(|m| m.verdict == Some(v)).count();
    (
        count(Verdict::Within),
        count(Verdict::Over),
        count(Verdict::NotMeasured),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_show_both_sides_the_ratio_and_notes() {
        let metrics = vec![
            Metric::new("a", "cold start", "ms", "flora-mcp", Some(12.5))
                .against("official", Some(250.0)),
            Metric::new("b", "size", "KiB", "flora-mcp", None).note("no component"),
        ];
        let table = text(&metrics);
        assert!(table.contains("flora-mcp 12.5 ms"), "{table}");
        assert!(table.contains("official 250 ms"), "{table}");
        assert!(table.contains("0.0500×"), "{table}");
        assert!(table.contains("size [1]"), "{table}");
        assert!(table.contains("[1] no component"), "{table}");
        let md = markdown(&metrics);
        assert!(md.starts_with("| metric | measured |"), "{md}");
        assert!(md.contains("1. no component"), "{md}");
    }

    #[test]
    fn numbers_keep_three_significant_digits_or_more() {
        assert_eq!(number(1234.4), "1234");
        assert_eq!(number(12.34), "12.3");
        assert_eq!(number(1.234), "1.23");
        assert_eq!(number(0.1234), "0.123");
        assert_eq!(number(0.04567), "0.0457");
        assert_eq!(number(0.000_789_1), "0.000789");
        assert_eq!(number(0.0), "0");
    }
}
