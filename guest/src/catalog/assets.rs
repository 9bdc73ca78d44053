//! Assets: listing and retrieving them (`core`), and the `assets` toolset's 1:1 operations:
//! creating one from an HTTPS URL or as a signed upload, completing and retrying a signed
//! upload, and attaching a ready asset to a project canvas. `upload_file` and `import_url`
//! (`core`) turn a local file or a public URL into a ready asset in one call.

use super::{CREATE, PROJECT_ID, READ, Tool, WORKSPACE_DEFAULTED, WORKSPACE_FILTER};
use crate::schema::{CURSOR, LIMIT, Param, id, text};

const ASSET_ID: Param = id("asset_id", "asset_", true, "The asset's id (`asset_…`).");

/// The tools of this file.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "list_assets",
        title: "List assets",
        description: "List uploaded and generated media assets (images, video, audio, PDFs) with \
            their ids (`asset_…`), status and URLs. A ready asset's URL can be a Technique \
            input.",
        params: &[
            WORKSPACE_FILTER,
            id(
                "project_id",
                "prj_",
                false,
                "Only assets on this project's canvas (`prj_…`).",
            ),
            text("query", false, "Words to search for in asset names."),
            LIMIT,
            CURSOR,
        ],
        annotations: READ,
        output_schema: "assets",
        toolset: "core",
    },
    Tool {
        name: "retrieve_asset",
        title: "Get an asset",
        description: "Get one asset's status (`pending_upload`, `ready`, `failed`), URL, type, \
            size and dimensions by its id.",
        params: &[id(
            "asset_id",
            "asset_",
            true,
            "The asset's id (`asset_…`).",
        )],
        annotations: READ,
        output_schema: "asset",
        toolset: "core",
    },
    Tool {
        name: "upload_file",
        title: "Upload a local file",
        description: "Upload a file from this computer to FLORA as an asset and wait until it is \
            ready; returns its asset id and URL, which can be a Technique input (imageUrl, \
            videoUrl, …). Give the file's absolute path: the server sends it itself, so never \
            read or encode the file. Only folders the person allowed can be read. Accepted: \
            images (jpeg, png, webp, gif, avif, heic, heif), video (mp4, webm, quicktime), audio \
            (mpeg, wav, ogg) and PDF, recognised from the content.",
        params: &[
            text(
                "path",
                true,
                "Absolute path of the local file, inside a folder allowed for uploads.",
            ),
            WORKSPACE_DEFAULTED,
            id(
                "project_id",
                "prj_",
                false,
                "Also place the asset on this project's canvas (`prj_…`).",
            ),
            text(
                "file_name",
                false,
                "Name for the asset; the file's own name when omitted.",
            ),
        ],
        annotations: CREATE,
        output_schema: "asset",
        toolset: "core",
    },
    Tool {
        name: "import_url",
        title: "Import a file from a URL",
        description: "Have FLORA fetch a public HTTPS file (up to 50 MB) as an asset and wait \
            until it is ready; returns its asset id and a FLORA URL that Techniques can load. \
            Use it for media hosted elsewhere, which runs may not be able to load directly.",
        params: &[
            text(
                "url",
                true,
                "The public https:// URL of the image, video, audio or PDF.",
            ),
            WORKSPACE_DEFAULTED,
            id(
                "project_id",
                "prj_",
                false,
                "Also place the asset on this project's canvas (`prj_…`).",
            ),
            text(
                "file_name",
                false,
                "Name for the asset; the URL's last segment when omitted.",
            ),
        ],
        annotations: CREATE,
        output_schema: "asset",
        toolset: "core",
    },
    Tool {
        name: "create_asset",
        title: "Create an asset from a URL or reserve an upload",
        description: "Create a FLORA asset. With `source` set to a public HTTPS URL (up to \
            50 MB), FLORA fetches it server-side; the asset reads `pending_upload` until it is \
            fetched, so poll retrieve_asset until `ready`. With `source` set to `signed-url`, \
            FLORA reserves an upload: the result's `upload` says where to POST the bytes (form \
            fields first, then the file), after which call complete_asset. Give `project_id` \
            to also place the asset on that project's canvas.",
        params: &[
            text(
                "source",
                true,
                "A public HTTPS URL to import (`https://…`), or `signed-url` to reserve an \
                 upload for bytes you send yourself.",
            ),
            WORKSPACE_DEFAULTED,
            text(
                "file_name",
                false,
                "The asset's file name, such as `hero.png`.",
            ),
            text(
                "content_type",
                false,
                "Its media type, such as `image/png` (images, mp4/webm/quicktime video, \
                 mpeg/wav/ogg audio, pdf).",
            ),
            text(
                "folder",
                false,
                "Destination folder name in the asset library.",
            ),
            id(
                "project_id",
                "prj_",
                false,
                "Also surface the asset on this project's canvas (`prj_…`).",
            ),
        ],
        annotations: CREATE,
        output_schema: "asset_ticket",
        toolset: "assets",
    },
    Tool {
        name: "complete_asset",
        title: "Complete a signed upload",
        description: "Tell FLORA the bytes of a signed upload (create_asset with `signed-url`) \
            are uploaded; the asset then processes and reads `ready` or `failed` \
            (retrieve_asset). An asset not waiting for its upload, or whose upload target \
            expired, is a 409: use retry_asset for a fresh target.",
        params: &[ASSET_ID],
        annotations: CREATE,
        output_schema: "asset_ticket",
        toolset: "assets",
    },
    Tool {
        name: "retry_asset",
        title: "Retry a failed or expired upload",
        description: "Get a fresh signed upload target for an asset whose upload failed or \
            expired; upload the bytes there, then call complete_asset. A ready asset is a 409.",
        params: &[ASSET_ID],
        annotations: CREATE,
        output_schema: "asset_ticket",
        toolset: "assets",
    },
    Tool {
        name: "attach_asset",
        title: "Attach an asset to a canvas",
        description: "Place an existing ready asset on a project canvas as a static media \
            node, returning the node id. Each call adds another node; an asset that is not \
            ready is a 409.",
        params: &[ASSET_ID, PROJECT_ID],
        annotations: CREATE,
        output_schema: "attached_asset",
        toolset: "assets",
    },
];
