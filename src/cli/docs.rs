//! `unspun completions` (shell completion scripts, clap_complete) and `unspun man` (man pages,
//! clap_mangen), both generated from the command table so they cannot drift from it.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

/// Examples under `unspun completions --help`.
pub(super) const COMPLETIONS_HELP: &str = "Examples:
  unspun completions bash > ~/.local/share/bash-completion/completions/unspun
  unspun completions zsh > ~/.zfunc/_unspun          (with fpath+=~/.zfunc before compinit)
  unspun completions fish > ~/.config/fish/completions/unspun.fish
  unspun completions powershell >> $PROFILE";

/// Examples under `unspun man --help`.
pub(super) const MAN_HELP: &str = "Examples:
  unspun man | man -l -                    read it now
  unspun man > ~/.local/share/man/man1/unspun.1
  unspun man --out ~/.local/share/man/man1    unspun.1 and one page per subcommand (unspun-score.1, ...)";

#[derive(Args)]
pub(super) struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    shell: CompletionShell,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Args)]
pub(super) struct ManArgs {
    /// Write unspun.1 and a page per subcommand into this folder instead of printing unspun.1
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub(super) fn run_completions(a: CompletionsArgs) -> Result<()> {
    let shell = match a.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    // Into memory first: clap_complete panics when its writer fails, and a closed pipe
    // (`unspun completions bash | head`) is not an error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "unspun", &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}

pub(super) fn run_man(a: ManArgs) -> Result<()> {
    let command = Cli::command();
    if let Some(dir) = &a.out {
        std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
        clap_mangen::generate_to(command, dir).with_context(|| format!("{}: cannot write the man pages", dir.display()))?;
        warn!("unspun: wrote the man pages to {}", dir.display());
        return Ok(());
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    clap_mangen::Man::new(command).render(&mut out)?;
    out.flush()?;
    Ok(())
}
