//! A pseudo-terminal harness for end-to-end tests: runs the built `ebtui` in a pty of a chosen
//! size, feeds everything it prints to a `vt100` parser, and lets a test send keys and wait for
//! the screen to show something.
//!
//! Each run gets its own temporary HOME and XDG directories and a clean environment, so no user
//! config, AWS profile or credentials leak in; the diagnostic log goes to a file in that directory
//! and its tail is part of every failure message, next to the last screen.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use tempfile::TempDir;

/// How often `wait_for` looks at the screen.
const POLL: Duration = Duration::from_millis(50);
/// Lines of the diagnostic log quoted in a failure message.
const LOG_TAIL_LINES: usize = 40;
/// Bytes of raw output quoted when the app exits unexpectedly (its error report is there).
const RAW_TAIL_BYTES: usize = 2_000;

/// Leave the alternate screen (crossterm's `LeaveAlternateScreen`).
pub const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";
/// Enter the alternate screen.
pub const ENTER_ALT_SCREEN: &[u8] = b"\x1b[?1049h";
/// Show the cursor (crossterm's `cursor::Show`).
pub const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
/// Hide the cursor.
pub const HIDE_CURSOR: &[u8] = b"\x1b[?25l";

/// What the reader thread shares with the test.
struct Term {
    parser: vt100::Parser,
    /// Every byte the app wrote, so the restore sequence can be checked after exit.
    raw: Vec<u8>,
}

/// The app running in a pseudo-terminal.
pub struct Tui {
    term: Arc<Mutex<Term>>,
    /// Set by the reader when the pty reports end of output (the app and its pty are gone).
    eof: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    exit: Option<ExitStatus>,
    log_file: PathBuf,
    /// Kept for the lifetime of the run: HOME, XDG dirs and the log live here.
    dir: TempDir,
}

impl Tui {
    /// Starts `ebtui` with `args` (plus `--log-file` into the temp dir) in a `cols` x `rows`
    /// terminal. The environment is clean: PATH, a temp HOME and XDG dirs, TERM=xterm-256color,
    /// EBTUI_LOG=info, then `env` on top (which may raise the log level, for one).
    pub fn spawn(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Tui {
        let dir = tempfile::tempdir().expect("create a temp dir for the run");
        let home = dir.path().join("home");
        let xdg = [
            "XDG_CONFIG_HOME",
            "XDG_STATE_HOME",
            "XDG_CACHE_HOME",
            "XDG_DATA_HOME",
        ];
        for sub in std::iter::once(home.clone())
            .chain(xdg.iter().map(|v| dir.path().join(v.to_ascii_lowercase())))
        {
            std::fs::create_dir_all(&sub).expect("create the run's home and XDG dirs");
        }
        let log_file = dir.path().join("ebtui.log");

        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ebtui"));
        cmd.args(args);
        cmd.arg("--log-file");
        cmd.arg(&log_file);
        cmd.cwd(dir.path());
        // A clean environment: nothing from the developer's shell (AWS_PROFILE, AWS_REGION,
        // credentials, a config dir) may change what the app does under test.
        cmd.env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.env("HOME", &home);
        for var in xdg {
            cmd.env(var, dir.path().join(var.to_ascii_lowercase()));
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env("EBTUI_LOG", "info");
        cmd.env("RUST_BACKTRACE", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }

        let pair = native_pty_system()
            .openpty(size(cols, rows))
            .expect("open a pty");
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("spawn ebtui in the pty");
        // Only the child may hold the slave: once it exits, reads on the master end.
        drop(pair.slave);
        let master = pair.master;
        let mut reader = master.try_clone_reader().expect("clone the pty reader");
        let writer = master.take_writer().expect("take the pty writer");

        let term = Arc::new(Mutex::new(Term {
            parser: vt100::Parser::new(nz(rows), nz(cols), 0),
            raw: Vec::new(),
        }));
        let eof = Arc::new(AtomicBool::new(false));
        let reader = {
            let term = Arc::clone(&term);
            let eof = Arc::clone(&eof);
            std::thread::spawn(move || {
                let mut buf = [0u8; 16 * 1024];
                loop {
                    match reader.read(&mut buf) {
                        // EIO is how Linux reports that the slave side closed.
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let mut t = lock(&term);
                            t.parser.process(&buf[..n]);
                            t.raw.extend_from_slice(&buf[..n]);
                        }
                    }
                }
                eof.store(true, Ordering::SeqCst);
            })
        };
        Tui {
            term,
            eof,
            reader: Some(reader),
            child,
            master,
            writer,
            exit: None,
            log_file,
            dir,
        }
    }

    /// The screen as text: exactly one line per row (even for a row the terminal wrapped),
    /// trailing blanks trimmed, so the last line is always the bottom row.
    pub fn screen(&self) -> String {
        let t = lock(&self.term);
        let screen = t.parser.screen();
        let cols = screen.size().1.get();
        screen
            .rows(0, cols)
            .map(|row| row.trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The temporary directory of this run (its HOME and XDG dirs are inside).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The child's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Waits until `pred` holds for the screen, polling every 50 ms. Returns that screen, or an
    /// error with the last screen and the tail of the diagnostic log (and the app's last output
    /// if it exited).
    pub fn wait_for(
        &self,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Result<String, String> {
        let start = Instant::now();
        loop {
            // Read the flag before the screen: if output ended, this screen is the final one.
            let ended = self.eof.load(Ordering::SeqCst);
            let screen = self.screen();
            if pred(&screen) {
                return Ok(screen);
            }
            if ended {
                let after = start.elapsed();
                return Err(self.report(&format!(
                    "the app exited before the screen matched (after {after:?})"
                )));
            }
            if start.elapsed() >= timeout {
                return Err(self.report(&format!("timed out after {timeout:?}")));
            }
            std::thread::sleep(POLL);
        }
    }

    /// `wait_for`, panicking with a readable message naming `what` was awaited.
    pub fn expect(&self, what: &str, pred: impl Fn(&str) -> bool, timeout: Duration) -> String {
        match self.wait_for(pred, timeout) {
            Ok(screen) => screen,
            Err(e) => panic!("waiting for {what}: {e}"),
        }
    }

    /// Like `wait_for`, but the screen must also have settled: `project` (the part of the
    /// screen under test) is the same on two polls in a row. The app's output arrives in pieces,
    /// and a half-drawn frame must not be judged.
    pub fn wait_stable<T: PartialEq>(
        &self,
        what: &str,
        pred: impl Fn(&str) -> bool,
        project: impl Fn(&str) -> T,
        timeout: Duration,
    ) -> String {
        let deadline = Instant::now() + timeout;
        let mut last: Option<T> = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let screen = self.expect(what, &pred, left);
            let now = project(&screen);
            if last.as_ref() == Some(&now) {
                return screen;
            }
            last = Some(now);
            if Instant::now() >= deadline {
                panic!(
                    "waiting for {what} to settle: {}",
                    self.report(&format!("still changing after {timeout:?}"))
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Types `keys` as a terminal would send them: "U", "\r" (Enter), "\x1b" (Esc), "\t" (Tab).
    /// A lone Esc must not be followed by another key in the same read, or it becomes Alt-key:
    /// wait for the screen to react to an Esc before sending more.
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("write keys to the pty");
        self.writer.flush().expect("flush keys to the pty");
    }

    /// Resizes the terminal: the parser first, then the pty (which signals SIGWINCH to the app).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let mut t = lock(&self.term);
        t.parser.screen_mut().set_size(nz(rows), nz(cols));
        self.master
            .resize(size(cols, rows))
            .expect("resize the pty");
    }

    /// Waits up to `timeout` for the app to exit and returns its status (`None` if it is still
    /// running). After an exit, the reader is joined so `raw_output` holds every byte.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while self.exit.is_none() {
            match self.child.try_wait() {
                Ok(Some(status)) => self.exit = Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
                Ok(None) => return None,
                Err(e) => panic!("cannot wait for ebtui: {e}"),
            }
        }
        self.drain_reader(deadline.max(Instant::now() + Duration::from_secs(5)));
        self.exit.clone()
    }

    /// Every byte the app wrote so far.
    pub fn raw_output(&self) -> Vec<u8> {
        lock(&self.term).raw.clone()
    }

    /// After the app exited: it left the alternate screen and showed the cursor, and those were
    /// the last things it wrote (only other mode resets may follow). The pty is back in canonical
    /// mode with echo (raw mode was turned off).
    /// Presses `q` and checks the app exits successfully, within 20 s, with the terminal
    /// restored.
    pub fn quit_cleanly(&mut self) {
        self.send("q");
        let status = self
            .wait_exit(Duration::from_secs(20))
            .unwrap_or_else(|| panic!("ebtui did not exit after q:\n{}", self.screen()));
        assert!(
            status.success(),
            "ebtui exited with {status} after q\n{}",
            self.log_tail(40)
        );
        self.assert_terminal_restored();
    }

    pub fn assert_terminal_restored(&self) {
        assert!(
            self.exit.is_some(),
            "assert_terminal_restored is for after wait_exit returned a status"
        );
        let raw = self.raw_output();
        if let Err(e) = check_restored(&raw) {
            panic!("terminal not restored: {e}\n{}", self.report("after exit"));
        }
        if let Some(termios) = self.master.get_termios() {
            let flags = format!("{:?}", termios.local_flags);
            let names: Vec<&str> = flags
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .collect();
            for flag in ["ICANON", "ECHO"] {
                assert!(
                    names.contains(&flag),
                    "raw mode left on: {flag} is off after exit ({flags})"
                );
            }
        }
    }

    /// After a panic: the terminal was restored before the bug report was printed (the report
    /// starts with `report_starts`), and the pty is back in canonical mode with echo.
    #[allow(dead_code)] // not every test binary that shares this module uses it
    pub fn assert_terminal_restored_before_report(&self, report_starts: &str) {
        assert!(self.exit.is_some(), "for after wait_exit returned a status");
        let raw = self.raw_output();
        let at = raw
            .windows(report_starts.len())
            .position(|w| w == report_starts.as_bytes())
            .unwrap_or_else(|| {
                panic!("no report {report_starts:?}\n{}", self.report("after exit"))
            });
        if let Err(e) = check_restored(&raw[..at]) {
            panic!(
                "terminal not restored before the report: {e}\n{}",
                self.report("after exit")
            );
        }
        if let Some(termios) = self.master.get_termios() {
            let flags = format!("{:?}", termios.local_flags);
            for flag in ["ICANON", "ECHO"] {
                assert!(
                    flags
                        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                        .any(|n| n == flag),
                    "raw mode left on: {flag} is off after the panic ({flags})"
                );
            }
        }
    }

    /// The last `n` lines of the diagnostic log.
    pub fn log_tail(&self, n: usize) -> String {
        match std::fs::read_to_string(&self.log_file) {
            Ok(text) => {
                let lines: Vec<&str> = text.lines().collect();
                lines[lines.len().saturating_sub(n)..].join("\n")
            }
            Err(e) => format!("(no log file: {e})"),
        }
    }

    /// A failure message: why, the screen, the log's tail and, once the app has exited, the
    /// end of what it printed.
    fn report(&self, why: &str) -> String {
        let screen = self.screen();
        let (cols, rows) = {
            let t = lock(&self.term);
            let (r, c) = t.parser.screen().size();
            (c.get(), r.get())
        };
        let mut out = format!(
            "{why}\n--- screen ({cols}x{rows}) ---\n{screen}\n--- log (last {LOG_TAIL_LINES} lines) ---\n{}\n",
            self.log_tail(LOG_TAIL_LINES)
        );
        if self.eof.load(Ordering::SeqCst) {
            let raw = self.raw_output();
            let tail = &raw[raw.len().saturating_sub(RAW_TAIL_BYTES)..];
            out.push_str(&format!(
                "--- last output bytes ---\n{}\n",
                String::from_utf8_lossy(tail).escape_debug()
            ));
        }
        out
    }

    /// Waits (bounded) for the reader to see end of output, then joins it.
    fn drain_reader(&mut self, deadline: Instant) {
        while !self.eof.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        if self.eof.load(Ordering::SeqCst)
            && let Some(handle) = self.reader.take()
        {
            // The thread has finished its loop; a panic there would be a harness bug.
            handle.join().expect("the pty reader thread panicked");
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.exit.is_none() {
            // The test failed or forgot to quit: do not leave the app running.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Checks that the output ends with the terminal restored: the last alternate-screen switch is
/// a leave and the last cursor switch a show, and nothing but escape sequences follows them.
pub fn check_restored(raw: &[u8]) -> Result<(), String> {
    let leave = rfind(raw, LEAVE_ALT_SCREEN).ok_or("never left the alternate screen")?;
    if rfind(raw, ENTER_ALT_SCREEN).is_some_and(|enter| enter > leave) {
        return Err("re-entered the alternate screen after leaving it".into());
    }
    let show = rfind(raw, SHOW_CURSOR).ok_or("never showed the cursor")?;
    if rfind(raw, HIDE_CURSOR).is_some_and(|hide| hide > show) {
        return Err("hid the cursor after showing it".into());
    }
    // Clicks and the wheel were asked for: the last word on them must be "off" (mode 1000).
    let mouse_on = rfind(raw, b"\x1b[?1000h");
    if mouse_on.is_some_and(|on| rfind(raw, b"\x1b[?1000l").is_none_or(|off| off < on)) {
        return Err("left the mouse captured".into());
    }
    let after = &raw[leave.max(show)..];
    if let Some(text) = printable_outside_escapes(after) {
        return Err(format!("printed after restoring the terminal: {text:?}"));
    }
    Ok(())
}

/// Printable text in `bytes` outside CSI escape sequences, if any.
fn printable_outside_escapes(bytes: &[u8]) -> Option<String> {
    let mut text = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            // A CSI sequence ends with a byte in 0x40..=0x7e.
            i += 2;
            while i < bytes.len() && !(0x40..=0x7e).contains(&bytes[i]) {
                i += 1;
            }
            i += 1;
            continue;
        }
        if !bytes[i].is_ascii_whitespace() && bytes[i] != 0x1b {
            text.push(char::from(bytes[i]));
        }
        i += 1;
    }
    (!text.is_empty()).then_some(text)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn lock(term: &Mutex<Term>) -> MutexGuard<'_, Term> {
    // A panic while holding the lock can only come from the parser; the screen is still the
    // best evidence for the failure message, so read through the poison.
    term.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("a terminal dimension is at least 1")
}

// --- reading the screen -------------------------------------------------------------------------

/// Box-drawing characters that separate panes (plain, thick and rounded borders).
fn is_border(c: char) -> bool {
    matches!(
        c,
        '│' | '┃'
            | '┌'
            | '┐'
            | '└'
            | '┘'
            | '┏'
            | '┓'
            | '┗'
            | '┛'
            | '╭'
            | '╮'
            | '╰'
            | '╯'
    )
}

/// The text of the pane cell that starts at `needle` on `line`: from the needle up to the next
/// pane border. Side-by-side panes share screen rows; this keeps one pane's part.
pub fn segment_from<'a>(line: &'a str, needle: &str) -> Option<&'a str> {
    let start = line.find(needle)?;
    let rest = &line[start..];
    let end = rest.find(is_border).unwrap_or(rest.len());
    Some(rest[..end].trim_end())
}

/// The environments table row of `env`: the first line where the name is followed (in the same
/// pane) by a health dot. Returns the row from the name on.
pub fn env_row<'a>(screen: &'a str, env: &str) -> Option<&'a str> {
    screen
        .lines()
        .find_map(|l| table_row(l, env).map(|(_, row)| row))
}

/// Whether `env`'s table row carries the selection marker (▶ in the cell before the name).
pub fn env_selected(screen: &str, env: &str) -> bool {
    screen.lines().any(|line| {
        // The part of the row inside the environments pane, before the name.
        table_row(line, env).is_some_and(|(before, _)| {
            before
                .rsplit(is_border)
                .next()
                .is_some_and(|c| c.contains('▶'))
        })
    })
}

/// Splits a screen line at `env` when it is that environment's table row (the whole name, then
/// a health dot in the same pane): the text before the name, and the row from the name on.
fn table_row<'a>(line: &'a str, env: &str) -> Option<(&'a str, &'a str)> {
    let at = line.find(env)?;
    let row = segment_from(line, env)?;
    (row[env.len()..].starts_with(' ') && row.contains('●')).then_some((&line[..at], row))
}

/// The screen's bottom row (the status line: flash messages and key hints).
pub fn footer(screen: &str) -> &str {
    screen.rsplit('\n').next().unwrap_or("")
}

/// The health word of a table row (the text after the dot, up to the status column): "Ok",
/// "Severe", "No Data"...
pub fn health_of(row: &str) -> Option<&str> {
    let after = row.split_once("● ")?.1;
    // The health cell is followed by the status cell; statuses are single words.
    let end = after
        .find(|c: char| c.is_whitespace())
        .unwrap_or(after.len());
    let word = &after[..end];
    Some(
        if word == "No" && after[end..].trim_start().starts_with("Data") {
            "No Data"
        } else {
            word
        },
    )
}
