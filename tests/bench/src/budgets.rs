//! The budgets in `tests/bench/budgets.toml` and the verdict of each measured line against
//! them: a ratio to the peer measured in the same run (`max_ratio`), or an absolute bound in the
//! line's unit (`max`, `min`).

use crate::report::Metric;
use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One budget; exactly one bound is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// The line's value divided by its peer's may be at most this.
    pub max_ratio: Option<f64>,
    /// The line's value may be at most this.
    pub max: Option<f64>,
    /// The line's value must be at least this.
    pub min: Option<f64>,
}

/// Budgets by line key.
pub type Budgets = BTreeMap<String, Budget>;

/// What a line's measurement says about its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Measured and within the budget.
    Within,
    /// Measured and over the budget.
    Over,
    /// The budget could not be checked: the line or its peer was not measured.
    NotMeasured,
}

impl Verdict {
    /// How the table shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Within => "within",
            Verdict::Over => "OVER",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// Reads and checks the budgets file.
///
/// # Errors
/// Fails when the file cannot be read or parsed, or a budget sets no bound or more than one.
pub fn load(path: &Path) -> anyhow::Result<Budgets> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    let budgets: Budgets =
        toml::from_str(&text).with_context(|| format!("parse {}", path.display()))?;
    for (key, budget) in &budgets {
        let bounds = [budget.max_ratio, budget.max, budget.min];
        if bounds.iter().flatten().count() != 1 {
            bail!("budget {key} must set exactly one of max_ratio, max and min");
        }
    }
    Ok(budgets)
}

/// Marks every metric that has a budget; returns the keys of budgets no metric has.
pub fn apply(budgets: &Budgets, metrics: &mut [Metric]) -> Vec<String> {
    let mut unused = Vec::new();
    for (key, budget) in budgets {
        let Some(metric) = metrics.iter_mut().find(|m| m.key == *key) else {
            unused.push(key.clone());
            continue;
        };
        let (bound, verdict) = judge(budget, metric);
        metric.budget = Some(bound);
        metric.verdict = Some(verdict);
    }
    unused
}

fn judge(budget: &Budget, metric: &Metric) -> (String, Verdict) {
    let verdict = |ok: Option<bool>| match ok {
        Some(true) => Verdict::Within,
        Some(false) => Verdict::Over,
        None => Verdict::NotMeasured,
    };
    if let Some(limit) = budget.max_ratio {
        let peer = metric.peer.as_ref().map_or("peer", |p| p.name.as_str());
        let bound = format!("≤ {}× {peer}", crate::report::number(limit));
        (bound, verdict(metric.ratio.map(|r| r <= limit)))
    } else if let Some(limit) = budget.max {
        let bound = format!("≤ {} {}", crate::report::number(limit), metric.unit);
        (bound, verdict(metric.value.map(|v| v <= limit)))
    } else {
        let limit = budget.min.unwrap_or_default();
        let bound = format!("≥ {} {}", crate::report::number(limit), metric.unit);
        (bound, verdict(metric.value.map(|v| v >= limit)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Metric;

    #[test]
    fn the_committed_budgets_parse_and_bound_once_each() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("budgets.toml");
        let budgets = load(&path).unwrap();
        assert!(budgets.contains_key("cold_start_ms"));
        assert_eq!(budgets["cold_start_ms"].max_ratio, Some(0.1));
        assert_eq!(budgets["cold_start_peak_rss_mib"].max_ratio, Some(0.25));
        assert_eq!(budgets["tool_call_ms"].max_ratio, Some(2.0));
    }

    #[test]
    fn ratios_and_absolute_bounds_are_judged() {
        let budgets: Budgets = toml::from_str(
            "[a]\nmax_ratio = 0.5\n[b]\nmax = 10.0\n[c]\nmin = 100.0\n[d]\nmax = 1.0\n",
        )
        .unwrap();
        let mut metrics = vec![
            Metric::new("a", "a", "ms", "flora-mcp", Some(4.0)).against("official", Some(10.0)),
            Metric::new("b", "b", "MiB", "flora-mcp", Some(12.0)),
            Metric::new("c", "c", "calls/s", "flora-mcp", Some(150.0)),
        ];
        let unused = apply(&budgets, &mut metrics);
        assert_eq!(unused, vec!["d".to_owned()]);
        let verdicts: Vec<_> = metrics.iter().map(|m| m.verdict.unwrap()).collect();
        assert_eq!(verdicts, [Verdict::Within, Verdict::Over, Verdict::Within]);
        let mut unmeasured =
            vec![Metric::new("a", "a", "ms", "flora-mcp", Some(4.0)).against("official", None)];
        apply(&budgets, &mut unmeasured);
        assert_eq!(unmeasured[0].verdict, Some(Verdict::NotMeasured));
    }

    #[test]
    fn a_budget_needs_exactly_one_bound() {
        let dir = std::env::temp_dir().join(format!("flora-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("budgets.toml");
        std::fs::write(&file, "[a]\nmax = 1.0\nmin = 0.5\n").unwrap();
        assert!(load(&file).unwrap_err().to_string().contains("exactly one"));
        std::fs::write(&file, "[a]\n").unwrap();
        assert!(load(&file).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
