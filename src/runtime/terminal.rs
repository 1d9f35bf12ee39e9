//! Terminal set-up and restore. Restore runs on quit, on panic (before the report is printed) and
//! on SIGTERM/SIGHUP, so the shell is never left in raw mode or the alternate screen.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Tui = Terminal<CrosstermBackend<io::Stdout>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

pub fn enter() -> io::Result<Tui> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    if let Err(e) = execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    ) {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Undo `enter`. Safe to call more than once and from a panic hook.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let mut out = io::stdout();
        let _ = execute!(
            out,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = out.flush();
    }
}

/// Chain a panic hook that restores the terminal before the (color-eyre) report is printed.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
        // A panic in a background task would otherwise leave the loop drawing over the shell
        // with the terminal already restored: end the program.
        std::process::exit(101);
    }));
}

/// Put text on the clipboard with OSC 52 (works over SSH in most terminals).
/// A bell or a desktop notification through the terminal. The text is reduced to printable
/// characters without `;` (a field separator in OSC 777), so it cannot end the sequence early.
pub fn notify(how: crate::config::Notify, title: &str, body: &str) -> io::Result<()> {
    use crate::config::Notify;
    let plain = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_control() && *c != ';')
            .take(200)
            .collect()
    };
    let mut out = io::stdout();
    match how {
        Notify::None => return Ok(()),
        Notify::Bell => write!(out, "\x07")?,
        Notify::Osc9 => write!(out, "\x1b]9;{}: {}\x07", plain(title), plain(body))?,
        Notify::Osc777 => write!(out, "\x1b]777;notify;{};{}\x07", plain(title), plain(body))?,
    }
    out.flush()
}

pub fn osc52_copy(text: &str) -> io::Result<()> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = io::stdout();
    write!(out, "\x1b]52;c;{b64}\x07")?;
    out.flush()
}
