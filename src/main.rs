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
