//! ebtui: parse flags, read the config, install the error and panic hooks, start file logging,
//! pick the cloud, run. A user's mistake at start (a flag, the config file, EBTUI_LOG, the log
//! file) is one line on stderr with exit code 2 (`cli::usage_error`); a backtrace means a bug.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::eyre;

use ebtui::app::keymap::KeyMap;
use ebtui::app::{App, Level, Msg, Settings};
use ebtui::cli::{self, Cli};
use ebtui::cloud::Cloud;
use ebtui::cloud::aws::{AwsCloud, AwsOptions};
use ebtui::cloud::sim::{Scenario, SimCloud};
use ebtui::config::{self, ConfigError, Loaded};
use ebtui::headless;
use ebtui::journal::{self, Journal, JournalStatus, Location};
use ebtui::logfile::{self, LogError};
use ebtui::runtime::{self, Options, Switcher};

fn main() -> color_eyre::Result<()> {
    let cli = Cli::parse_or_exit(config::default_path(), logfile::default_path());
    if let Some(command) = &cli.command {
        cli::shell_output_and_exit(command);
    }
    let loaded = config::load(cli.config.as_deref());
    if cli.check {
        check(&loaded);
    }
    // Fail closed: a config with any error is not half-applied, nor ignored; ebtui stops here.
    let loaded = loaded.unwrap_or_else(|e| cli::usage_error(&e.to_string()));
    install_hooks()?;
    let (log_path, log_warning) = init_logging(cli.log_file.clone());
    let (settings, keymap) = settings(&cli, &loaded);
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme =
        ebtui::config_theme::resolve(cli.theme.as_deref(), loaded.config.theme.as_ref(), no_color)
            .unwrap_or_else(|e| cli::usage_error(&e));
    let mouse = !cli.no_mouse && loaded.config.mouse.unwrap_or(true);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let demo = cli.demo.is_some();
    if let Some(cli::Command::Deploy(args)) = &cli.command {
        let code = rt.block_on(headless_deploy(&cli, args, &settings));
        drop(rt);
        if demo {
            let _ = std::fs::remove_dir_all(demo_dir());
        }
        std::process::exit(code?);
    }
    let journal = open_journal(&cli, loaded.config.journal_max_mb);
    let result = rt.block_on(async move {
        let chosen = match &cli.demo {
            Some(name) => demo_cloud(name, cli.demo_seed, cli.demo_speed)?,
            None => aws_cloud(&cli).await,
        };
        let mut app = new_app(settings, keymap, log_warning, chosen.cloud.as_ref());
        tracing::info!(log = ?log_path, config = ?loaded.path, "starting");
        let (journal, initial) = journal_at_start(journal, chosen.cloud.as_ref());
        app.settings.journal = journal.is_some();
        let options = Options {
            tick: chosen.tick,
            panic_after: debug_panic_after(),
            journal,
            initial,
            theme,
            mouse,
        };
        runtime::run(app, chosen.cloud, chosen.switcher, options).await
    });
    if demo {
        let _ = std::fs::remove_dir_all(demo_dir());
    }
    result
}

/// `ebtui deploy ENV [PATH]`: no UI; the exit code is the deploy's outcome (`headless::Exit`).
async fn headless_deploy(
    cli: &Cli,
    args: &cli::DeployArgs,
    settings: &Settings,
) -> color_eyre::Result<i32> {
    let chosen = match &cli.demo {
        Some(name) => demo_cloud(name, cli.demo_seed, cli.demo_speed)?,
        None => aws_cloud(cli).await,
    };
    // Reads every 5 s of the cloud's time: the demo's clock runs faster, so its reads do too.
    let speed = if cli.demo.is_some() {
        cli.demo_speed
    } else {
        1.0
    };
    let plan = headless::Plan {
        env: args.env.clone(),
        path: args
            .path
            .clone()
            .unwrap_or_else(|| settings.app_dir.clone()),
        label: args.label.clone(),
        wait_healthy: args.wait_healthy,
        rollback_on_failure: args.rollback_on_failure,
        timeout: args.timeout.map(|s| s as i64 * 1000),
        read_only: settings.read_only,
        poll_every: Duration::from_secs_f64((5.0 / speed).max(0.05)),
        out_dir: std::env::temp_dir(),
        now_local: chrono::Local::now().naive_local(),
    };
    tracing::info!(?plan, "headless deploy");
    let mut report = headless::report::Report::console(args.json);
    let exit = headless::deploy(chosen.cloud.as_ref(), &plan, &mut report).await;
    Ok(exit.code())
}

/// What `D` and `ebtui deploy` bundle: `--app-dir`, else in the demo the sample project (written
/// to a temporary directory on first use), else the current directory.
fn app_dir(cli: &Cli) -> PathBuf {
    if let Some(p) = &cli.app_dir {
        return p.clone();
    }
    if cli.demo.is_some() {
        let dir = demo_dir().join("sample-app");
        match ebtui::cloud::sim::write_sample_app(&dir) {
            Ok(()) => return dir,
            Err(e) => tracing::warn!("the demo's sample project could not be written: {e}"),
        }
    }
    PathBuf::from(".")
}

/// This demo run's own temporary directory (the sample project), removed when ebtui ends.
fn demo_dir() -> PathBuf {
    std::env::temp_dir().join(format!("ebtui-demo-{}", std::process::id()))
}

/// `--check`: the config file (whole, key overrides included) and EBTUI_LOG. Exits: 0 with
/// "config OK: <path>", or 2 with one line per problem.
fn check(loaded: &Result<Loaded, ConfigError>) -> ! {
    let mut problems = match loaded {
        Ok(_) => Vec::new(),
        Err(e) => e.lines(),
    };
    if let Err(e) = logfile::user_filter(std::env::var(logfile::ENV_VAR).ok().as_deref()) {
        problems.push(e);
    }
    if !problems.is_empty() {
        cli::problems_and_exit(&problems);
    }
    let line = match loaded.as_ref().ok().and_then(|l| l.path.as_ref()) {
        Some(p) => format!("config OK: {}", p.display()),
        None => format!(
            "config OK: no config file at {}; the defaults apply",
            config::default_path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(no home directory)".into())
        ),
    };
    cli::report_and_exit(&[line])
}

/// The journal for this run: none with `--no-journal`; the file `--journal` names (a file that
/// cannot be used is the user's mistake: one line, exit 2); in memory for the demo; else the
/// default file, and when that cannot be used the UI starts without it and says why.
fn open_journal(cli: &Cli, max_mb: u64) -> (Option<Journal>, Vec<JournalStatus>) {
    let location = match (&cli.journal, cli.no_journal, cli.demo.is_some()) {
        (_, true, _) => return (None, Vec::new()),
        (Some(path), _, _) => Location::File(path.clone()),
        (None, _, true) => Location::Memory,
        (None, _, false) => match journal::default_path() {
            Some(p) => Location::File(p),
            None => {
                let why = "no data directory; use --journal FILE".to_string();
                return (None, vec![JournalStatus::Off(why)]);
            }
        },
    };
    match Journal::open(location, max_mb.saturating_mul(1024 * 1024)) {
        Ok((j, notes)) => (Some(j), notes),
        Err(e) if cli.journal.is_some() => cli::usage_error(&format!("--journal: {e}")),
        Err(e) => (None, vec![JournalStatus::Off(e)]),
    }
}

/// What the journal held for this account, handled before the first draw; and its state, said
/// in the status line.
fn journal_at_start(
    (journal, notes): (Option<Journal>, Vec<JournalStatus>),
    cloud: &dyn Cloud,
) -> (Option<Journal>, Vec<Msg>) {
    let mut initial: Vec<Msg> = notes.into_iter().map(Msg::JournalStatus).collect();
    let Some(j) = journal else {
        return (None, initial);
    };
    let ctx = cloud.context();
    let scope = journal::Scope {
        profile: ctx.profile,
        region: ctx.region,
        account: ctx.account,
    };
    match j.load(&scope, JOURNAL_WINDOW) {
        Ok(loaded) => initial.push(Msg::JournalLoaded(Box::new(loaded))),
        Err(e) => initial.push(Msg::JournalStatus(JournalStatus::Off(format!(
            "cannot read the journal: {e}"
        )))),
    }
    (Some(j), initial)
}

/// Events and stack events loaded from the journal at start; older ones are read from AWS when
/// the timeline is scrolled back.
const JOURNAL_WINDOW: i64 = 7 * 24 * 3_600_000;

/// Error reports, and a panic hook that gives the terminal back before the message is printed.
fn install_hooks() -> color_eyre::Result<()> {
    color_eyre::install()?;
    runtime::terminal::install_panic_hook();
    Ok(())
}

/// Settings and key map from the flags and the config, which is valid as a whole: `--read-only`
/// wins over the file.
fn settings(cli: &Cli, loaded: &Loaded) -> (Settings, KeyMap) {
    let config = &loaded.config;
    let settings = Settings {
        read_only: cli.read_only || config.read_only,
        log_max_lines: config.logs.max_lines,
        log_max_bytes: config.logs.max_bytes,
        log_backfill_min: config.logs.backfill_minutes,
        notify: config.notify,
        app_dir: app_dir(cli),
        journal: !cli.no_journal,
        capture: config.capture_on_failure,
    };
    (settings, config.keymap())
}

/// The cloud the UI drives, how to reach another account or region, and the UI's tick.
struct Chosen {
    cloud: Arc<dyn Cloud>,
    /// `None` for the simulator: `:profile` and `:region` mean nothing there.
    switcher: Option<Switcher>,
    tick: Duration,
}

/// The simulator playing a scenario; its clock runs `speed` times faster, so the UI ticks faster
/// too (within bounds). The parser has checked the name and the speed.
fn demo_cloud(name: &str, seed: u64, speed: f64) -> color_eyre::Result<Chosen> {
    let scenario = Scenario::parse(name)
        .ok_or_else(|| eyre!("unknown demo scenario '{name}' passed the parser"))?;
    let tick = Duration::from_millis((250.0 / speed).clamp(25.0, 250.0) as u64);
    Ok(Chosen {
        cloud: Arc::new(SimCloud::new(scenario, seed, speed)),
        switcher: None,
        tick,
    })
}

/// AWS with the profile, region and endpoint from the flags. What can fail here is the set-up
/// (no region anywhere): a mistake of the user's, told in one line.
async fn aws_cloud(cli: &Cli) -> Chosen {
    let opts = AwsOptions {
        profile: cli.profile.clone(),
        region: cli.region.clone(),
        endpoint_url: cli.endpoint_url.clone(),
        max_attempts: None,
    };
    let cloud = AwsCloud::connect(opts.clone())
        .await
        .unwrap_or_else(|e| cli::usage_error(&format!("cannot set up the AWS clients: {e}")));
    Chosen {
        cloud: Arc::new(cloud),
        switcher: Some(aws_switcher(opts)),
        tick: Duration::from_millis(250),
    }
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

/// The app at start, flashing why there is no diagnostic log, if there is none.
fn new_app(
    settings: Settings,
    keymap: KeyMap,
    log_warning: Option<String>,
    cloud: &dyn Cloud,
) -> App {
    let mut app = App::new(settings, keymap, cloud.context(), cloud.now());
    if let Some(w) = log_warning {
        app.flash(Level::Warn, w);
    }
    app
}

/// Log to a file, never to the terminal the UI owns (see `logfile`). A bad EBTUI_LOG, or a
/// `--log-file` that cannot be opened, is the user's mistake: one line, exit 2. The default file
/// failing only costs the log: the UI says so.
fn init_logging(explicit: Option<PathBuf>) -> (Option<PathBuf>, Option<String>) {
    let spec = std::env::var(logfile::ENV_VAR).ok();
    let given = explicit.is_some();
    let Some(path) = explicit.or_else(logfile::default_path) else {
        return (
            None,
            Some("no diagnostic log: no home directory; use --log-file".into()),
        );
    };
    match logfile::init(&path, spec.as_deref()) {
        Ok(()) => (Some(path), None),
        Err(e @ LogError::Filter(_)) => cli::usage_error(&e.to_string()),
        Err(e) if given => cli::usage_error(&format!("{e}; give --log-file a writable path")),
        Err(e) => (
            None,
            Some(format!("no diagnostic log: {e}; use --log-file")),
        ),
    }
}

/// Debug builds only: `EBTUI_DEBUG_PANIC_AFTER_MS=N` panics N ms after the UI is up, so the
/// tests can check that a panic gives the terminal back. Release builds never read it.
fn debug_panic_after() -> Option<Duration> {
    if !cfg!(debug_assertions) {
        return None;
    }
    std::env::var("EBTUI_DEBUG_PANIC_AFTER_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
}
