//! Projects: listing, retrieving and creating them (`core`), and creating them in a chosen
//! workspace or a project folder (`projects`).

use super::{CREATE, READ, Tool, WORKSPACE_DEFAULTED};
use crate::schema::{CURSOR, LIMIT, Param, id, text};

const NAME: Param = text("name", true, "The new project's name.");

/// The tools of this file.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "list_projects",
        title: "List projects",
        description: "List the projects (canvases) of a workspace, most recently active first, \
            with their ids (`prj_…`) and names.",
        params: &[
            WORKSPACE_DEFAULTED,
            text("query", false, "Words to search for in project names."),
            LIMIT,
            CURSOR,
        ],
        annotations: READ,
        output_schema: "projects",
        toolset: "core",
    },
    Tool {
        name: "retrieve_project",
        title: "Get a project",
        description: "Get one project's name, workspace and timestamps by its id.",
        params: &[id(
            "project_id",
            "prj_",
            true,
            "The project's id (`prj_…`).",
        )],
        annotations: READ,
        output_schema: "project",
        toolset: "core",
    },
    Tool {
        name: "create_project",
        title: "Create a project",
        description: "Create a new, empty FLORA project (a canvas) in a workspace and return its \
            id (`prj_…`), which generate and the canvas tools need. Each call creates another \
            project.",
        params: &[NAME, WORKSPACE_DEFAULTED],
        annotations: CREATE,
        output_schema: "created_project",
        toolset: "core",
    },
    Tool {
        name: "create_workspace_project",
        title: "Create a project in a workspace",
        description: "Create a new project in the workspace named in the path \
            (POST /workspaces/{id}/projects); prefer it over create_project when the \
            credential can reach several workspaces.",
        params: &[NAME, WORKSPACE_DEFAULTED],
        annotations: CREATE,
        output_schema: "created_project",
        toolset: "projects",
    },
    Tool {
        name: "create_folder_project",
        title: "Create a project in a folder",
        description: "Create a new project filed into a project folder (`fld_…`) of a \
            workspace. A folder the credential cannot reach is a 404.",
        params: &[
            NAME,
            id(
                "folder_id",
                "fld_",
                true,
                "The project folder (`fld_…`) to file the project into.",
            ),
            WORKSPACE_DEFAULTED,
        ],
        annotations: CREATE,
        output_schema: "created_project",
        toolset: "projects",
    },
];
