//! End to end against the demo simulator: the built binary in a pseudo-terminal, keys in, screen
//! read back. Timeouts are generous because CI runs a debug build on two cores; every wait is for
//! a condition on the screen, never a fixed sleep.

mod common;

use std::time::Duration;

use common::pty::{Tui, env_row, env_selected, footer, health_of};
use regex::Regex;

/// The longest a simulated story step may take to show (startup of a debug build included).
const LONG: Duration = Duration::from_secs(90);
/// A reaction to a key press.
const KEY: Duration = Duration::from_secs(20);
/// From quit (or a signal) to the process being gone.
const EXIT: Duration = Duration::from_secs(20);

const ENV: &str = "storefront-prod";
const BROKEN: &str = "v-broken";
const SLOW: &str = "v1.5.0";

/// Selects `env` through the command line and waits for its row to be marked.
fn select(tui: &mut Tui, env: &str) {
    tui.expect(
        &format!("{env} in the environments table"),
        |s| env_row(s, env).is_some(),
        LONG,
    );
    tui.send(&format!(":env {env}\r"));
    tui.expect(
        &format!("{env} to be selected"),
        |s| env_selected(s, env),
        KEY,
    );
}

fn is_red(health: &str) -> bool {
    matches!(health, "Severe" | "Degraded")
}

/// Presses `U` and returns the screen with the rollback dialog.
fn open_rollback(tui: &mut Tui) -> String {
    tui.send("U");
    tui.expect(
        "the rollback dialog",
        |s| s.contains("Roll back storefront-prod") && s.contains("y / Enter confirm"),
        KEY,
    )
}

/// Confirms the open dialog and waits for it to close.
fn confirm(tui: &mut Tui) {
    tui.send("y");
    tui.expect(
        "the dialog to close",
        |s| !s.contains("y / Enter confirm"),
        KEY,
    );
}

/// Waits for storefront-prod to be Ok and Ready on a version other than `bad` (and on `target`
/// when it is known).
fn wait_recovered(tui: &Tui, bad: &str, target: Option<&str>) -> String {
    tui.expect(
        "storefront-prod Ok and Ready on the earlier version",
        |s| {
            env_row(s, ENV).is_some_and(|row| {
                health_of(row) == Some("Ok")
                    && row.contains(" Ready ")
                    && !row.contains(&format!(" {bad} "))
                    && target.is_none_or(|v| row.contains(&format!(" {v} ")))
            })
        },
        LONG,
    )
}

/// The story of the bad-deploy demo, start to finish: the broken version turns the environment
/// red and its proxy answers 502; once the failed deployment is over, a rollback from the
/// keyboard deploys the version that ran before, and the environment is Ok again. Runs at
/// 80x24, then resized to 160x48 mid-story.
#[test]
fn bad_deploy_rollback_recovers() {
    let mut tui = Tui::spawn(&["--demo", "bad-deploy", "--demo-speed", "20"], &[], 80, 24);
    // Rows are sorted by application then name, so storefront-prod is not the first row.
    select(&mut tui, ENV);

    tui.expect(
        "storefront-prod red on v-broken",
        |s| {
            env_row(s, ENV)
                .is_some_and(|row| row.contains(BROKEN) && health_of(row).is_some_and(is_red))
        },
        LONG,
    );

    // The logs pane follows the selected environment's nginx logs. Zoomed and wrapped, every
    // line fits on an 80-column screen, so the access lines' status codes are visible.
    tui.send("4");
    tui.send("z");
    tui.expect(
        "the logs pane zoomed (the table hidden)",
        |s| env_row(s, ENV).is_none(),
        KEY,
    );
    tui.send("w");
    tui.expect(
        "502 responses in the logs pane",
        |s| s.contains(" 502 "),
        LONG,
    );
    tui.send("z");
    tui.expect(
        "the table back after unzooming",
        |s| env_row(s, ENV).is_some(),
        KEY,
    );

    // The app redraws for the new size: the status line on the new bottom row, panes as wide
    // as the terminal (the layout itself is the snapshot tests' business).
    tui.resize(160, 48);
    tui.expect(
        "a redraw at 160x48",
        |s| {
            !footer(s).is_empty()
                && s.lines().any(|l| l.chars().count() > 150)
                && env_selected(s, ENV)
        },
        LONG,
    );

    // Once the failed deployment is over the environment is Ready (and still red): a rollback
    // then deploys the previous version from the deployment history, and names it.
    tui.expect(
        "the failed deployment to end (Ready, still red)",
        |s| {
            env_row(s, ENV).is_some_and(|row| {
                row.contains(" Ready ")
                    && row.contains(BROKEN)
                    && health_of(row).is_some_and(is_red)
            })
        },
        LONG,
    );
    let dialog = open_rollback(&mut tui);
    let re = Regex::new(r"from v-broken -> to (\S+)").expect("a valid regex");
    let target = re
        .captures(&dialog)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| panic!("the dialog does not name the previous version:\n{dialog}"));
    assert!(
        dialog.contains("DEPLOYED"),
        "a Ready environment is rolled back by deploying, the dialog says otherwise:\n{dialog}"
    );
    confirm(&mut tui);
    wait_recovered(&tui, BROKEN, Some(&target));

    tui.quit_cleanly();
}

/// A rollback while a deployment is still rolling out aborts it (Elastic Beanstalk refuses a
/// second update meanwhile): the slow-deploy demo's long deployment is caught in flight, and the
/// environment returns to Ok on the version it ran before.
#[test]
fn rollback_during_deployment_aborts() {
    // Slow enough that the deployment (minutes of simulated time) is still running when the
    // dialog opens, even on a loaded machine.
    let mut tui = Tui::spawn(&["--demo", "slow-deploy", "--demo-speed", "5"], &[], 80, 24);
    select(&mut tui, ENV);
    tui.expect(
        "storefront-prod updating to v1.5.0",
        |s| env_row(s, ENV).is_some_and(|row| row.contains(" Updating") && row.contains(SLOW)),
        LONG,
    );
    let dialog = open_rollback(&mut tui);
    assert!(
        dialog.contains("ABORTED"),
        "a rollback during a deployment must abort it, the dialog says otherwise:\n{dialog}"
    );
    confirm(&mut tui);
    wait_recovered(&tui, SLOW, None);

    tui.quit_cleanly();
}

/// In read-only mode the help still lists the write keys, but a write key is refused with a
/// message before any dialog opens, and nothing changes.
#[test]
fn help_and_read_only() {
    let mut tui = Tui::spawn(&["--demo", "--read-only"], &[], 160, 48);
    tui.expect(
        "the read-only marker in the header",
        |s| s.lines().next().is_some_and(|h| h.contains("[READ-ONLY]")),
        LONG,
    );
    select(&mut tui, ENV);

    tui.send("?");
    tui.expect(
        "the help binding U to roll back",
        |s| help_binds(s, "U", "roll back"),
        KEY,
    );
    tui.send("\x1b");
    // Settled screens only: a half-drawn frame could mix the help with the table.
    let below_header = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    let before = tui.wait_stable(
        "the help to close",
        |s| !s.contains("Help (") && env_row(s, ENV).is_some(),
        below_header,
        KEY,
    );
    let row_before = without_age(env_row(&before, ENV).unwrap_or_default());
    tui.send("U");
    let refused = tui.wait_stable(
        "a read-only refusal in the status line",
        |s| footer(s).contains("read-only"),
        below_header,
        KEY,
    );
    assert!(
        !refused.contains("Roll back storefront-prod"),
        "a rollback dialog opened in read-only mode:\n{refused}"
    );
    let row_after = without_age(env_row(&refused, ENV).unwrap_or_default());
    assert_eq!(
        row_before, row_after,
        "the environment changed after a refused rollback"
    );
    assert!(
        env_selected(&refused, ENV),
        "the selection moved:\n{refused}"
    );

    tui.quit_cleanly();
}

/// Whether the help dialog shows `key` bound to an action whose description starts with `desc`:
/// a row of the dialog (not the status line's hints) with the key cell, then the description.
fn help_binds(screen: &str, key: &str, desc: &str) -> bool {
    let lines: Vec<&str> = screen.lines().collect();
    let Some((_, above_footer)) = lines.split_last() else {
        return false;
    };
    screen.contains("Help (")
        && above_footer.iter().any(|l| {
            l.split_once(desc)
                .is_some_and(|(keys, _)| keys.trim_end().ends_with(&format!(" {key}")))
        })
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
    tui.expect(
        "the environments table",
        |s| env_row(s, ENV).is_some(),
        LONG,
    );
    let pid = tui.pid().expect("the child's pid");
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success(), "kill -TERM {pid} failed: {kill}");
    let status = tui
        .wait_exit(EXIT)
        .unwrap_or_else(|| panic!("ebtui ignored SIGTERM:\n{}", tui.screen()));
    assert_eq!(
        status.signal(),
        None,
        "ebtui was killed by the signal instead of handling it ({status})"
    );
    tui.assert_terminal_restored();
}
