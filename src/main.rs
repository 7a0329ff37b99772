//! The `unspun` command; everything lives in the `cli` module (`src/cli/`).

mod cli;

// Scoring allocates and frees many small per-candidate lists: mimalloc is faster at that than
// the system allocator (README, Performance). Library users keep their own allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    cli::main()
}
