//! The `privclause` command line: a thin layer over the library, one module per subcommand.

mod cli;

use clap::Parser;

/// Whether the error is standard output closing early (`privclause ... | head`): not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = std::io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == broken)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(broken))
    })
}

fn main() -> std::process::ExitCode {
    keep_freed_memory();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", cli::describe(&err));
            std::process::ExitCode::from(2)
        }
    }
}

/// mimalloc instead of glibc malloc: the encoder allocates and frees large activation
/// buffers every layer, and glibc hands them back to the OS (page faults on every reuse).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option (`mi_option_t` 15 in mimalloc 2 and 3's `mimalloc.h`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells mimalloc never to return freed memory to the OS (`MIMALLOC_PURGE_DELAY=-1`), unless
/// the environment says otherwise: by default it purges after 10 ms, so every layer's fresh
/// activation or gradient buffers page-faulted in again. Measured on 2026-12-07 (2-core Xeon):
/// labeling 1,024 units with context 12 % faster (30-60 MB more peak RSS), training 22 %.
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: called first thing in `main`, before any other thread exists.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}
