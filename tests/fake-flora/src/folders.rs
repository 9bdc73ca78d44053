//! Folders: project folders (`fld_…`, seeded; projects can be created into them) and the
//! caller's library folders (`libfolder_…`, created, filled and deleted through the API).

use serde::Serialize;

/// A project folder in a workspace.
#[derive(Debug, Clone)]
pub struct ProjectFolder {
    pub folder_id: String,
    pub workspace_id: String,
    /// Private folders are reachable only by their owner, which an API key never is here.
    pub private: bool,
}

/// A library folder and what was saved into it.
#[derive(Debug, Clone)]
pub struct LibraryFolder {
    pub folder_id: String,
    pub workspace_id: String,
    pub name: String,
    pub items: Vec<LibraryItem>,
}

/// One saved library item, as tests see it through [`crate::FakeFlora::library_folders`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryItem {
    pub saved_node_id: String,
    /// `image` or `text`.
    pub kind: String,
    pub asset_id: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub text: Option<String>,
    pub description: Option<String>,
}

/// A library folder as tests see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryFolderRecord {
    pub folder_id: String,
    pub workspace_id: String,
    pub name: String,
    pub items: Vec<LibraryItem>,
}

impl LibraryFolder {
    pub fn record(&self) -> LibraryFolderRecord {
        LibraryFolderRecord {
            folder_id: self.folder_id.clone(),
            workspace_id: self.workspace_id.clone(),
            name: self.name.clone(),
            items: self.items.clone(),
        }
    }
}
