//! A test-only component built against `flora:mcp@2.0.0` (its own copy of the WIT in `wit/`,
//! sharing the vendored WASI packages), which this host does not implement: the host's tests
//! show it is refused at install and at start, before it runs.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

// Links the shared no_std runtime (heap, panic handler, `cabi_realloc`).
#[cfg(target_arch = "wasm32")]
extern crate flora_guest;

#[cfg(target_arch = "wasm32")]
mod component {
    use alloc::string::String;
    use alloc::vec::Vec;

    wit_bindgen::generate!({ path: "wit", world: "flora:mcp/flora-tools", generate_all });

    use exports::flora::mcp::tools::{Guest, ToolDescriptor, ToolOutput};
    use flora::mcp::types::CallError;

    struct Future;

    impl Guest for Future {
        fn catalog() -> Vec<ToolDescriptor> {
            Vec::new()
        }

        fn call(name: String, _arguments: String) -> Result<ToolOutput, CallError> {
            Err(CallError::UnknownTool(name))
        }
    }

    export!(Future);
}
