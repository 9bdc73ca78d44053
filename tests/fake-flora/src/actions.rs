//! The prebuilt action catalog: the 40 action ids of SDK 0.11.0, each with its input and output
//! slots and its parameter schema (keys and value types from the SDK's `ActionRunParams`
//! variants), rendered as `GET /actions` entries and used to validate `params` and `inputs`.

use crate::errors::FieldError;
use serde_json::{Map, Value, json};

/// One catalog row: id, name, description, input slots, output slots, parameters.
///
/// Slots are `type[:name][?|+]` separated by commas (`?` optional, `+` many). Parameters are
/// `key:kind` separated by spaces, where kind is `n` (number), `b` (boolean), `s` (string),
/// `xy` / `xyz` (a point), `range` (`{min,max}`), or `a|b|c` (one of those strings).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const ROWS: [Row; 40] = [
    (
        "color-grade-image-browser",
        "Color Grade Image",
        "Adjusts exposure, contrast and colour of an image.",
        "image",
        "image",
        concat!(
            "advanced:b brightness:n contrast:n highlights:n hue_shift:n saturation:n ",
            "shadows:n show_scope:b tint:n warmth:n",
        ),
    ),
    (
        "overlay-image-browser",
        "Overlay Image",
        "Places one image over another.",
        "image:base,image:overlay",
        "image",
        "blend:normal|multiply|screen|overlay|soft-light center:xy opacity:n rotation:n size:xy",
    ),
    (
        "draw-image-browser",
        "Draw on Image",
        "Paints brush strokes over an image.",
        "image",
        "image",
        "color:s erase:b size:n",
    ),
    (
        "crop-image-browser",
        "Crop Image",
        "Crops an image to a region.",
        "image",
        "image",
        "center:xy lock_aspect:b rotation:n size:xy",
    ),
    (
        "scene-3d-image-browser",
        "3D Scene",
        "Renders a simple 3D shape as an image.",
        "image?",
        "image",
        concat!(
            "aspect_ratio:1:1|16:9|9:16|4:3|3:4 background:s color:s offset:xy rotation:xyz ",
            "scale:xyz shape:cube|sphere|torus|cone|cylinder show_background:b size:n",
        ),
    ),
    (
        "blur-image-browser",
        "Blur Image",
        "Blurs an image, fully or with a brush.",
        "image",
        "image",
        concat!(
            "angle:n ",
            "blur_type:gaussian|box|motion|radial|bilateral|bokeh|tiltshift|targetcolor ",
            "bokeh_shape:circle|hexagon|pentagon brush_hardness:n brush_intensity:n ",
            "brush_size:n edge_threshold:n erase:b mode:full|draw radial_mode:zoom|spin ",
            "radial_strength:n radius:n target_color:s target_invert:b target_tolerance:n ",
            "tilt_center:n tilt_orientation:horizontal|vertical tilt_width:n",
        ),
    ),
    (
        "change-image-ar-browser",
        "Change Image Aspect Ratio",
        "Crops or pads an image to a new aspect ratio.",
        "image",
        "image",
        concat!(
            "aspect_ratio:1:1|16:9|9:16|4:3|3:4|3:2|2:3|21:9 background_mode:solid|blur ",
            "blur_amount:n fit:crop|pad pad_color:s",
        ),
    ),
    (
        "rotate-image-browser",
        "Rotate Image",
        "Rotates or flips an image.",
        "image",
        "image",
        concat!(
            "angle:n background:s canvas_mode:shrink|keep|expand ",
            "direction:none|horizontal|vertical|both transparent:b",
        ),
    ),
    (
        "color-filter-image-browser",
        "Color Filter Image",
        "Applies a photo filter to an image.",
        "image",
        "image",
        concat!(
            "bw_threshold:n colorpop_tolerance:n dot_angle:n dot_bg:s dot_color:s dot_size:n ",
            "filter:grayscale|sepia|invert|bw|posterize|solarize|duotone|clarendon|moon|",
            "nashville|noir|fade|vignette|colorpop|crossprocess|halftone ",
            "grain:n highlight_color:s intensity:n posterize_bits:n sepia_warmth:n ",
            "shadow_color:s solarize_threshold:n target_color:s vignette_softness:n ",
            "vignette_strength:n",
        ),
    ),
    (
        "color-tint-image-browser",
        "Color Tint Image",
        "Tints an image with a colour.",
        "image",
        "image",
        "blend_mode:multiply|screen|overlay|soft_light|color color:s intensity:n",
    ),
    (
        "filter-color-image-browser",
        "Filter Color",
        "Removes, replaces or keeps one colour.",
        "image",
        "image",
        concat!(
            "invert:b mode:remove|replace|keep replacement_color:s softness:n target_color:s ",
            "tolerance:n",
        ),
    ),
    (
        "duplicate-image-browser",
        "Duplicate Image",
        "Makes copies of an image.",
        "image",
        "image+",
        "count:n",
    ),
    (
        "side-by-side-composite-browser",
        "Side-by-Side Composite",
        "Lays several images out side by side.",
        "image+",
        "image",
        concat!(
            "background:s gap:n ",
            "layout:auto|horizontal-2|horizontal-3|vertical-2|vertical-3|grid-2x2 ",
            "normalize:match-shortest|match-largest|pad-to-largest",
        ),
    ),
    (
        "add-shape-to-image-browser",
        "Add Shape to Image",
        "Draws a shape over an image.",
        "image?",
        "image",
        concat!(
            "background:s center:xy fill_color:s fill_opacity:n height:n rotation:n ",
            "shape:rectangle|ellipse|triangle|star|hexagon show_background:b size:xy ",
            "stroke_color:s stroke_width:n width:n",
        ),
    ),
    (
        "add-text-to-image-browser",
        "Add Text to Image",
        "Sets text over an image.",
        "image?,text?",
        "image",
        concat!(
            "background:s center:xy color:s dimensions:xy ",
            "font_family:sans|sans-bold|sans-italic|serif|serif-bold|mono|mono-bold ",
            "font_size:n max_width:n opacity:n rotation:n shadow:b show_background:b text:s",
        ),
    ),
    (
        "qr-code-generator-browser",
        "QR Code Generator",
        "Encodes text as a QR code image.",
        "text",
        "image",
        "bg_color:s border:n error_correction:L|M|Q|H fg_color:s size:n",
    ),
    (
        "resize-image-browser",
        "Resize Image",
        "Resizes an image exactly, by percent, or by its longest side.",
        "image",
        "image",
        concat!(
            "bg_color:s fit:contain|cover|stretch height:n longest:n ",
            "mode:exact|percent|longest percent:n width:n",
        ),
    ),
    (
        "shader-effect-browser",
        "Shader Effect",
        "Applies a GPU shader effect to an image.",
        "image",
        "image",
        concat!(
            "bloom_strength:n bloom_threshold:n edge_thickness:n ",
            "effect:chromatic|glitch|edges|crt|ripple|kaleidoscope|bloom|pixelate ",
            "glitch_amount:n intensity:n ripple_amp:n ripple_freq:n scanline_strength:n ",
            "segments:n shift:n",
        ),
    ),
    (
        "split-text-browser",
        "Split Text",
        "Splits text into parts.",
        "text",
        "text+",
        concat!(
            "chars_per_part:n lines_per_part:n max_parts:n separator:s skip_empty:b ",
            "split_mode:separator|paragraph|bullets|lines|charCount trim_parts:b",
        ),
    ),
    (
        "find-and-replace-text-browser",
        "Find and Replace Text",
        "Replaces matches in text.",
        "text",
        "text",
        "case_sensitive:b find:s replace:s replace_all:b whole_word:b",
    ),
    (
        "concat-text-browser",
        "Concatenate Text",
        "Joins several texts into one.",
        "text+",
        "text",
        "add_headers:b prefix:s separator:s skip_empty:b suffix:s trim_parts:b wrap_each_part:b",
    ),
    (
        "ken-burns-video",
        "Ken Burns Video",
        "Turns a still into a slow pan-and-zoom clip.",
        "image",
        "video",
        concat!(
            "duration:n easing:linear|ease-in|ease-out|ease-in-out fps:24|30|60 ",
            "pan_direction:none|left|right|up|down zoom:n zoom_direction:none|in|out",
        ),
    ),
    (
        "stitch-videos",
        "Stitch Videos",
        "Joins clips into one video.",
        "video+",
        "video",
        concat!(
            "aspect_ratio:auto|21:9|16:9|3:2|4:3|5:4|1:1|4:5|3:4|2:3|9:16|9:21 ",
            "background_color:s background_mode:solid|blur blur_amount:n ",
            "fit_mode:contain|cover transition:none|fade|wipeleft|wiperight ",
            "transition_duration:n",
        ),
    ),
    (
        "split-video",
        "Split Video",
        "Cuts a video into segments.",
        "video",
        "video+",
        concat!(
            "scene_sensitivity:n segment_duration:n segments:n ",
            "split_mode:equal|duration|scene strip_audio:b trim_handles:n",
        ),
    ),
    (
        "extract-video-frames",
        "Extract Video Frames",
        "Pulls still frames out of a video.",
        "video",
        "image+",
        concat!(
            "every_seconds:n frame_count:n mode:single|evenly|interval|scene range:range ",
            "scene_sensitivity:n time_percent:n",
        ),
    ),
    (
        "color-grade-video",
        "Color Grade Video",
        "Adjusts the colour of a video.",
        "video",
        "video",
        "brightness:n contrast:n gamma:n saturation:n",
    ),
    (
        "video-to-frame-grid",
        "Video to Frame Grid",
        "Lays frames of a video out as a grid image.",
        "video",
        "image",
        "background:s cell_width:n cols:n gap:n rows:n",
    ),
    (
        "boomerang-video",
        "Boomerang Video",
        "Plays a clip forwards then backwards.",
        "video",
        "video",
        "include_audio:b speed:n",
    ),
    (
        "reverse-video",
        "Reverse Video",
        "Plays a video backwards.",
        "video",
        "video",
        "audio_mode:strip|reverse|keep",
    ),
    (
        "video-to-long-exposure",
        "Video to Long Exposure",
        "Blends a video's frames into one image.",
        "video",
        "image",
        "blend_mode:average|lighten|darken frame_stride:n max_frames:n",
    ),
    (
        "video-effect",
        "Video Effect",
        "Applies a look such as grain or VHS to a video.",
        "video",
        "video",
        concat!(
            "chromatic_offset:n effect:vignette|grain|pixelate|shake|chromatic|vhs ",
            "grain_strength:n pixel_block_size:n shake_amount:n vignette_angle:n",
        ),
    ),
    (
        "color-filter-video",
        "Color Filter Video",
        "Applies a photo filter to a video.",
        "video",
        "video",
        concat!(
            "bw_threshold:n ",
            "filter:grayscale|sepia|invert|bw|posterize|solarize|clarendon|moon|nashville|",
            "noir|fade|crossprocess ",
            "grain:n posterize_bits:n solarize_threshold:n",
        ),
    ),
    (
        "speed-up-video",
        "Speed Up Video",
        "Plays a video faster.",
        "video",
        "video",
        "factor:n keep_audio:b",
    ),
    (
        "slow-down-video",
        "Slow Down Video",
        "Plays a video slower.",
        "video",
        "video",
        "factor:n keep_audio:b smoothing:off|blend|motion",
    ),
    (
        "duplicate-video",
        "Duplicate Video",
        "Makes copies of a video.",
        "video",
        "video+",
        "count:n",
    ),
    (
        "greenscreen-video",
        "Greenscreen Video",
        "Keys out a background colour.",
        "video",
        "video",
        "blend:n color_preset:green|blue|custom custom_color:s similarity:n spill:b",
    ),
    (
        "resize-video",
        "Resize Video",
        "Changes a video's resolution.",
        "video",
        "video",
        "custom_resolution:n resolution:240|360|480|540|720|1080|1440|2160|custom",
    ),
    (
        "change-video-ar",
        "Change Video Aspect Ratio",
        "Crops or pads a video to a new aspect ratio.",
        "video",
        "video",
        concat!(
            "aspect_ratio:1:1|16:9|9:16|4:3|3:4|3:2|2:3|21:9 background_mode:solid|blur ",
            "blur_amount:n fit:crop|pad pad_color:s",
        ),
    ),
    (
        "split-audio-from-video",
        "Split Audio from Video",
        "Separates a video's soundtrack.",
        "video",
        "audio,video",
        "audio_format:auto|m4a|mp3|wav",
    ),
    (
        "merge-audio-into-video",
        "Merge Audio into Video",
        "Lays an audio track over a video.",
        "video,audio",
        "video",
        "duration:shortest|video|audio",
    ),
];

/// Every action id SDK 0.11.0 knows, in its order.
pub fn action_ids() -> impl Iterator<Item = &'static str> {
    ROWS.iter().map(|row| row.0)
}

/// A parameter's value type.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Number,
    Boolean,
    Text,
    Choice(Vec<&'static str>),
    Point(&'static [&'static str]),
}

/// An input or output slot.
#[derive(Debug, Clone)]
pub struct Slot {
    pub name: String,
    pub kind: &'static str,
    pub optional: bool,
    pub multiple: bool,
}

/// A released action.
#[derive(Debug, Clone)]
pub struct Action {
    pub action_id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub inputs: Vec<Slot>,
    pub outputs: Vec<Slot>,
    params: Vec<(&'static str, Kind)>,
}

/// The whole catalog, in SDK order.
pub fn catalog() -> Vec<Action> {
    ROWS.iter().map(action).collect()
}

fn action(&(action_id, name, description, inputs, outputs, params): &Row) -> Action {
    Action {
        action_id,
        name,
        description,
        inputs: slots(inputs),
        outputs: slots(outputs),
        params: params.split(' ').map(param).collect(),
    }
}

fn slots(spec: &str) -> Vec<Slot> {
    spec.split(',')
        .map(|slot| {
            let (body, optional, multiple) = match slot.as_bytes().last() {
                Some(b'?') => (&slot[..slot.len() - 1], true, false),
                Some(b'+') => (&slot[..slot.len() - 1], false, true),
                _ => (slot, false, false),
            };
            let (kind, name) = body.split_once(':').unwrap_or((body, body));
            let kind = ["image", "video", "audio", "text"]
                .into_iter()
                .find(|k| *k == kind)
                .unwrap_or("image");
            Slot {
                name: name.to_owned(),
                kind,
                optional,
                multiple,
            }
        })
        .collect()
}

fn param(spec: &'static str) -> (&'static str, Kind) {
    let (key, kind) = spec.split_once(':').unwrap_or((spec, "s"));
    let kind = match kind {
        "n" => Kind::Number,
        "b" => Kind::Boolean,
        "s" => Kind::Text,
        "xy" => Kind::Point(&["x", "y"]),
        "xyz" => Kind::Point(&["x", "y", "z"]),
        "range" => Kind::Point(&["min", "max"]),
        choices => Kind::Choice(choices.split('|').collect()),
    };
    (key, kind)
}

/// `hue_shift` → `Hue Shift`.
fn label(key: &str) -> String {
    key.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Slot {
    fn render(&self) -> Value {
        let mut slot = json!({ "name": self.name, "type": self.kind });
        if self.optional {
            slot["optional"] = json!(true);
        }
        if self.multiple {
            slot["multiple"] = json!(true);
            slot["dynamic"] = json!(true);
        }
        slot
    }
}

impl Action {
    /// `javascript` for the in-browser (`-browser`) actions, `python` for the rest.
    pub fn language(&self) -> &'static str {
        if self.action_id.ends_with("-browser") {
            "javascript"
        } else {
            "python"
        }
    }

    /// The `GET /actions` entry.
    pub fn render(&self) -> Value {
        let params: Vec<Value> = self
            .params
            .iter()
            .map(|(key, kind)| {
                let mut param = json!({ "key": key, "label": label(key) });
                param["type"] = json!(match kind {
                    Kind::Number => "number",
                    Kind::Boolean => "toggle",
                    Kind::Text if key.contains("color") || key.contains("background") => "color",
                    Kind::Text => "text",
                    Kind::Choice(_) => "select",
                    Kind::Point(_) => "vector",
                });
                if let Kind::Choice(values) = kind {
                    let values: Vec<Value> = values
                        .iter()
                        .map(|v| json!({ "label": label(v), "value": v }))
                        .collect();
                    param["available_values"] = json!(values);
                    param["default_value"] = json!(values[0]["value"]);
                }
                param
            })
            .collect();
        json!({
            "action_id": self.action_id,
            "name": self.name,
            "description": self.description,
            "language": self.language(),
            "charged_cost": 0,
            "inputs": self.inputs.iter().map(Slot::render).collect::<Vec<_>>(),
            "outputs": self.outputs.iter().map(Slot::render).collect::<Vec<_>>(),
            "params": params,
        })
    }

    /// Checks `params` (found at `path`, e.g. `params`) against the schema: unknown keys and
    /// wrongly typed values are errors.
    pub fn check_params(&self, params: &Map<String, Value>, path: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (key, value) in params {
            let field = format!("{path}.{key}");
            let Some((_, kind)) = self.params.iter().find(|(k, _)| k == key) else {
                let message = format!(
                    "{field} is not a parameter of {}; expected one of {}",
                    self.action_id,
                    self.params
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                errors.push(FieldError::new(field, message));
                continue;
            };
            let problem = match kind {
                Kind::Number => (!value.is_number()).then(|| "must be a number".to_owned()),
                Kind::Boolean => (!value.is_boolean()).then(|| "must be a boolean".to_owned()),
                Kind::Text => (!value.is_string()).then(|| "must be a string".to_owned()),
                Kind::Choice(choices) => (!value.as_str().is_some_and(|v| choices.contains(&v)))
                    .then(|| format!("must be one of {}", choices.join(", "))),
                Kind::Point(axes) => {
                    let fits = value.as_object().is_some_and(|point| {
                        point.len() == axes.len()
                            && axes
                                .iter()
                                .all(|a| point.get(*a).is_some_and(Value::is_number))
                    });
                    (!fits).then(|| format!("must be an object with numbers {}", axes.join(", ")))
                }
            };
            if let Some(problem) = problem {
                errors.push(FieldError::new(&field, format!("{field} {problem}")));
            }
        }
        errors
    }

    /// The media types its inputs accept.
    pub fn accepts(&self, kind: &str) -> bool {
        self.inputs.iter().any(|slot| slot.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(id: &str) -> Action {
        catalog().into_iter().find(|a| a.action_id == id).unwrap()
    }

    #[test]
    fn forty_unique_ids() {
        let mut ids: Vec<_> = action_ids().collect();
        assert_eq!(ids.len(), 40);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 40);
        assert!(catalog().iter().all(|a| !a.params.is_empty()));
    }

    #[test]
    fn params_are_typed() {
        let rotate = find("rotate-image-browser");
        let ok = json!({ "angle": 90, "canvas_mode": "expand", "transparent": true });
        assert!(
            rotate
                .check_params(ok.as_object().unwrap(), "params")
                .is_empty()
        );
        let bad = json!({ "angle": "90", "canvas_mode": "huge", "zoom": 1 });
        let mut fields: Vec<_> = rotate
            .check_params(bad.as_object().unwrap(), "params")
            .into_iter()
            .map(|e| e.field)
            .collect();
        fields.sort();
        assert_eq!(
            fields,
            ["params.angle", "params.canvas_mode", "params.zoom"]
        );
        let crop = find("crop-image-browser");
        let point = json!({ "center": { "x": 1, "y": 2 }, "size": { "x": 1 } });
        let errors = crop.check_params(point.as_object().unwrap(), "params");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "params.size");
    }

    #[test]
    fn enum_values_may_hold_colons() {
        let ar = find("change-image-ar-browser");
        let ok = json!({ "aspect_ratio": "16:9" });
        assert!(
            ar.check_params(ok.as_object().unwrap(), "params")
                .is_empty()
        );
        assert_eq!(
            ar.render()["params"][0]["available_values"][1]["value"],
            "16:9"
        );
    }
}
