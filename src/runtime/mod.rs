//! The event loop: the only place that owns `App` and the only async code besides `cloud`.
//!
//! It selects over terminal events, results from cloud tasks and a tick; drains what is queued,
//! runs `update` for each message, carries out the effects, and draws once when something
//! changed, at most every 16 ms. Idle means no drawing.

pub mod capture;
mod effects;
mod sso;
pub mod terminal;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::app::{self, App, Msg};
use crate::cloud::Cloud;
use effects::Executor;
pub use effects::Switcher;

/// Messages queued between draws before the loop draws anyway.
const DRAIN_MAX: usize = 2_000;
const FRAME: Duration = Duration::from_millis(16);

pub struct Options {
    /// Real time between schedule ticks (the simulator at speed 20 needs shorter ticks).
    pub tick: Duration,
    /// Debug builds only: panic this long after start, so tests can prove the panic hook gives
    /// the terminal back (`EBTUI_DEBUG_PANIC_AFTER_MS`). Release builds ignore it.
    pub panic_after: Option<Duration>,
    /// The journal, opened and loaded, when one is kept: its writer starts with the loop.
    pub journal: Option<crate::journal::Journal>,
    /// Messages handled before the first draw (what the journal held at start).
    pub initial: Vec<Msg>,
    /// The colours every frame is drawn in.
    pub theme: crate::ui::theme::Theme,
    /// Capture the mouse (clicks and wheel reach `update` as `Msg::Mouse`).
    pub mouse: bool,
}

pub async fn run(
    mut app: App,
    cloud: Arc<dyn Cloud>,
    switcher: Option<Switcher>,
    opts: Options,
) -> color_eyre::Result<()> {
    let mut term = terminal::enter(opts.mouse)?;
    let result = event_loop(&mut term, &mut app, cloud, switcher, opts).await;
    terminal::restore();
    result
}

async fn event_loop(
    term: &mut terminal::Tui,
    app: &mut App,
    cloud: Arc<dyn Cloud>,
    switcher: Option<Switcher>,
    mut opts: Options,
) -> color_eyre::Result<()> {
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let journal = opts.journal.take().map(|j| {
        let (tx, rt) = (tx.clone(), tokio::runtime::Handle::current());
        j.start(Box::new(move |status| {
            let tx = tx.clone();
            rt.spawn(async move {
                let _ = tx.send(Msg::JournalStatus(status)).await;
            });
        }))
    });
    let mut exec = Executor::new(cloud, tx.clone(), switcher, journal);
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(opts.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut calls_every = tokio::time::interval(Duration::from_secs(5));
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    let mut last_draw = Instant::now() - FRAME;
    let panic_at = opts
        .panic_after
        .filter(|_| cfg!(debug_assertions))
        .map(|d| Instant::now() + d);
    if let Ok(size) = term.size() {
        app.view.size = (size.width, size.height);
    }
    for msg in std::mem::take(&mut opts.initial) {
        let now = exec.now();
        for effect in app::update(app, msg, now) {
            exec.run(effect);
        }
    }
    loop {
        let draw_at = if app.view.dirty {
            last_draw + FRAME
        } else {
            Instant::now() + Duration::from_secs(3600)
        };
        let first = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(ev)) => terminal_msg(ev),
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(m) = rx.recv() => Some(m),
            _ = tick.tick() => Some(Msg::Tick),
            _ = calls_every.tick() => Some(Msg::Stats { api_calls: exec.api_calls(), ctx: exec.context() }),
            Some(r) = exec.next_switch() => exec.switched(r),
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sigint.recv() => break,
            _ = tokio::time::sleep_until(draw_at) => None,
            _ = tokio::time::sleep_until(panic_at.unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400))), if panic_at.is_some() => {
                panic!("debug panic requested with EBTUI_DEBUG_PANIC_AFTER_MS");
            }
        };
        let mut msgs: Vec<Msg> = first.into_iter().collect();
        while msgs.len() < DRAIN_MAX {
            match rx.try_recv() {
                Ok(m) => msgs.push(m),
                Err(_) => break,
            }
        }
        for msg in msgs {
            let now = exec.now();
            for effect in app::update(app, msg, now) {
                match effect {
                    // The one effect that needs the terminal itself.
                    app::Effect::SsoLogin { profile } => {
                        // A new key reader, not polled until the login is over: dropping the old
                        // one stops its thread, so no keystroke meant for `aws` is taken.
                        keys = EventStream::new();
                        let result = sso_login(term, &mut exec, &profile, opts.mouse).await;
                        // Ctrl-C typed for `aws` reached ebtui too: it must not quit it.
                        sigint = tokio::signal::unix::signal(
                            tokio::signal::unix::SignalKind::interrupt(),
                        )?;
                        if let Ok(size) = term.size() {
                            exec.send(Msg::Resize(size.width, size.height));
                        }
                        exec.send(Msg::LoggedIn { profile, result });
                    }
                    effect => exec.run(effect),
                }
            }
        }
        if app.view.quit {
            break;
        }
        if app.view.dirty && Instant::now() >= last_draw + FRAME {
            term.draw(|f| crate::ui::render(app, &opts.theme, f))?;
            app.view.dirty = false;
            app.drawn();
            last_draw = Instant::now();
        }
    }
    exec.finish_uploads().await;
    // The zip of a ship still on screen (in review, uploading, or its version processing) is
    // ebtui's own temporary file: it goes with ebtui.
    if let Some(zip) = app.ship_zip() {
        let _ = tokio::fs::remove_file(zip).await;
    }
    exec.shutdown();
    exec.close_journal().await;
    Ok(())
}

/// `aws sso login`, then the cloud rebuilt with the new credentials. Refused in the demo and
/// without the AWS CLI, before the terminal is touched.
async fn sso_login(
    term: &mut terminal::Tui,
    exec: &mut Executor,
    profile: &str,
    mouse: bool,
) -> Result<(), String> {
    if !exec.can_reconnect() {
        return Err("the demo has no AWS SSO session to log in to".into());
    }
    let aws = sso::find_aws().ok_or_else(|| sso::by_hand(profile))?;
    sso::run(term, &aws, profile, mouse).await?;
    exec.reconnect().await
}

fn terminal_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        // Only clicks and the wheel are asked for (`terminal::enter`); a stray move is dropped.
        Event::Mouse(m) if m.kind != crossterm::event::MouseEventKind::Moved => Some(Msg::Mouse(m)),
        _ => None,
    }
}
