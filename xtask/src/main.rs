//! `cargo xtask codegen [--check] [--api NAME] [--verbose] [--root DIR]`
//!
//! Regenerates every client crate from `specs/` (or checks that they are fresh). The
//! command itself is `idverify_codegen::cli`; this binary is a workspace of its own so
//! that it builds whatever state the generated crates are in.

use std::path::Path;
use std::process::ExitCode;

// Generation allocates and frees syntax trees at a high rate (see xtask/Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let status = idverify_codegen::cli::run(
        std::env::args().skip(1),
        root,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    ExitCode::from(status)
}
