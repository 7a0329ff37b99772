//! The `unspun` command; everything lives in the `cli` module (`src/cli/`).

mod cli;

fn main() {
    cli::main()
}
