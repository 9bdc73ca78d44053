//! Embeds the FLORA tool component in the `flora-mcp` binary, so the binary works on its own.
//!
//! The component is built separately for `wasm32-wasip2` (`just build-guest`); this script only
//! finds it. `FLORA_MCP_GUEST_WASM` names another file to embed.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=FLORA_MCP_GUEST_WASM");
    let path = match std::env::var_os("FLORA_MCP_GUEST_WASM") {
        Some(path) => PathBuf::from(path),
        None => {
            let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
            manifest.join("../target/wasm32-wasip2/release/flora_guest.wasm")
        }
    };
    println!("cargo:rerun-if-changed={}", path.display());
    if !path.is_file() {
        panic!(
            "the FLORA tool component is missing at {}: build it first with `just build-guest` \
             (or `cargo build -p flora-guest --target wasm32-wasip2 --release`)",
            path.display()
        );
    }
    let path = path
        .canonicalize()
        .expect("canonicalize the component path");
    println!(
        "cargo:rustc-env=FLORA_MCP_BUILTIN_COMPONENT={}",
        path.display()
    );
}
