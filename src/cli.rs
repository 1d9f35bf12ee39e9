//! Command-line flags.

use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "ebtui",
    version,
    about = "A terminal console for AWS Elastic Beanstalk"
)]
pub struct Cli {
    /// AWS profile from the shared config and credentials files.
    #[arg(long, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// AWS region (default: the profile's region).
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (a local emulator, e.g. http://127.0.0.1:5000).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Run against a simulated account instead of AWS: steady, bad-deploy, slow-deploy, create-fail.
    #[arg(long, value_name = "SCENARIO", num_args = 0..=1, default_missing_value = "steady")]
    pub demo: Option<String>,
    /// Simulated time per real second in the demo (1 = real time, 20 = twenty times faster).
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub demo_speed: f64,
    /// Seed of the simulated account (the same seed gives the same account).
    #[arg(long, default_value_t = 7, value_name = "N")]
    pub demo_seed: u64,
    /// Refuse every write (deploy, roll back, rebuild, abort, restart, swap).
    #[arg(long)]
    pub read_only: bool,
    /// Config file (default: config.toml in the user's config directory, under ebtui/).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the diagnostic log here (default: ebtui.log in the user's state or cache directory).
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}
