//! End to end against the demo simulator: the built binary in a pseudo-terminal, keys in, screen
//! read back. Timeouts are generous because CI runs a debug build on two cores; every wait is for
//! a condition on the screen, never a fixed sleep.

mod common;

use std::time::Duration;

use common::pty::{Tui, env_row, env_selected, footer, health_of};

/// The longest a simulated story step may take to show (startup of a debug build included).
const LONG: Duration = Duration::from_secs(90);
/// A reaction to a key press.
const KEY: Duration = Duration::from_secs(20);
/// From quit (or a signal) to the process being gone.
const EXIT: Duration = Duration::from_secs(20);

const ENV: &str = "storefront-prod";
const BROKEN: &str = "v-broken";

/// Selects `env` through the command line and waits for its row to be marked.
fn select(tui: &mut Tui, env: &str) {
    tui.expect(&format!("{env} in the environments table"), |s| env_row(s, env).is_some(), LONG);
    tui.send(&format!(":env {env}\r"));
    tui.expect(&format!("{env} to be selected"), |s| env_selected(s, env), KEY);
}

/// Presses `q` and checks the app exits successfully with the terminal restored.
fn quit_cleanly(tui: &mut Tui) {
    tui.send("q");
    let status = tui.wait_exit(EXIT).unwrap_or_else(|| panic!("ebtui did not exit after q:\n{}", tui.screen()));
    assert!(status.success(), "ebtui exited with {status} after q\n{}", tui.log_tail(40));
    tui.assert_terminal_restored();
}

fn is_red(health: &str) -> bool {
    matches!(health, "Severe" | "Degraded")
}

/// The story of the bad-deploy demo, start to finish: the broken version turns the environment
/// red and its proxy answers 502; a rollback from the keyboard brings it back to Ok on the
/// version it ran before. Runs at 80x24, then resized to 160x48 mid-story.
#[test]
fn bad_deploy_rollback_recovers() {
    let mut tui = Tui::spawn(&["--demo", "bad-deploy", "--demo-speed", "20"], &[], 80, 24);
    // Rows are sorted by application then name, so storefront-prod is not the first row.
    select(&mut tui, ENV);

    let screen = tui.expect(
        "storefront-prod to turn red on v-broken",
        |s| env_row(s, ENV).is_some_and(|row| row.contains(BROKEN) && health_of(row).is_some_and(is_red)),
        LONG,
    );
    let row = env_row(&screen, ENV).unwrap_or_default().to_string();

    // The logs pane follows the selected environment's nginx logs. Zoomed and wrapped, every
    // line fits on an 80-column screen, so the access lines' status codes are visible.
    tui.send("4");
    tui.send("z");
    tui.expect("the logs pane zoomed (the table hidden)", |s| env_row(s, ENV).is_none(), KEY);
    tui.send("w");
    tui.expect("502 responses in the logs pane", |s| s.contains(" 502 "), LONG);
    tui.send("z");
    tui.expect("the table back after unzooming", |s| env_row(s, ENV).is_some(), KEY);

    // Wide terminals get the two-column layout and the wide table.
    tui.resize(160, 48);
    tui.expect(
        "the wide table after resizing to 160x48",
        |s| s.contains("APPLICATION") && s.contains("TIER/POLICY") && env_selected(s, ENV),
        KEY,
    );

    // Roll back. While the broken deployment still runs the dialog offers to abort it; once the
    // environment is Ready it deploys the previous version. An update that cannot be aborted is
    // refused with a message: then wait for Ready and ask again.
    let mut opened = false;
    for _ in 0..3 {
        tui.send("U");
        let screen = tui.expect(
            "the rollback dialog (or the reason it cannot open yet)",
            |s| s.contains("Roll back storefront-prod") || footer(s).contains("roll back once it is Ready"),
            KEY,
        );
        if screen.contains("Roll back storefront-prod") {
            opened = true;
            break;
        }
        tui.expect("storefront-prod Ready before asking again", |s| env_row(s, ENV).is_some_and(|r| r.contains(" Ready ")), LONG);
    }
    assert!(opened, "the rollback dialog never opened (row before: {row})\n{}", tui.screen());
    let dialog = tui.screen();
    assert!(
        dialog.contains("ABORTED") || dialog.contains("previous version will be DEPLOYED"),
        "the dialog says neither abort nor deploy of the previous version:\n{dialog}"
    );
    tui.send("y");
    tui.expect("the dialog to close", |s| !s.contains("y / Enter confirm"), KEY);

    let screen = tui.expect(
        "storefront-prod Ok and Ready on an earlier version",
        |s| {
            env_row(s, ENV)
                .is_some_and(|row| health_of(row) == Some("Ok") && row.contains(" Ready ") && !row.contains(BROKEN))
        },
        LONG,
    );
    let recovered = env_row(&screen, ENV).unwrap_or_default();
    assert!(!recovered.contains(BROKEN), "{recovered}");

    quit_cleanly(&mut tui);
}

/// In read-only mode the help still lists the write keys, but a write key is refused with a
/// message before any dialog opens, and nothing changes.
#[test]
fn help_and_read_only() {
    let mut tui = Tui::spawn(&["--demo", "--read-only"], &[], 160, 48);
    tui.expect("the read-only marker in the header", |s| s.lines().next().is_some_and(|h| h.contains("[READ-ONLY]")), LONG);
    select(&mut tui, ENV);

    tui.send("?");
    let help = tui.expect("the help listing roll back", |s| s.contains("Help (") && s.contains("roll back"), KEY);
    // The help's row (not the status line's hint): the key cell, then the description.
    let lines: Vec<&str> = help.lines().collect();
    let help_rows = &lines[..lines.len() - 1];
    assert!(
        help_rows.iter().any(|l| l.split_once("roll back").is_some_and(|(keys, _)| keys.trim_end().ends_with(" U"))),
        "help does not bind U to roll back:\n{help}"
    );
    tui.send("\x1b");
    tui.expect("the help to close", |s| !s.contains("Help ("), KEY);

    let before = tui.screen();
    let row_before = without_age(env_row(&before, ENV).unwrap_or_default());
    tui.send("U");
    let refused = tui.expect("a read-only refusal in the status line", |s| footer(s).contains("read-only"), KEY);
    assert!(!refused.contains("Roll back storefront-prod"), "a rollback dialog opened in read-only mode:\n{refused}");
    let row_after = without_age(env_row(&refused, ENV).unwrap_or_default());
    assert_eq!(row_before, row_after, "the environment changed after a refused rollback");
    assert!(env_selected(&refused, ENV), "the selection moved:\n{refused}");

    quit_cleanly(&mut tui);
}

/// A row without its last cell (the age of the last update, which ticks on its own).
fn without_age(row: &str) -> String {
    let mut cells: Vec<&str> = row.split_whitespace().collect();
    cells.pop();
    cells.join(" ")
}

/// SIGTERM (as sent by `kill` or a closing session manager) ends the app through the same path
/// as quitting: the terminal is restored, and the process exits by itself, not by the signal.
#[test]
fn terminal_restored_on_sigterm() {
    let mut tui = Tui::spawn(&["--demo"], &[], 80, 24);
    tui.expect("the environments table", |s| env_row(s, ENV).is_some(), LONG);
    let pid = tui.pid().expect("the child's pid");
    let kill = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("run kill");
    assert!(kill.success(), "kill -TERM {pid} failed: {kill}");
    let status = tui.wait_exit(EXIT).unwrap_or_else(|| panic!("ebtui ignored SIGTERM:\n{}", tui.screen()));
    assert_eq!(status.signal(), None, "ebtui was killed by the signal instead of handling it ({status})");
    tui.assert_terminal_restored();
}
