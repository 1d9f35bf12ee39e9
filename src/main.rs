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
    install_hooks()?;
    let log_path = init_logging(cli.log_file.clone());
    let (settings, keymap, warnings) = load_config(&cli);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let chosen = match &cli.demo {
            Some(name) => demo_cloud(name, cli.demo_seed, cli.demo_speed)?,
            None => aws_cloud(&cli).await?,
        };
        let app = new_app(settings, keymap, &warnings, chosen.cloud.as_ref());
        tracing::info!(log = ?log_path, "starting");
        let options = Options { tick: chosen.tick };
        runtime::run(app, chosen.cloud, chosen.switcher, options).await
    })
}

/// Error reports, and a panic hook that gives the terminal back before the message is printed.
fn install_hooks() -> color_eyre::Result<()> {
    color_eyre::install()?;
    runtime::terminal::install_panic_hook();
    Ok(())
}

/// Settings and key map from the flags and the config file, with the config's warnings (already
/// logged; the first is also shown once the UI is up).
fn load_config(cli: &Cli) -> (Settings, KeyMap, Vec<String>) {
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
    (settings, keymap, warnings)
}

/// The cloud the UI drives, how to reach another account or region, and the UI's tick.
struct Chosen {
    cloud: Arc<dyn Cloud>,
    /// `None` for the simulator: `:profile` and `:region` mean nothing there.
    switcher: Option<Switcher>,
    tick: Duration,
}

/// The simulator playing a scenario; its clock runs `speed` times faster, so the UI ticks faster
/// too (within bounds).
fn demo_cloud(name: &str, seed: u64, speed: f64) -> color_eyre::Result<Chosen> {
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
    if !(speed.is_finite() && speed > 0.0 && speed <= 1000.0) {
        return Err(eyre!(
            "--demo-speed must be a number above 0 and at most 1000"
        ));
    }
    let tick = Duration::from_millis((250.0 / speed).clamp(25.0, 250.0) as u64);
    Ok(Chosen {
        cloud: Arc::new(SimCloud::new(scenario, seed, speed)),
        switcher: None,
        tick,
    })
}

/// AWS with the profile, region and endpoint from the flags.
async fn aws_cloud(cli: &Cli) -> color_eyre::Result<Chosen> {
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
    Ok(Chosen {
        cloud: Arc::new(cloud),
        switcher: Some(aws_switcher(opts)),
        tick: Duration::from_millis(250),
    })
}

/// Connects anew for `:profile` and `:region`, starting from the options in force: `:region`
/// after `:profile` keeps the new profile.
fn aws_switcher(opts: AwsOptions) -> Switcher {
    let current = Arc::new(std::sync::Mutex::new(opts));
    Arc::new(move |profile, region| {
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
    })
}

/// The app at start, flashing the first config warning (the rest are in the log).
fn new_app(settings: Settings, keymap: KeyMap, warnings: &[String], cloud: &dyn Cloud) -> App {
    let mut app = App::new(settings, keymap, cloud.context(), cloud.now());
    if let Some(w) = warnings.first() {
        let more = if warnings.len() > 1 {
            format!(" (+{} more in the log)", warnings.len() - 1)
        } else {
            String::new()
        };
        app.flash(Level::Warn, format!("{w}{more}"));
    }
    app
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
