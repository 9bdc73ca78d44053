//! Library folders and saved items (`library` toolset).

use super::{CREATE, DELETE, Tool, WORKSPACE_DEFAULTED};
use crate::schema::{Param, choice, https_url, id, text};

const FOLDER_ID: Param = id(
    "folder_id",
    "libfolder_",
    true,
    "The library folder (`libfolder_…`, from create_library_folder).",
);

/// The tools of this file.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "create_library_folder",
        title: "Create a library folder",
        description: "Create a folder in the person's FLORA library to save images and text \
            into; returns its id (`libfolder_…`). Each call creates another folder.",
        params: &[
            WORKSPACE_DEFAULTED,
            text(
                "name",
                false,
                "The folder's name; FLORA generates one when omitted.",
            ),
        ],
        annotations: CREATE,
        output_schema: "library_folder",
        toolset: "library",
    },
    Tool {
        name: "delete_library_folder",
        title: "Delete a library folder",
        description: "Delete a library folder the person owns, detaching any saved items still \
            in it. This cannot be undone; confirm with the person first.",
        params: &[FOLDER_ID, WORKSPACE_DEFAULTED],
        annotations: DELETE,
        output_schema: "deleted_library_folder",
        toolset: "library",
    },
    Tool {
        name: "add_library_item",
        title: "Save an item to a library folder",
        description: "Save an image (fetched by FLORA from a public HTTPS URL) or a piece of \
            text into a library folder. Each call saves another item.",
        params: &[
            FOLDER_ID,
            choice(
                "type",
                &["image", "text"],
                true,
                "What to save: an image from `source`, or `text`.",
            ),
            https_url("source", false, "For an image: its public HTTPS URL."),
            text("text", false, "For text: the text to save."),
            text(
                "description",
                false,
                "A caption or label for the saved item.",
            ),
            WORKSPACE_DEFAULTED,
        ],
        annotations: CREATE,
        output_schema: "library_item",
        toolset: "library",
    },
];
