//! The terminal is given back in every way ebtui can end: `q`, a panic, SIGTERM and SIGHUP, each
//! at least 20 times (an exit path that restores "usually" is a garbled shell some day).
//!
//! Each trial runs the demo (fast, no network) in a pseudo-terminal, waits for the first full
//! frame, ends the program, and then reads what it wrote with a fresh vt100 parser: the alternate
//! screen left, the cursor visible; the pty's termios back in canonical mode with echo (raw mode
//! off); and the exit within `EXIT_WITHIN`.

mod common;

use std::num::NonZeroU16;
use std::process::Command;
use std::time::{Duration, Instant};

use common::pty::Tui;

const TRIALS: usize = 20;
const COLS: u16 = 80;
const ROWS: u16 = 24;
/// The first frame of the demo.
const START: Duration = Duration::from_secs(10);
/// How soon after the request to end the program must be gone.
const EXIT_WITHIN: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, Debug)]
enum End {
    Quit,
    Signal(&'static str),
    /// A real panic inside the running UI (debug builds: `EBTUI_DEBUG_PANIC_AFTER_MS`).
    Panic,
}

/// When the debug trigger panics: after the first frame is surely drawn.
const PANIC_AFTER_MS: u64 = 1_500;

/// Runs one trial and returns how long the exit took.
fn trial(end: End, n: usize) -> Duration {
    let panic_after = PANIC_AFTER_MS.to_string();
    let env: Vec<(&str, &str)> = match end {
        End::Panic => vec![("EBTUI_DEBUG_PANIC_AFTER_MS", panic_after.as_str())],
        _ => vec![],
    };
    let mut tui = Tui::spawn(&["--demo", "steady"], &env, COLS, ROWS);
    tui.expect(
        "the demo's first frame",
        |s| s.contains("Environments") && s.contains("storefront-prod"),
        START,
    );
    let asked = Instant::now();
    match end {
        End::Quit => tui.send("q"),
        End::Panic => {}
        End::Signal(sig) => {
            let pid = tui.pid().expect("the app's pid");
            let status = Command::new("kill")
                .arg(format!("-{sig}"))
                .arg(pid.to_string())
                .status()
                .expect("run kill");
            assert!(status.success(), "kill -{sig} {pid} failed");
        }
    }
    let within = match end {
        End::Panic => EXIT_WITHIN + Duration::from_millis(PANIC_AFTER_MS),
        _ => EXIT_WITHIN,
    };
    let status = tui.wait_exit(within).unwrap_or_else(|| {
        panic!(
            "trial {n} ({end:?}): still running {EXIT_WITHIN:?} after the request:\n{}",
            tui.screen()
        )
    });
    let took = asked.elapsed();
    if matches!(end, End::Quit) {
        assert!(
            status.success(),
            "trial {n} ({end:?}): exit status {status}"
        );
    }
    if matches!(end, End::Panic) {
        assert!(
            !status.success(),
            "trial {n} ({end:?}): a panic must not exit 0"
        );
    }
    match end {
        // color-eyre prints the bug report after the hook gave the terminal back.
        End::Panic => tui.assert_terminal_restored_before_report("The application panicked"),
        _ => tui.assert_terminal_restored(),
    }

    // Replay everything it wrote: the terminal's own state at the end.
    let raw = tui.raw_output();
    let mut parser = vt100::Parser::new(nz(ROWS), nz(COLS), 0);
    parser.process(&raw);
    let screen = parser.screen();
    assert!(
        !screen.alternate_screen(),
        "trial {n} ({end:?}): still on the alternate screen after exit"
    );
    assert!(
        !screen.hide_cursor(),
        "trial {n} ({end:?}): the cursor is hidden after exit"
    );
    took
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("a terminal dimension is at least 1")
}

fn trials(end: End) {
    let start = Instant::now();
    let mut times: Vec<Duration> = (0..TRIALS).map(|n| trial(end, n)).collect();
    times.sort();
    eprintln!(
        "{end:?}: {TRIALS} trials restored the terminal; exit after the request: median {:?}, max {:?}; total {:?}",
        times[TRIALS / 2],
        times[TRIALS - 1],
        start.elapsed()
    );
}

#[test]
fn quit_restores_the_terminal_every_time() {
    trials(End::Quit);
}

#[test]
fn sigterm_restores_the_terminal_every_time() {
    trials(End::Signal("TERM"));
}

#[test]
fn sighup_restores_the_terminal_every_time() {
    trials(End::Signal("HUP"));
}

#[test]
fn panic_restores_the_terminal_every_time() {
    trials(End::Panic);
}
