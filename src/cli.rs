//! Command-line flags, and how a mistake in them (or in the config file) is told: one line on
//! stderr naming the fix, exit code 2. Backtraces are for bugs.

use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use clap::{CommandFactory, FromArgMatches, Parser};

use crate::cloud::sim::Scenario;

#[derive(Debug, Parser)]
#[command(
    name = "ebtui",
    version = VERSION,
    about = "A terminal console for AWS Elastic Beanstalk"
)]
pub struct Cli {
    /// AWS profile from the shared config and credentials files.
    #[arg(long, env = "AWS_PROFILE", global = true)]
    pub profile: Option<String>,
    /// AWS region (default: the profile's region).
    #[arg(long, env = "AWS_REGION", global = true)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (a local emulator, e.g. http://127.0.0.1:5000).
    #[arg(long, env = "AWS_ENDPOINT_URL", global = true)]
    pub endpoint_url: Option<String>,
    /// Run against a simulated account instead of AWS: steady, bad-deploy, slow-deploy, create-fail, quiet.
    #[arg(long, value_name = "SCENARIO", num_args = 0..=1, default_missing_value = "steady",
          value_parser = scenario, global = true)]
    pub demo: Option<String>,
    /// Simulated time per real second in the demo (1 = real time, 20 = twenty times faster).
    #[arg(long, default_value_t = 1.0, value_name = "X", value_parser = demo_speed, global = true)]
    pub demo_speed: f64,
    /// Seed of the simulated account (the same seed gives the same account).
    #[arg(long, default_value_t = 7, value_name = "N", global = true)]
    pub demo_seed: u64,
    /// Refuse every write (deploy, roll back, rebuild, abort, restart, swap), whatever the config
    /// file says.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Config file (default: config.toml in the user's config directory, under ebtui/). A file
    /// with any error stops ebtui at start with the line, column and fix.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Check the config file (and its key overrides) and exit: 0 and "config OK" when it can be
    /// used, 2 and its problems when not.
    #[arg(long)]
    pub check: bool,
    /// The directory (or .zip/.jar/.war) that `D` and `:deploy` bundle and deploy, by the EB
    /// CLI's rules (.ebignore, else git HEAD, else the whole directory). Default: the current
    /// directory; in the demo, a small sample project ebtui carries.
    #[arg(long, value_name = "PATH", global = true)]
    pub app_dir: Option<PathBuf>,
    /// Write the diagnostic log here (default: ebtui.log in the user's state or cache directory),
    /// created readable by the owner only. Level from EBTUI_LOG.
    #[arg(long, value_name = "FILE", global = true)]
    pub log_file: Option<PathBuf>,
    /// Keep the journal (what ebtui sees, kept in SQLite) in this file (default: journal.sqlite
    /// in the user's data directory, under ebtui/; the demo keeps it in memory unless given).
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        conflicts_with = "no_journal"
    )]
    pub journal: Option<PathBuf>,
    /// Keep no journal: nothing is read from or written to one.
    #[arg(long, global = true)]
    pub no_journal: bool,
    /// Colours: dark (default), light (for a light background) or mono (no colour; the default
    /// when NO_COLOR is set). Wins over the config file's `theme`.
    #[arg(long, value_name = "NAME", value_parser = ["dark", "light", "mono"])]
    pub theme: Option<String>,
    /// Leave the mouse to the terminal (no clicks or wheel in ebtui; the config's `mouse = false`).
    #[arg(long)]
    pub no_mouse: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Bundle a directory (by the EB CLI's rules), upload it, create the version and deploy it,
    /// without the UI; progress on stdout and an exit code from the deploy's true outcome.
    #[command(after_help = EXIT_CODES)]
    Deploy(DeployArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish (e.g.
    /// `ebtui completions bash > ~/.local/share/bash-completion/completions/ebtui`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `ebtui man > ~/.local/share/man/man1/ebtui.1`.
    Man,
}

/// `--version`: the crate's version and the commit it was built from.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("EBTUI_COMMIT"), ")");

/// `ebtui completions SHELL` and `ebtui man`: the text on stdout, exit 0. Printed the way `--help`
/// is (through clap), never while a UI is up.
/// `ebtui deploy` returns: it is run by `main`.
pub fn shell_output_and_exit(command: &Command) {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut cmd, "ebtui", &mut out);
        }
        Command::Man => {
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut out) {
                usage_error(&format!("cannot render the manual page: {e}"));
            }
        }
        Command::Deploy(_) => return,
    }
    let text = String::from_utf8_lossy(&out);
    exit_with(ErrorKind::DisplayVersion, text.into_owned())
}

/// The headless deploy's exit codes (also in the README).
pub const EXIT_CODES: &str = "Exit codes:\n  0  succeeded (with --wait-healthy: and the environment is Ok)\n  2  a mistake in the flags or the config\n  3  failed (or the version failed processing; or the roll back failed)\n  4  aborted (or Ctrl-C before the deploy was sent: an upload is aborted, nothing is deployed)\n  5  reverted: Elastic Beanstalk, or --rollback-on-failure, brought the previous version back\n  6  completed with errors\n  7  timed out (the deploy goes on)\n  8  refused: nothing was changed (read-only, no such environment, not Ready, label exists, bundle error, AWS refused)\n  9  unknown: the outcome could not be told (an answer lost, events unreadable, Ctrl-C while following)";

#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// The environment to deploy to, by name.
    pub env: String,
    /// The directory (or .zip/.jar/.war) to deploy; default --app-dir, else the current directory.
    pub path: Option<PathBuf>,
    /// The version label (default: app-<git describe>-<yymmdd_HHMMSS>, as the EB CLI makes it).
    #[arg(long)]
    pub label: Option<String>,
    /// One JSON object per line instead of plain lines.
    #[arg(long)]
    pub json: bool,
    /// After a successful deploy, wait until the environment's health is Ok.
    #[arg(long)]
    pub wait_healthy: bool,
    /// After a failed deploy, deploy the last good version and wait for it.
    #[arg(long)]
    pub rollback_on_failure: bool,
    /// Seconds to follow the deploy, the health wait and a roll back (default: the
    /// environment's command timeout plus 300 s; 600 + 300 when it cannot be read).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: Option<u64>,
}

fn scenario(s: &str) -> Result<String, String> {
    match Scenario::parse(s) {
        Some(sc) => Ok(sc.name().to_string()),
        None => Err(format!(
            "no such scenario; use one of {}",
            Scenario::ALL
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn demo_speed(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 1000.0 => Ok(x),
        _ => Err("use a number above 0 and at most 1000, e.g. --demo-speed 10".into()),
    }
}

impl Cli {
    /// The flags, with the default config and log paths in `--help`. A mistake exits with one
    /// line (see [`usage_error`]); `--help` and `--version` print and exit 0 as usual.
    pub fn parse_or_exit(config_path: Option<PathBuf>, log_path: Option<PathBuf>) -> Cli {
        let shown = |p: Option<PathBuf>| {
            p.map(|p| p.display().to_string())
                .unwrap_or_else(|| "(no home directory)".into())
        };
        let cmd = Cli::command().after_help(format!(
            "Config file: {}\nLog file:    {}\nEBTUI_LOG:   a level (error, warn, info, debug, trace) or filter directives such as `ebtui=debug`; the AWS SDK and HTTP crates never log above debug.",
            shown(config_path),
            shown(log_path)
        ));
        let parsed = cmd
            .try_get_matches()
            .and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
        match parsed {
            Ok(cli) => cli,
            Err(e) => match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
                _ => usage_error(&one_line(&e.render().to_string())),
            },
        }
    }
}

/// clap's multi-line error as one line: the error, its tips, and where the flags are described.
fn one_line(rendered: &str) -> String {
    let mut head = String::new();
    let mut tips = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("Usage:") || line.starts_with("For more information")
        {
            continue;
        }
        if let Some(tip) = line.strip_prefix("tip:") {
            tips.push(tip.trim().to_string());
        } else if let Some(values) = line
            .strip_prefix("[possible values:")
            .and_then(|v| v.strip_suffix(']'))
        {
            // The choices are the fix: "use one of bash, zsh, ...".
            tips.push(format!("use one of{values}"));
        } else if head.is_empty() {
            head = line
                .strip_prefix("error:")
                .unwrap_or(line)
                .trim()
                .to_string();
        }
    }
    if tips.is_empty() {
        format!("{head} (see `ebtui --help`)")
    } else {
        format!("{head} ({})", tips.join("; "))
    }
}

/// A message printed as it is: clap prints it and exits (stdout and 0 for a report, stderr and
/// 2 for a mistake), before the UI takes the terminal, as it does for its own errors. The
/// message is in the error's context.
struct Plain;

impl ErrorFormatter for Plain {
    fn format_error(error: &clap::error::Error<Self>) -> clap::builder::StyledStr {
        let mut out = clap::builder::StyledStr::new();
        if let Some(ContextValue::String(s)) = error.get(ContextKind::Custom) {
            out.push_str(s);
        }
        out
    }
}

fn exit_with(kind: ErrorKind, text: String) -> ! {
    let mut e = clap::error::Error::<Plain>::new(kind);
    e.insert(ContextKind::Custom, ContextValue::String(text));
    e.exit()
}

/// A user's mistake at start: `error: <message>` as one line on stderr, exit code 2.
pub fn usage_error(message: &str) -> ! {
    let one: String = message.lines().collect::<Vec<_>>().join(" ");
    exit_with(ErrorKind::ValueValidation, format!("error: {one}\n"))
}

/// A report asked for on the command line (`--check`): lines on stdout, exit code 0.
pub fn report_and_exit(lines: &[String]) -> ! {
    exit_with(ErrorKind::DisplayVersion, format!("{}\n", lines.join("\n")))
}

/// Problems found by `--check`: one line each on stderr, exit code 2.
pub fn problems_and_exit(lines: &[String]) -> ! {
    let text: Vec<String> = lines.iter().map(|l| format!("error: {l}")).collect();
    exit_with(ErrorKind::ValueValidation, format!("{}\n", text.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_become_one_line() {
        let rendered = "error: unexpected argument '--demoo' found\n\n  tip: a similar argument exists: '--demo'\n\nUsage: ebtui --demo [<SCENARIO>]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(rendered),
            "unexpected argument '--demoo' found (a similar argument exists: '--demo')"
        );
        assert_eq!(
            one_line(
                "error: invalid value 'x' for '--demo-speed <X>': use a number\n\nFor more information, try '--help'.\n"
            ),
            "invalid value 'x' for '--demo-speed <X>': use a number (see `ebtui --help`)"
        );
        assert_eq!(
            one_line(
                "error: invalid value 'tcsh' for '<SHELL>'\n  [possible values: bash, zsh]\n\nFor more information, try '--help'.\n"
            ),
            "invalid value 'tcsh' for '<SHELL>' (use one of bash, zsh)"
        );
    }

    #[test]
    fn flag_values_are_checked_by_the_parser() {
        assert_eq!(scenario("bad_deploy"), Ok("bad-deploy".into()));
        assert!(
            scenario("nonexistent")
                .unwrap_err()
                .contains("steady, bad-deploy")
        );
        assert_eq!(demo_speed("10"), Ok(10.0));
        for bad in ["0", "-1", "NaN", "inf", "1001", "fast"] {
            assert!(demo_speed(bad).is_err(), "{bad}");
        }
        let cli = Cli::try_parse_from(["ebtui", "--demo"]).expect("the default scenario");
        assert_eq!(cli.demo.as_deref(), Some("steady"));
        assert!(Cli::try_parse_from(["ebtui", "--demo", "nope"]).is_err());
    }
}
