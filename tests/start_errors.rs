//! A user's mistake at start is one line on stderr naming the fix, exit code 2, no backtrace; the
//! built binary is run with a clean environment (a temp HOME and XDG dirs), never a terminal.

use std::path::Path;
use std::process::{Command, Output};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn ebtui(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ebtui"));
    cmd.args(args).current_dir(dir).env_clear();
    cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd.env("HOME", dir.join("home"));
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
    ] {
        cmd.env(var, dir.join(var.to_ascii_lowercase()));
    }
    // What would show a backtrace if the error went through color-eyre.
    cmd.env("RUST_BACKTRACE", "1");
    cmd.env("RUST_LIB_BACKTRACE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run ebtui");
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Exit 2, nothing on stdout, exactly one line on stderr, no backtrace; returns the line.
fn one_line_mistake(r: &Run) -> &str {
    assert_eq!(r.code, Some(2), "exit code; stderr:\n{}", r.stderr);
    assert_eq!(r.stdout, "", "stdout");
    assert_eq!(r.stderr.lines().count(), 1, "one line:\n{}", r.stderr);
    assert!(r.stderr.ends_with('\n'));
    for bug in ["Backtrace", "Location:", "panicked", "BACKTRACE", "━━"] {
        assert!(!r.stderr.contains(bug), "{bug} in:\n{}", r.stderr);
    }
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    r.stderr.trim_end()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).expect("write the config");
    name.to_string()
}

#[test]
fn a_config_typo_stops_ebtui_before_it_starts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(
        dir.path(),
        "bad.toml",
        "read_only = true\n\n[logs]\nbackfill_minute = 30\n",
    );
    let r = ebtui(dir.path(), &["--config", &bad, "--demo"], &[]);
    let line = one_line_mistake(&r);
    assert!(
        line.contains("bad.toml:4:1: unknown field `backfill_minute`"),
        "{line}"
    );
    assert!(line.contains("did you mean `backfill_minutes`?"), "{line}");
    assert!(line.contains("ebtui --config bad.toml --check"), "{line}");
    // --read-only does not make a broken file acceptable.
    let r = ebtui(
        dir.path(),
        &["--config", &bad, "--demo", "--read-only"],
        &[],
    );
    one_line_mistake(&r);
}

#[test]
fn check_reports_problems_with_2_and_a_good_file_with_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(dir.path(), "bad.toml", "read_only = \"yes\"\n");
    let r = ebtui(dir.path(), &["--config", &bad, "--check"], &[]);
    let line = one_line_mistake(&r);
    assert!(line.contains("bad.toml:1:13:"), "{line}");

    let keys = write(
        dir.path(),
        "keys.toml",
        "[keys.logs]\nerrors5xx = \"E\"\n[keys.wat]\nquit = \"Q\"\n",
    );
    let r = ebtui(dir.path(), &["--config", &keys, "--check"], &[]);
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr.lines().count(),
        2,
        "a line per problem:\n{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("keys.toml:2:13: unknown action 'errors5xx'"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("keys.toml:4:8: unknown key context 'wat'"),
        "{}",
        r.stderr
    );

    let good = write(
        dir.path(),
        "good.toml",
        "read_only = true\n[logs]\nbackfill_minutes = 30\n[keys.logs]\nerrors_5xx = \"E\"\n",
    );
    let r = ebtui(dir.path(), &["--config", &good, "--check"], &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "config OK: good.toml\n");
    assert_eq!(r.stderr, "");

    // No file at the default path: the defaults, and --check says so.
    let r = ebtui(dir.path(), &["--check"], &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.starts_with("config OK: no config file at "),
        "{}",
        r.stdout
    );
}

#[test]
fn a_missing_config_given_on_the_command_line_is_a_mistake() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = ebtui(dir.path(), &["--config", "nowhere.toml", "--demo"], &[]);
    let line = one_line_mistake(&r);
    assert!(line.contains("nowhere.toml: no such file"), "{line}");
}

#[test]
fn bad_flags_and_environment_are_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = ebtui(dir.path(), &["--demo", "nonexistent"], &[]);
    let line = one_line_mistake(&r);
    assert!(
        line.contains("steady, bad-deploy, slow-deploy, create-fail, quiet"),
        "{line}"
    );

    for speed in ["0", "fast", "5000"] {
        let r = ebtui(dir.path(), &["--demo", "--demo-speed", speed], &[]);
        let line = one_line_mistake(&r);
        assert!(line.contains("e.g. --demo-speed 10"), "{line}");
    }

    let r = ebtui(dir.path(), &["--demoo"], &[]);
    let line = one_line_mistake(&r);
    assert!(
        line.contains("a similar argument exists: '--demo'"),
        "{line}"
    );

    let r = ebtui(dir.path(), &["--demo"], &[("EBTUI_LOG", "ebtui=loud")]);
    let line = one_line_mistake(&r);
    assert!(
        line.contains("EBTUI_LOG") && line.contains("use a level"),
        "{line}"
    );

    let r = ebtui(
        dir.path(),
        &["--demo", "--log-file", "/proc/no-such-dir/ebtui.log"],
        &[],
    );
    let line = one_line_mistake(&r);
    assert!(line.contains("give --log-file a writable path"), "{line}");
}

#[test]
fn help_and_version_still_exit_0_and_help_shows_the_paths() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = ebtui(dir.path(), &["--help"], &[]);
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.contains("Config file: "), "{}", r.stdout);
    assert!(r.stdout.contains("Log file:    "), "{}", r.stdout);
    assert!(r.stdout.contains("--check"), "{}", r.stdout);
    let r = ebtui(dir.path(), &["--version"], &[]);
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.starts_with("ebtui "), "{}", r.stdout);
}
