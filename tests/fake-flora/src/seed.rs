//! The seeded world: API keys, workspaces, model and technique catalogs, projects and assets,
//! shaped like FLORA's real catalog, with their ids exported as constants for tests.

use crate::canvas::{Canvas, Edge, Node, NodeKind, NodeStatus};
use crate::catalog::{
    Asset, IoType, Model, ModelParam, ParamOption, Project, Technique, TechniqueIo, Workspace,
};
use crate::folders::ProjectFolder;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The API key tests use by default; it belongs to [`SEED_WORKSPACE_ID`].
pub const DEFAULT_API_KEY: &str = "sk_test_fake_0000000000000000";
/// A second key, for [`OTHER_WORKSPACE_ID`]; its resources must read as 404 to the default key.
pub const OTHER_API_KEY: &str = "sk_test_fake_1111111111111111";

/// The default key's workspace.
pub const SEED_WORKSPACE_ID: &str = "ws_qd74cjtasft9ydr6yqneqjkqax822mhs";
pub const SEED_WORKSPACE_NAME: &str = "Acme Studio";
/// The other key's workspace.
pub const OTHER_WORKSPACE_ID: &str = "ws_h6d5hbvq6rei3cl4y088p0u1z174unk8";
pub const OTHER_WORKSPACE_NAME: &str = "Globex Labs";

/// The seed workspace's most recently active project; technique runs land here.
pub const SEED_PROJECT_ID: &str = "prj_arf9d4q5zim7vde5zzf131fxwoq9fa63";
pub const SEED_PROJECT_2_ID: &str = "prj_7r3mgdg6nsnatiwbxygdtq1qyn7jm491";
pub const SEED_PROJECT_3_ID: &str = "prj_jeecac1m8g4ei2u6aogun3dr9wl6sg9u";
/// The other workspace's only project.
pub const OTHER_PROJECT_ID: &str = "prj_dtuik4ba7buu6m6xvx8oo2xg8mxy4hea";

/// A ready PNG in [`SEED_PROJECT_ID`], placed on its canvas.
pub const SEED_ASSET_ID: &str = "asset_4ly19n0smded6ekz4jfrgz763elp3u2f";
pub const SEED_VIDEO_ASSET_ID: &str = "asset_6u19x9lu8t54kzud95pe7qqfdm1nyggn";
pub const SEED_DOCUMENT_ASSET_ID: &str = "asset_uuk3irnb17x4lv000k2otlzlheyrpc5c";
pub const SEED_AUDIO_ASSET_ID: &str = "asset_gunwozdsp3nhxtrqn5j4yxz2rci8im94";
/// The other workspace's only asset.
pub const OTHER_ASSET_ID: &str = "asset_ci8f89uc5wvk97d3u9r92220b0lhp86e";

/// The static image node showing [`SEED_ASSET_ID`] on [`SEED_PROJECT_ID`]'s canvas (short id `n1`).
pub const SEED_IMAGE_NODE_ID: &str = "node_sliohqfagvzlon1xglqq";
/// A text node with its output on [`SEED_PROJECT_ID`]'s canvas (short id `n2`).
pub const SEED_TEXT_NODE_ID: &str = "node_b2k7c4pj0r9xw1qsy5de";
/// An idle image generation node (`t2i-flux-2-pro`) wired from `n1` and `n2` (short id `n3`).
pub const SEED_GENERATION_NODE_ID: &str = "node_m3x8t1zq6vb0hk2ra9nc";

/// A shared project folder in the seed workspace.
pub const SEED_FOLDER_ID: &str = "fld_k29vd0tq7mzx3n4b8h1c6yrw5sle2pfj";
/// A private project folder in the seed workspace, owned by someone else: reads as 404.
pub const SEED_PRIVATE_FOLDER_ID: &str = "fld_p5w8e2rn0qj7c3zk9tb6ym1vd4lxah8u";
/// The other workspace's project folder.
pub const OTHER_FOLDER_ID: &str = "fld_z7c2m9kq4tw1x8v0n3hb5rd6pyl2se9a";

/// A one-image-in, one-image-out technique costing 0.05 USD.
pub const SEED_TECHNIQUE_ID: &str = "tech_cctv-cam";
pub const SEED_TECHNIQUE_SLUG: &str = "cctv-cam";
/// Text in (one input optional), text out.
pub const TEXT_TECHNIQUE_ID: &str = "tech_auto-translate";
/// Image in, video out.
pub const VIDEO_TECHNIQUE_ID: &str = "tech_product-motion";
/// Several inputs, one optional.
pub const MULTI_INPUT_TECHNIQUE_ID: &str = "tech_moodboard-maker";

/// A text-to-image model.
pub const SEED_MODEL_ID: &str = "t2i-flux-2-pro";

/// How many techniques, models, projects (all workspaces) and assets (all workspaces) are seeded.
pub const SEED_TECHNIQUE_COUNT: usize = 13;
pub const SEED_MODEL_COUNT: usize = 10;

/// Everything the fake starts with.
pub(crate) struct Seed {
    pub workspaces: Vec<Workspace>,
    pub models: Vec<Model>,
    pub techniques: Vec<Technique>,
    pub projects: Vec<Project>,
    pub assets: Vec<Asset>,
    pub canvases: HashMap<String, Canvas>,
    pub folders: Vec<ProjectFolder>,
}

/// The default key → workspace map.
pub(crate) fn default_api_keys() -> Vec<(String, String)> {
    vec![
        (DEFAULT_API_KEY.to_owned(), SEED_WORKSPACE_ID.to_owned()),
        (OTHER_API_KEY.to_owned(), OTHER_WORKSPACE_ID.to_owned()),
    ]
}

pub(crate) fn seed() -> Seed {
    Seed {
        workspaces: workspaces(),
        models: models(),
        techniques: techniques(),
        projects: projects(),
        assets: assets(),
        canvases: canvases(),
        folders: folders(),
    }
}

fn folders() -> Vec<ProjectFolder> {
    let folder = |id: &str, workspace: &str, private: bool| ProjectFolder {
        folder_id: id.to_owned(),
        workspace_id: workspace.to_owned(),
        private,
    };
    vec![
        folder(SEED_FOLDER_ID, SEED_WORKSPACE_ID, false),
        folder(SEED_PRIVATE_FOLDER_ID, SEED_WORKSPACE_ID, true),
        folder(OTHER_FOLDER_ID, OTHER_WORKSPACE_ID, false),
    ]
}

/// A static node showing the seeded asset `asset_id`.
fn asset_node(node_id: &str, asset_id: &str, kind: NodeKind, label: &str) -> Node {
    let asset = assets()
        .into_iter()
        .find(|a| a.asset_id == asset_id)
        .expect("seeded asset");
    Node {
        node_id: node_id.to_owned(),
        asset_id: Some(asset.asset_id),
        output_url: Some(asset.url),
        width: asset.width,
        height: asset.height,
        ..Node::new(kind, label)
    }
}

fn canvases() -> HashMap<String, Canvas> {
    let mut spring = Canvas::default();
    let photo = asset_node(
        SEED_IMAGE_NODE_ID,
        SEED_ASSET_ID,
        NodeKind::StaticImage,
        "hero-shot.png",
    );
    spring.insert(photo, Some((0.0, 0.0)));
    let tagline = Node {
        node_id: SEED_TEXT_NODE_ID.to_owned(),
        prompt: Some("Write a five-word spring tagline for a sneaker".to_owned()),
        model_id: Some("i2t-gemini-3-flash".to_owned()),
        output_text: Some("Step lightly into spring.".to_owned()),
        status: Some(NodeStatus::Done),
        ..Node::new(NodeKind::Text, "Spring tagline")
    };
    spring.insert(tagline, Some((0.0, 400.0)));
    let editorial = Node {
        node_id: SEED_GENERATION_NODE_ID.to_owned(),
        prompt: Some("Editorial campaign image of the sneaker on a pastel set".to_owned()),
        model_id: Some(SEED_MODEL_ID.to_owned()),
        params: json!({ "aspect_ratio": "landscape_16_9" })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ..Node::new(NodeKind::Image, "Editorial campaign image")
    };
    spring.insert(editorial, Some((600.0, 200.0)));
    spring.edges.push(Edge::new(
        SEED_IMAGE_NODE_ID,
        SEED_GENERATION_NODE_ID,
        Some("image".to_owned()),
    ));
    spring.edges.push(Edge::new(
        SEED_TEXT_NODE_ID,
        SEED_GENERATION_NODE_ID,
        Some("text".to_owned()),
    ));

    let mut shots = Canvas::default();
    let turntable = asset_node(
        "node_66en80obk558ahfwrcfu",
        SEED_VIDEO_ASSET_ID,
        NodeKind::StaticVideo,
        "product-turntable.mp4",
    );
    shots.insert(turntable, Some((0.0, 0.0)));

    let mut globex = Canvas::default();
    let logo = asset_node(
        "node_sqhc71nql7xz7rtitf6n",
        OTHER_ASSET_ID,
        NodeKind::StaticImage,
        "globex-logo.png",
    );
    globex.insert(logo, Some((0.0, 0.0)));

    HashMap::from([
        (SEED_PROJECT_ID.to_owned(), spring),
        (SEED_PROJECT_2_ID.to_owned(), shots),
        (SEED_PROJECT_3_ID.to_owned(), Canvas::default()),
        (OTHER_PROJECT_ID.to_owned(), globex),
    ])
}

// 2026-01-12T09:30:00Z and a day in milliseconds, to build readable timestamps.
const JAN_12: u64 = 1_768_210_200_000;
const DAY: u64 = 86_400_000;

fn workspaces() -> Vec<Workspace> {
    vec![
        Workspace {
            workspace_id: SEED_WORKSPACE_ID.to_owned(),
            name: SEED_WORKSPACE_NAME.to_owned(),
            created_at: Some(JAN_12),
            role: "owner".to_owned(),
        },
        Workspace {
            workspace_id: OTHER_WORKSPACE_ID.to_owned(),
            name: OTHER_WORKSPACE_NAME.to_owned(),
            created_at: Some(JAN_12 + 40 * DAY),
            role: "member".to_owned(),
        },
    ]
}

fn project(id: &str, workspace: &str, name: &str, origin: Option<&str>, created: u64) -> Project {
    Project {
        project_id: id.to_owned(),
        workspace_id: workspace.to_owned(),
        name: name.to_owned(),
        origin: origin.map(str::to_owned),
        created_at: created,
        last_modified: None,
        folder_id: None,
    }
}

fn projects() -> Vec<Project> {
    let ws = SEED_WORKSPACE_ID;
    vec![
        Project {
            last_modified: Some(JAN_12 + 190 * DAY),
            ..project(
                SEED_PROJECT_ID,
                ws,
                "Spring Campaign",
                Some("api"),
                JAN_12 + 120 * DAY,
            )
        },
        Project {
            last_modified: Some(JAN_12 + 170 * DAY),
            ..project(
                SEED_PROJECT_2_ID,
                ws,
                "Product Shots",
                Some("app"),
                JAN_12 + 30 * DAY,
            )
        },
        project(
            SEED_PROJECT_3_ID,
            ws,
            "Moodboard Archive",
            None,
            JAN_12 + 2 * DAY,
        ),
        Project {
            last_modified: Some(JAN_12 + 150 * DAY),
            ..project(
                OTHER_PROJECT_ID,
                OTHER_WORKSPACE_ID,
                "Globex Launch",
                Some("api"),
                JAN_12 + 41 * DAY,
            )
        },
    ]
}

struct AssetSeed {
    id: &'static str,
    workspace: &'static str,
    project: Option<(&'static str, &'static str)>,
    name: &'static str,
    description: Option<&'static str>,
    content_type: &'static str,
    via: &'static str,
    size: (Option<u32>, Option<u32>, u64),
    created: u64,
}

fn asset(seed: AssetSeed) -> Asset {
    let (width, height, bytes) = seed.size;
    Asset {
        asset_id: seed.id.to_owned(),
        workspace_id: seed.workspace.to_owned(),
        project_id: seed.project.map(|(project, _)| project.to_owned()),
        node_id: seed.project.map(|(_, node)| node.to_owned()),
        name: seed.name.to_owned(),
        description: seed.description.map(str::to_owned),
        url: format!(
            "https://ik.imagekit.io/flora/fake/{}/{}",
            seed.id, seed.name
        ),
        content_type: seed.content_type.to_owned(),
        upload_content_type: Some(seed.content_type.to_owned()),
        uploaded_via: seed.via.to_owned(),
        status: "ready".to_owned(),
        width,
        height,
        size_bytes: Some(bytes),
        created_at: seed.created,
        failure_message: None,
        upload: None,
    }
}

fn assets() -> Vec<Asset> {
    let ws = SEED_WORKSPACE_ID;
    [
        AssetSeed {
            id: SEED_ASSET_ID,
            workspace: ws,
            project: Some((SEED_PROJECT_ID, "node_sliohqfagvzlon1xglqq")),
            name: "hero-shot.png",
            description: Some("Hero product shot on a pastel backdrop"),
            content_type: "image/png",
            via: "direct",
            size: (Some(2048), Some(2048), 3_145_728),
            created: JAN_12 + 121 * DAY,
        },
        AssetSeed {
            id: SEED_VIDEO_ASSET_ID,
            workspace: ws,
            project: Some((SEED_PROJECT_2_ID, "node_66en80obk558ahfwrcfu")),
            name: "product-turntable.mp4",
            description: Some("Eight-second turntable of the spring sneaker"),
            content_type: "video/mp4",
            via: "url",
            size: (Some(1920), Some(1080), 18_874_368),
            created: JAN_12 + 160 * DAY,
        },
        AssetSeed {
            id: SEED_DOCUMENT_ASSET_ID,
            workspace: ws,
            project: None,
            name: "brand-guidelines.pdf",
            description: Some("Acme brand guidelines, 2026 edition"),
            content_type: "application/pdf",
            via: "signed_url",
            size: (None, None, 7_340_032),
            created: JAN_12 + 15 * DAY,
        },
        AssetSeed {
            id: SEED_AUDIO_ASSET_ID,
            workspace: ws,
            project: None,
            name: "jingle.mp3",
            description: None,
            content_type: "audio/mpeg",
            via: "direct",
            size: (None, None, 524_288),
            created: JAN_12 + 100 * DAY,
        },
        AssetSeed {
            id: OTHER_ASSET_ID,
            workspace: OTHER_WORKSPACE_ID,
            project: Some((OTHER_PROJECT_ID, "node_sqhc71nql7xz7rtitf6n")),
            name: "globex-logo.png",
            description: Some("Globex logo, transparent background"),
            content_type: "image/png",
            via: "direct",
            size: (Some(1024), Some(1024), 262_144),
            created: JAN_12 + 42 * DAY,
        },
    ]
    .into_iter()
    .map(asset)
    .collect()
}

fn io(id: &'static str, name: &'static str, kind: IoType) -> TechniqueIo {
    TechniqueIo {
        id,
        name,
        kind,
        description: None,
        optional: None,
        allow_multiple: None,
        accepts_element: None,
        specified_aspect_ratio: None,
        specified_duration: None,
    }
}

impl TechniqueIo {
    fn describe(self, description: &'static str) -> TechniqueIo {
        TechniqueIo {
            description: Some(description),
            ..self
        }
    }

    fn optional(self) -> TechniqueIo {
        TechniqueIo {
            optional: Some(true),
            ..self
        }
    }

    fn multiple(self) -> TechniqueIo {
        TechniqueIo {
            allow_multiple: Some(true),
            ..self
        }
    }

    fn element(self) -> TechniqueIo {
        TechniqueIo {
            accepts_element: Some(true),
            ..self
        }
    }

    fn aspect(self, ratio: &'static str) -> TechniqueIo {
        TechniqueIo {
            specified_aspect_ratio: Some(ratio),
            ..self
        }
    }

    fn seconds(self, duration: u32) -> TechniqueIo {
        TechniqueIo {
            specified_duration: Some(duration),
            ..self
        }
    }
}

fn technique(
    id: &'static str,
    name: &'static str,
    description: &'static str,
    run_cost: f64,
    inputs: Vec<TechniqueIo>,
    outputs: Vec<TechniqueIo>,
) -> Technique {
    Technique {
        technique_id: id,
        name,
        description: Some(description),
        run_cost,
        inputs,
        outputs,
    }
}

fn techniques() -> Vec<Technique> {
    use IoType::{AudioUrl, DocumentUrl, ImageUrl, Text, VideoUrl};
    let image_in = || io("input_image", "Input Image", ImageUrl);
    let image_out = || io("output_image", "Output Image", ImageUrl);
    vec![
        technique(
            SEED_TECHNIQUE_ID,
            "CCTV Cam",
            "Turns any photo into a grainy security-camera still with a timestamp overlay.",
            0.05,
            vec![image_in().describe("The photo to re-shoot as CCTV footage")],
            vec![image_out()],
        ),
        technique(
            TEXT_TECHNIQUE_ID,
            "Auto Translate",
            "Translates copy into another language while keeping brand tone.",
            0.01,
            vec![
                io("source_text", "Source Text", Text).describe("The copy to translate"),
                io("target_language", "Target Language", Text).describe("e.g. French"),
                io("tone", "Tone", Text)
                    .describe("Optional tone such as formal")
                    .optional(),
            ],
            vec![io("translated_text", "Translated Text", Text)],
        ),
        technique(
            VIDEO_TECHNIQUE_ID,
            "Product Motion",
            "Animates a still product photo into a short looping clip.",
            0.4,
            vec![
                io("product_image", "Product Image", ImageUrl).element(),
                io("motion_prompt", "Motion Prompt", Text).optional(),
            ],
            vec![
                io("output_video", "Output Video", VideoUrl)
                    .aspect("9:16")
                    .seconds(5),
            ],
        ),
        technique(
            MULTI_INPUT_TECHNIQUE_ID,
            "Mood Board Maker",
            "Composes a mood board from a theme and a few reference images.",
            0.12,
            vec![
                io("theme", "Theme", Text).describe("A few words describing the mood"),
                io("reference_image_1", "Reference Image 1", ImageUrl),
                io("reference_image_2", "Reference Image 2", ImageUrl),
                io("reference_image_3", "Reference Image 3", ImageUrl).optional(),
            ],
            vec![io("moodboard", "Mood Board", ImageUrl).aspect("16:9")],
        ),
        technique(
            "tech_art-directors-critique",
            "Art Director's Critique",
            "Gives structured art-direction feedback on an image.",
            0.02,
            vec![image_in(), io("brief", "Creative Brief", Text).optional()],
            vec![io("critique", "Critique", Text)],
        ),
        technique(
            "tech_character-lock",
            "Character Lock",
            "Keeps a character consistent while placing it in new scenes.",
            0.15,
            vec![
                io("character_reference", "Character Reference", ImageUrl).element(),
                io("scene_prompt", "Scene Prompt", Text),
            ],
            vec![image_out()],
        ),
        technique(
            "tech_color-transfer",
            "Color Transfer",
            "Re-grades an image with the palette of another.",
            0.06,
            vec![
                io("source_image", "Source Image", ImageUrl),
                io("palette_image", "Palette Image", ImageUrl),
            ],
            vec![image_out()],
        ),
        technique(
            "tech_earth-zoom-out",
            "Earth Zoom Out",
            "Pulls back from a location to a view of the whole planet.",
            0.5,
            vec![io("start_image", "Start Image", ImageUrl)],
            vec![
                io("output_video", "Output Video", VideoUrl)
                    .aspect("16:9")
                    .seconds(8),
            ],
        ),
        technique(
            "tech_glam-shots",
            "Glam Shots",
            "Studio-lit glamour portraits from casual photos.",
            0.08,
            vec![io("portrait", "Portrait", ImageUrl).multiple()],
            vec![image_out().aspect("4:5")],
        ),
        technique(
            "tech_icon-pack",
            "Icon Pack",
            "Designs a matching set of icons and exports a sheet and a PDF.",
            0.1,
            vec![
                io("subject", "Subject", Text),
                io("style_reference", "Style Reference", ImageUrl).optional(),
            ],
            vec![
                io("icon_sheet", "Icon Sheet", ImageUrl).aspect("1:1"),
                io("icon_pdf", "Icon PDF", DocumentUrl),
            ],
        ),
        technique(
            "tech_palette-pull",
            "Palette Pull",
            "Extracts a named colour palette from an image.",
            0.0,
            vec![image_in()],
            vec![
                io("palette", "Palette", Text),
                io("swatches", "Swatches", ImageUrl),
            ],
        ),
        technique(
            "tech_ugc-creation",
            "UGC Creator",
            "Turns a product photo and a script into a creator-style video with voice-over.",
            0.35,
            vec![
                io("product_image", "Product Image", ImageUrl),
                io("script", "Script", Text),
            ],
            vec![
                io("output_video", "Output Video", VideoUrl)
                    .aspect("9:16")
                    .seconds(15),
                io("voiceover", "Voice-over", AudioUrl),
            ],
        ),
        technique(
            "tech_video-scene-builder",
            "Video Scene Builder",
            "Builds a multi-shot scene from a storyboard.",
            0.6,
            vec![
                io("storyboard", "Storyboard", Text),
                io("reference_video", "Reference Video", VideoUrl).optional(),
            ],
            vec![io("output_video", "Output Video", VideoUrl).seconds(10)],
        ),
    ]
}

fn param(name: &'static str, kind: &'static str) -> ModelParam {
    ModelParam {
        name,
        required: false,
        kind,
        default: None,
        description: None,
        label: None,
        min: None,
        max: None,
        options: None,
    }
}

impl ModelParam {
    fn required(self) -> ModelParam {
        ModelParam {
            required: true,
            ..self
        }
    }

    fn default_value(self, value: Value) -> ModelParam {
        ModelParam {
            default: Some(value),
            ..self
        }
    }

    fn text(self, label: &'static str, description: &'static str) -> ModelParam {
        ModelParam {
            label: Some(label),
            description: Some(description),
            ..self
        }
    }

    fn range(self, min: f64, max: f64) -> ModelParam {
        ModelParam {
            min: Some(min),
            max: Some(max),
            ..self
        }
    }

    fn options(self, values: &[(&'static str, &'static str)]) -> ModelParam {
        let options = values
            .iter()
            .map(|&(label, value)| ParamOption { label, value })
            .collect();
        ModelParam {
            options: Some(options),
            ..self
        }
    }
}

fn aspect_ratio() -> ModelParam {
    param("aspect_ratio", "string")
        .default_value(json!("square_1_1"))
        .text("Aspect ratio", "Output frame shape")
        .options(&[
            ("Square 1:1", "square_1_1"),
            ("Landscape 16:9", "landscape_16_9"),
            ("Portrait 9:16", "portrait_9_16"),
            ("Landscape 4:3", "landscape_4_3"),
            ("Portrait 3:4", "portrait_3_4"),
        ])
}

fn seed_param() -> ModelParam {
    param("seed", "seed").text("Seed", "Random seed; not a reliable pin")
}

#[allow(clippy::too_many_arguments, reason = "one row of a catalog table")]
fn model(
    model_id: &'static str,
    name: &'static str,
    provider: &'static str,
    kind: &'static str,
    capabilities: Vec<&'static str>,
    credits: u32,
    seconds: u32,
    params: Vec<ModelParam>,
) -> Model {
    Model {
        model_id,
        name,
        provider,
        kind,
        capabilities,
        estimated_credits: credits,
        estimated_seconds: seconds,
        params,
        beta: None,
    }
}

fn models() -> Vec<Model> {
    let image_url = || {
        param("image_url", "string")
            .required()
            .text("Image URL", "The image to work from")
    };
    vec![
        model(
            SEED_MODEL_ID,
            "FLUX.2 [pro]",
            "Black Forest Labs",
            "image",
            vec!["text-to-image"],
            30,
            18,
            vec![aspect_ratio(), seed_param()],
        ),
        model(
            "t2i-flux-2-klein-4b",
            "FLUX.2 [klein] 4B",
            "Black Forest Labs",
            "image",
            vec!["text-to-image"],
            4,
            25,
            vec![aspect_ratio(), seed_param()],
        ),
        model(
            "t2i-seedream-v4",
            "Seedream 4.0",
            "ByteDance",
            "image",
            vec!["text-to-image"],
            30,
            20,
            vec![
                aspect_ratio(),
                seed_param(),
                param("num_images", "int").range(1.0, 4.0),
            ],
        ),
        model(
            "i2i-qwen-image-edit",
            "Qwen Image Edit",
            "Alibaba",
            "image",
            vec!["image-to-image", "image-editing"],
            20,
            30,
            vec![
                image_url(),
                param("guidance_scale", "float")
                    .default_value(json!(4.0))
                    .range(0.0, 20.0),
                seed_param(),
            ],
        ),
        Model {
            beta: Some(true),
            ..model(
                "i2i-gpt-image-2-i2i",
                "GPT Image 2",
                "OpenAI",
                "image",
                vec!["image-to-image", "image-editing"],
                280,
                60,
                vec![
                    image_url(),
                    param("resolution", "string")
                        .default_value(json!("1k"))
                        .options(&[("1K", "1k"), ("2K", "2k"), ("4K", "4k")]),
                ],
            )
        },
        model(
            "i2t-gemini-3-flash",
            "Gemini 3 Flash",
            "Google",
            "text",
            vec!["image-to-text", "text-to-text"],
            8,
            6,
            vec![
                param("image_urls", "string[]").text("Image URLs", "Images to describe"),
                param("temperature", "float")
                    .default_value(json!(1.0))
                    .range(0.0, 2.0),
            ],
        ),
        model(
            "i2t-gemini-3-5-flash-lite-i2t",
            "Gemini 3.5 Flash Lite",
            "Google",
            "text",
            vec!["image-to-text", "text-to-text"],
            0,
            4,
            vec![param("image_urls", "string[]")],
        ),
        model(
            "t2a-elevenlabs-music-t2a",
            "ElevenLabs Music",
            "ElevenLabs",
            "audio",
            vec!["text-to-audio", "music"],
            80,
            45,
            vec![
                param("duration_seconds", "int")
                    .default_value(json!(30))
                    .range(10.0, 300.0),
            ],
        ),
        model(
            "t2a-elevenlabs-sfx",
            "ElevenLabs Sound Effects",
            "ElevenLabs",
            "audio",
            vec!["text-to-audio", "sound-effects"],
            12,
            8,
            vec![param("duration_seconds", "float").range(0.5, 22.0)],
        ),
        model(
            "i2v-gengateway-seedance-2-5-i2v",
            "Seedance 2.5 Image to Video",
            "ByteDance",
            "video",
            vec!["image-to-video"],
            250,
            90,
            vec![
                image_url(),
                param("duration", "int")
                    .default_value(json!(5))
                    .range(5.0, 10.0),
                param("resolution", "string")
                    .default_value(json!("720p"))
                    .options(&[("480p", "480p"), ("720p", "720p"), ("1080p", "1080p")]),
                param("camera_fixed", "bool").default_value(json!(false)),
                seed_param(),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_ids_are_consistent() {
        let seed = seed();
        assert_eq!(seed.techniques.len(), SEED_TECHNIQUE_COUNT);
        assert_eq!(seed.models.len(), SEED_MODEL_COUNT);
        assert!(
            seed.techniques
                .iter()
                .all(|t| t.technique_id.starts_with("tech_"))
        );
        // Run inputs can only be text, imageUrl or videoUrl, so every seeded input must be one.
        let runnable = [IoType::Text, IoType::ImageUrl, IoType::VideoUrl];
        assert!(
            seed.techniques
                .iter()
                .flat_map(|t| &t.inputs)
                .all(|i| runnable.contains(&i.kind))
        );
        let first = seed
            .projects
            .iter()
            .find(|p| p.workspace_id == SEED_WORKSPACE_ID)
            .unwrap();
        assert_eq!(first.project_id, SEED_PROJECT_ID);
        assert_eq!(
            seed.assets
                .iter()
                .filter(|a| a.workspace_id == SEED_WORKSPACE_ID)
                .count(),
            4
        );
    }
}
