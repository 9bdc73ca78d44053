//! Links the C library's memory routines (`memcmp`, `memcpy`, …) into the `no_std` component,
//! and minifies the tools' output schemas (`src/catalog/output-schemas.json`) into `OUT_DIR`.
//!
//! Only those pure functions are pulled from `libc.a`; nothing that touches the environment or
//! the standard streams is referenced, so the component imports none of it. The schemas are
//! kept as readable JSON in the source and embedded without their whitespace, which keeps the
//! component small.

use std::path::PathBuf;

const SCHEMAS: &str = "src/catalog/output-schemas.json";

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-lib=c");
    }
    println!("cargo:rerun-if-changed={SCHEMAS}");
    let text = std::fs::read_to_string(SCHEMAS).expect("read src/catalog/output-schemas.json");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    std::fs::write(out.join("output-schemas.min.json"), minify(&text))
        .expect("write the minified output schemas");
}

/// Drops the whitespace outside JSON strings.
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}
