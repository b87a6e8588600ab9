//! The `invsync` binary: parse arguments, set up logging, run one command, map its result to an
//! exit code. The only place that uses `anyhow`.

mod commands;
mod telemetry;

use std::process::ExitCode;

use clap::Parser as _;
use invsync::cli::{Cli, Command};

fn main() -> ExitCode {
    // Usage errors exit 1, not clap's 2: `plan --detailed-exitcode` uses 2 for "changes
    // pending", and a CI job must never mistake a typo for that.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let default_filter = match cli.command {
        Command::Demo(_) => commands::demo::LOG_FILTER,
        _ => "info",
    };
    telemetry::init(cli.log_format, default_filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Validate(args) => commands::validate::run(&args),
            Command::Schema => commands::schema::run(),
            Command::Plan(args) => commands::plan::run(&args).await,
            Command::Apply(args) => commands::apply::run(&args).await,
            Command::Import(args) => commands::import::run(&args).await,
            Command::Run(args) => commands::run::run(&args).await,
            Command::Status(args) => commands::status::run(&args).await,
            Command::Emulator(args) => commands::emulator::run(&args).await,
            Command::Demo(args) => commands::demo::run(&args).await,
            Command::Completions(args) => commands::completions::completions(&args),
            Command::Man(args) => commands::completions::man(&args),
        }
    });
    match result {
        Ok(code) => code,
        // The reader of stdout went away (`invsync plan | head -1`): not a failure.
        Err(error) if commands::output::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
