//! Summaries of timing samples: medians and nearest-rank percentiles.

use serde::Serialize;

/// The middle and the tail of a set of samples, in the samples' unit.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Summary {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Smallest sample.
    pub min: f64,
    /// How many samples.
    pub n: usize,
}

/// Summarises `samples`; `None` when there are none.
pub fn summarize(samples: &[f64]) -> Option<Summary> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Summary {
        p50: percentile(&sorted, 50.0),
        p99: percentile(&sorted, 99.0),
        min: sorted[0],
        n: sorted.len(),
    })
}

/// The nearest-rank percentile `p` (0 to 100) of `sorted`, which must not be empty.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let summary = summarize(&samples).unwrap();
        assert_eq!((summary.p50, summary.p99, summary.min), (50.0, 99.0, 1.0));
        let one = summarize(&[7.0]).unwrap();
        assert_eq!((one.p50, one.p99), (7.0, 7.0));
        assert!(summarize(&[]).is_none());
    }
}
