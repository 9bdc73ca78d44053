//! Links the C library's memory routines (`memcmp`, `memcpy`, …) into the `no_std` component.
//!
//! Only those pure functions are pulled from `libc.a`; nothing that touches the environment or
//! the standard streams is referenced, so the component imports none of it.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-lib=c");
    }
}
