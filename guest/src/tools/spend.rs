//! The spend ceiling (`--max-run-cost`): before anything billed is created, price it the way
//! FLORA does — a Technique's `run_cost`, a model's `estimated_credits` (about $0.001 each),
//! an action's `charged_cost` — and refuse when the price is above the person's ceiling.

use super::{Ctx, Stop};
use crate::prelude::*;
use crate::render;
use serde_json::Value;

/// USD per FLORA credit, as FLORA settles model runs (the reference: 4 credits → $0.004).
pub const USD_PER_CREDIT: f64 = 0.001;

impl Ctx<'_> {
    /// Refuses a run of `technique` priced above the ceiling.
    pub(super) fn check_technique(&self, technique: &str) -> Result<(), Stop> {
        let Some(limit) = self.session.max_run_cost else {
            return Ok(());
        };
        let found = self.client.get(&["techniques", technique], &[])?;
        let price = found["run_cost"].as_f64().unwrap_or(f64::INFINITY);
        if price > limit {
            let subject = format!("{technique} costs");
            return Err(Stop::Refused(render::over_ceiling(&subject, price, limit)));
        }
        Ok(())
    }

    /// Refuses a generation of `kind` with `model` (FLORA's default for the type when `None`,
    /// priced as the most expensive model of the type) estimated above the ceiling.
    pub(super) fn check_model(&self, kind: &str, model: Option<&str>) -> Result<(), Stop> {
        let Some(limit) = self.session.max_run_cost else {
            return Ok(());
        };
        let list = self.client.get(&["models"], &[("type", kind.to_owned())])?;
        let models = list["models"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let credits = |m: &Value| m["estimated_credits"].as_f64();
        let (subject, price) = match model {
            Some(model) => {
                let Some(found) = models.iter().find(|m| m["model_id"] == model) else {
                    let subject = format!("model `{model}` is not among the {kind} models");
                    return Err(Stop::Refused(render::unpriced(&subject, limit)));
                };
                let Some(c) = credits(found) else {
                    let subject = format!("model `{model}` has no estimate");
                    return Err(Stop::Refused(render::unpriced(&subject, limit)));
                };
                (
                    format!("a generation with {model} ({c} credits) is estimated at"),
                    c * USD_PER_CREDIT,
                )
            }
            None => {
                let most = models.iter().filter_map(credits).fold(0.0, f64::max);
                (
                    format!(
                        "a {kind} generation with FLORA's default model, priced as the most \
                         expensive {kind} model ({most} credits), is estimated at"
                    ),
                    most * USD_PER_CREDIT,
                )
            }
        };
        if price > limit {
            return Err(Stop::Refused(render::over_ceiling(&subject, price, limit)));
        }
        Ok(())
    }

    /// Refuses a run of prebuilt action `action` priced above the ceiling.
    pub(super) fn check_action(&self, action: &str) -> Result<(), Stop> {
        let Some(limit) = self.session.max_run_cost else {
            return Ok(());
        };
        let found = self.client.get(&["actions", action], &[])?;
        let price = found["charged_cost"].as_f64().unwrap_or(0.0);
        if price > limit {
            let subject = format!("action {action} costs");
            return Err(Stop::Refused(render::over_ceiling(&subject, price, limit)));
        }
        Ok(())
    }

    /// Refuses running canvas nodes whose models' estimates add up above the ceiling. A node
    /// without a model is priced as the most expensive model of its type; ids the canvas does
    /// not have are left to FLORA, which skips them without charge.
    pub(super) fn check_nodes(
        &self,
        workspace: &str,
        project: &str,
        node_ids: &[&str],
    ) -> Result<(), Stop> {
        let Some(limit) = self.session.max_run_cost else {
            return Ok(());
        };
        let graph = self.client.get(
            &["workspaces", workspace, "projects", project, "graph"],
            &[],
        )?;
        let models = self.client.get(&["models"], &[])?;
        let models = models["models"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let nodes = graph["nodes"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut credits = 0.0;
        for wanted in node_ids {
            let Some(node) = nodes
                .iter()
                .find(|n| n["id"] == *wanted || n["node_id"] == *wanted)
            else {
                continue;
            };
            let configured = node["model_id"].as_str().or(node["model"].as_str());
            let estimate = match configured {
                Some(model) => models
                    .iter()
                    .find(|m| m["model_id"] == model || m["name"] == model)
                    .and_then(|m| m["estimated_credits"].as_f64()),
                None => models
                    .iter()
                    .filter(|m| m["type"] == node["type"])
                    .filter_map(|m| m["estimated_credits"].as_f64())
                    .reduce(f64::max),
            };
            let Some(estimate) = estimate else {
                let subject = format!("node {wanted}'s model has no estimate");
                return Err(Stop::Refused(render::unpriced(&subject, limit)));
            };
            credits += estimate;
        }
        let price = credits * USD_PER_CREDIT;
        if price > limit {
            let subject = format!(
                "running {} node(s) ({credits} credits in all) is estimated at",
                node_ids.len()
            );
            return Err(Stop::Refused(render::over_ceiling(&subject, price, limit)));
        }
        Ok(())
    }
}
