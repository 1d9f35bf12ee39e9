//! ebtui: parse flags, install the error and panic hooks, start file logging, pick the cloud, run.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use color_eyre::eyre::{WrapErr, eyre};

use ebtui::app::keymap::KeyMap;
use ebtui::app::{App, Level, Settings};
use ebtui::cli::Cli;
use ebtui::cloud::Cloud;
use ebtui::cloud::aws::{AwsCloud, AwsOptions};
use ebtui::cloud::sim::{Scenario, SimCloud};
use ebtui::runtime::{self, Options, Switcher};

fn main() -> color_eyre::Result<()> {
    let cli = Cli::parse();
    color_eyre::install()?;
    runtime::terminal::install_panic_hook();
    let log_path = init_logging(cli.log_file.clone());

    let (config, mut warnings) = ebtui::config::load(cli.config.as_deref());
    let (keymap, key_warnings) = KeyMap::default().with_overrides(&config.key_overrides());
    warnings.extend(key_warnings);
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let settings = Settings {
        read_only: cli.read_only || config.read_only,
        log_max_lines: config.logs.max_lines,
        log_max_bytes: config.logs.max_bytes,
        log_backfill_min: config.logs.backfill_minutes,
    };

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let (cloud, switcher, tick): (Arc<dyn Cloud>, Option<Switcher>, Duration) = match &cli.demo
        {
            Some(name) => {
                let scenario = Scenario::parse(name).ok_or_else(|| {
                    eyre!(
                        "unknown demo scenario '{name}': use one of {}",
                        Scenario::ALL
                            .iter()
                            .map(|s| s.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
                if !(cli.demo_speed.is_finite() && cli.demo_speed > 0.0 && cli.demo_speed <= 1000.0)
                {
                    return Err(eyre!(
                        "--demo-speed must be a number above 0 and at most 1000"
                    ));
                }
                let tick =
                    Duration::from_millis((250.0 / cli.demo_speed).clamp(25.0, 250.0) as u64);
                (
                    Arc::new(SimCloud::new(scenario, cli.demo_seed, cli.demo_speed)),
                    None,
                    tick,
                )
            }
            None => {
                let opts = AwsOptions {
                    profile: cli.profile.clone(),
                    region: cli.region.clone(),
                    endpoint_url: cli.endpoint_url.clone(),
                    max_attempts: None,
                };
                let cloud = AwsCloud::connect(opts.clone())
                    .await
                    .map_err(|e| eyre!("{e}"))
                    .wrap_err("cannot set up the AWS clients")?;
                // The options in force: `:region` after `:profile` keeps the new profile.
                let current = Arc::new(std::sync::Mutex::new(opts.clone()));
                let switcher: Switcher = Arc::new(move |profile, region| {
                    let mut o = current.lock().map(|c| c.clone()).unwrap_or_default();
                    if profile.is_some() {
                        o.profile = profile;
                        // A new profile brings its own region unless one was asked for.
                        o.region = None;
                    }
                    if region.is_some() {
                        o.region = region;
                    }
                    let current = current.clone();
                    Box::pin(async move {
                        let cloud = AwsCloud::connect(o.clone())
                            .await
                            .map_err(|e| e.to_string())?;
                        if let Ok(mut c) = current.lock() {
                            *c = o;
                        }
                        Ok(Arc::new(cloud) as Arc<dyn Cloud>)
                    })
                });
                (Arc::new(cloud), Some(switcher), Duration::from_millis(250))
            }
        };
        let mut app = App::new(settings, keymap, cloud.context(), cloud.now());
        if let Some(w) = warnings.first() {
            let more = if warnings.len() > 1 {
                format!(" (+{} more in the log)", warnings.len() - 1)
            } else {
                String::new()
            };
            app.flash(Level::Warn, format!("{w}{more}"));
        }
        tracing::info!(log = ?log_path, "starting");
        runtime::run(app, cloud, switcher, Options { tick }).await
    })
}

/// Log to a file, never to the terminal the UI owns. Level from EBTUI_LOG (default info).
fn init_logging(explicit: Option<PathBuf>) -> Option<PathBuf> {
    let path = explicit.or_else(|| {
        let dirs = directories::ProjectDirs::from("", "", "ebtui")?;
        Some(
            dirs.state_dir()
                .unwrap_or(dirs.cache_dir())
                .join("ebtui.log"),
        )
    })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let level = std::env::var("EBTUI_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .init();
    Some(path)
}
