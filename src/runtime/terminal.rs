//! Terminal set-up and restore. Restore runs on quit, on panic (before the report is printed) and
//! on SIGTERM/SIGHUP, so the shell is never left in raw mode or the alternate screen.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Tui = Terminal<CrosstermBackend<io::Stdout>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

pub fn enter(mouse: bool) -> io::Result<Tui> {
    take(mouse)?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Raw mode, the alternate screen, bracketed paste and (when asked) the mouse.
fn take(mouse: bool) -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    let r = execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )
    .and_then(|()| {
        if mouse {
            execute!(out, ClicksAndWheel)
        } else {
            Ok(())
        }
    });
    if let Err(e) = r {
        restore();
        return Err(e);
    }
    Ok(())
}

/// Undo `enter`. Safe to call more than once and from a panic hook. The mouse is let go whether
/// or not it was taken: a stray "disable" is harmless, a mouse left captured is not.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let mut out = io::stdout();
        let _ = execute!(
            out,
            DisableMouseCapture,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = out.flush();
    }
}

/// Give the terminal to another program (`aws sso login`): the shell's screen, cooked mode, no
/// mouse, and a line saying what runs.
pub fn suspend(note: &str) {
    restore();
    let mut out = io::stdout();
    let _ = writeln!(out, "{note}");
    let _ = out.flush();
}

/// Take the terminal back after `suspend`; the caller redraws everything (`Terminal::clear`).
pub fn resume(mouse: bool) -> io::Result<()> {
    take(mouse)?;
    execute!(
        io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )
}

/// Mouse reports for presses, releases and the wheel, in SGR form (any size of screen), without
/// motion: crossterm's `EnableMouseCapture` also asks for every move, a flood ebtui has no use for.
struct ClicksAndWheel;

impl crossterm::Command for ClicksAndWheel {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        // 1000: button press and release (the wheel is buttons 4 and 5); 1006: SGR coordinates.
        f.write_str("\x1b[?1000h\x1b[?1006h")
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
