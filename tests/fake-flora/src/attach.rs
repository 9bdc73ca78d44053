//! Putting a ready asset on a project canvas as a static media node, as
//! `POST /projects/{p}/assets/{a}/attach` does and as an upload with `project_id` does once the
//! asset is ready.

use crate::canvas::{Node, NodeKind};
use crate::state::World;

/// Places asset `asset_id` on `project_id`'s canvas; returns the new node's id.
pub fn place_asset(world: &mut World, project_id: &str, asset_id: &str) -> Option<String> {
    let asset = world.assets.iter().find(|a| a.asset_id == asset_id)?;
    let media = asset.content_type.split('/').next().unwrap_or("image");
    let kind = NodeKind::static_of(media).unwrap_or(NodeKind::StaticImage);
    let node = Node {
        asset_id: Some(asset.asset_id.clone()),
        output_url: Some(asset.url.clone()),
        width: asset.width,
        height: asset.height,
        ..Node::new(kind, &asset.name)
    };
    let canvas = world.canvases.entry(project_id.to_owned()).or_default();
    let node_id = canvas.insert(node, None).node_id.clone();
    if let Some(asset) = world
        .assets
        .iter_mut()
        .find(|a| a.asset_id == asset_id && a.node_id.is_none())
    {
        asset.project_id = Some(project_id.to_owned());
        asset.node_id = Some(node_id.clone());
    }
    Some(node_id)
}

/// Surfaces a just-ready upload on the canvas of the project it was uploaded for, if any.
pub fn surface_upload(world: &mut World, asset_id: &str) {
    let project = world
        .assets
        .iter()
        .find(|a| a.asset_id == asset_id && a.node_id.is_none())
        .and_then(|a| a.project_id.clone());
    if let Some(project_id) = project {
        place_asset(world, &project_id, asset_id);
    }
}
