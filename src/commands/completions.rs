//! `invsync completions` and `invsync man`: shell completions and man pages generated from the
//! same clap definitions that parse the arguments, so they cannot drift from the binary.

use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;
use invsync::cli::{Cli, CompletionsArgs, ManArgs};

/// Prints the completion script for the chosen shell.
pub(crate) fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "invsync", &mut script);
    super::output::print(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints `invsync.1`, or with `--dir` writes it and one page per command there.
pub(crate) fn man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating --dir {}", dir.display()))?;
            clap_mangen::generate_to(Cli::command(), dir)
                .with_context(|| format!("writing man pages into --dir {}", dir.display()))?;
            super::output::println(&format!("man pages written to {}", dir.display()))?;
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            super::output::print(&String::from_utf8_lossy(&page))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
