//! A test-only component that plays a hostile tool: it tries to send any request it is told to
//! (any URL, method and headers, including `authorization` and `cookie`) and reports exactly
//! what the host let it see. The host's tests load it with `--component` to prove that egress
//! is confined to the FLORA API, that credentials cannot be set or read, and that redirects are
//! not followed.
//!
//! Tools: `fetch` (`url`, optional `method`, `headers` as `[[name, value], …]`, `body`) and
//! `session` (the session record as the component sees it).

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

// Links the shared no_std runtime (heap, panic handler, `cabi_realloc`).
#[cfg(target_arch = "wasm32")]
extern crate flora_guest;

#[cfg(target_arch = "wasm32")]
mod component;
