//! A test-only component that misbehaves on purpose, one tool per way: `alloc_forever` grows
//! memory without bound, `spin_forever` never returns, `huge_write` pushes 64 MiB into a request
//! body in one write ignoring the stream's budget, `trap_midway` starts a request and then traps,
//! and `ok` answers at once so tests can show the next call still works. The host's tests load
//! it with `--component`.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

// Links the shared no_std runtime (heap, panic handler, `cabi_realloc`).
#[cfg(target_arch = "wasm32")]
extern crate flora_guest;

#[cfg(target_arch = "wasm32")]
mod component;
