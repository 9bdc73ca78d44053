//! The few pieces a `no_std` component needs from somewhere: a heap, a panic handler, and the
//! canonical ABI's `cabi_realloc`, through which the host passes strings and lists in.
//!
//! Public so that test components in the workspace can link the same runtime.

/// The component's heap.
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// A panic ends the call with a trap; the host reports it and serves the next call afresh.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The canonical ABI's allocation hook, which the host calls to pass strings and lists in.
///
/// # Safety
/// Called only by the component model with a pointer and layout it got from this function.
#[unsafe(no_mangle)]
unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    use alloc::alloc::{Layout, alloc, realloc};
    // SAFETY: the canonical ABI passes a power-of-two `align` and, for a reallocation, the
    // pointer and size of a block this function returned earlier.
    let ptr = unsafe {
        if old_len == 0 {
            if new_len == 0 {
                return align as *mut u8;
            }
            alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            realloc(
                old_ptr,
                Layout::from_size_align_unchecked(old_len, align),
                new_len,
            )
        }
    };
    if ptr.is_null() {
        core::arch::wasm32::unreachable()
    }
    ptr
}
