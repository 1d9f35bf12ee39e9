//! End to end on the bad-deploy demo: a roll back from the keyboard, then what a second roll
//! back offers. The first deploys the version that ran before v-broken; the table's last
//! operation column then says the roll back succeeded; a second `U` must never offer the broken
//! version again (the deployment history knows it failed). The built binary runs in a
//! pseudo-terminal at 160x48, where the wide table shows the LAST OPERATION column.

mod common;

use std::time::{Duration, Instant};

use common::pty::{Tui, env_row, env_selected, health_of, segment_from};
use regex::Regex;

/// The longest a simulated story step may take to show (startup of a debug build included).
const LONG: Duration = Duration::from_secs(90);
/// A reaction to a key press.
const KEY: Duration = Duration::from_secs(20);
/// From quit to the process being gone.
const EXIT: Duration = Duration::from_secs(20);

const ENV: &str = "storefront-prod";
const BROKEN: &str = "v-broken";
/// The version storefront-prod ran before the broken one.
const GOOD: &str = "v1.4.3";

fn is_red(health: &str) -> bool {
    matches!(health, "Severe" | "Degraded")
}

/// The dialog lines of the open rollback dialog, for failure messages and asserts.
fn open_rollback(tui: &mut Tui) -> String {
    tui.send("U");
    tui.expect(
        "the rollback dialog",
        |s| s.contains("Roll back storefront-prod") && s.contains("y / Enter confirm"),
        KEY,
    )
}

#[test]
fn rollback_succeeds_and_is_not_offered_back_to_the_broken_version() {
    let began = Instant::now();
    let mut tui = Tui::spawn(
        &["--demo", "bad-deploy", "--demo-speed", "20"],
        &[],
        160,
        48,
    );
    tui.expect(
        "storefront-prod in the environments table",
        |s| env_row(s, ENV).is_some(),
        LONG,
    );
    tui.send(&format!(":env {ENV}\r"));
    tui.expect("storefront-prod selected", |s| env_selected(s, ENV), KEY);

    // The broken deployment is over: Ready, red, on v-broken.
    tui.expect(
        "storefront-prod Ready and red on v-broken",
        |s| {
            env_row(s, ENV).is_some_and(|row| {
                row.contains(" Ready ")
                    && row.contains(&format!(" {BROKEN} "))
                    && health_of(row).is_some_and(is_red)
            })
        },
        LONG,
    );

    let dialog = open_rollback(&mut tui);
    assert!(
        dialog.contains(&format!("-> to {GOOD}")),
        "the roll back must offer the version that ran before v-broken:\n{dialog}"
    );
    tui.send("y");
    tui.expect(
        "the dialog to close",
        |s| !s.contains("y / Enter confirm"),
        KEY,
    );

    // Back on the good version, Ok, and the last operation column says the roll back (a deploy
    // of v1.4.3) succeeded minutes ago, not the deploy of v1.4.3 days before the broken one.
    let recent_success = Regex::new(&format!(
        r"deploy {} · succeeded · (<1m|\d+m) ago",
        regex::escape(GOOD)
    ))
    .expect("a valid regex");
    let screen = tui.expect(
        "storefront-prod Ok on v1.4.3 with its roll back succeeded",
        |s| {
            env_row(s, ENV).is_some_and(|row| {
                health_of(row) == Some("Ok")
                    && row.contains(" Ready ")
                    && row.contains(&format!(" {GOOD} "))
                    && recent_success.is_match(row)
            })
        },
        LONG,
    );
    // The operation followed is named for what the user asked: a roll back, and it succeeded.
    tui.expect(
        "the roll back reported succeeded",
        |s| {
            s.lines()
                .any(|l| l.contains(&format!("Roll back to {GOOD}")) && l.contains("succeeded"))
        },
        KEY,
    );
    let row = env_row(&screen, ENV).expect("the row");
    assert!(
        screen.contains("LAST OPERATION"),
        "the wide table shows the LAST OPERATION column:\n{screen}"
    );
    assert!(!row.contains(BROKEN), "{row}");

    // A second roll back: never back to the version that failed. Either a dialog naming an
    // older good version, or (none known) a warning and the version picker.
    tui.send("U");
    let dialog = tui.expect(
        "a second rollback dialog, or the warning that no good version is known",
        |s| {
            (s.contains("Roll back storefront-prod") && s.contains("y / Enter confirm"))
                || s.contains("no known good version")
        },
        KEY,
    );
    assert!(
        !dialog.contains(&format!("-> to {BROKEN}")),
        "a second roll back must not offer the broken version:\n{dialog}"
    );
    let offers = dialog
        .lines()
        .find_map(|l| segment_from(l, "-> to ").map(str::to_string));
    match offers {
        Some(line) => assert!(
            !line.contains(BROKEN) && !line.contains(&format!("-> to {GOOD}")),
            "the second roll back offers an older good version, not {GOOD} again: {line}\n{dialog}"
        ),
        None => assert!(
            dialog.contains("no known good version"),
            "without an older good version the dialog says so:\n{dialog}"
        ),
    }
    tui.send("\x1b");
    tui.expect(
        "the dialog or picker to close on Esc",
        |s| !s.contains("y / Enter confirm") && !s.contains("Deploy to storefront-prod"),
        KEY,
    );

    tui.send("q");
    let status = tui
        .wait_exit(EXIT)
        .unwrap_or_else(|| panic!("ebtui did not exit after q:\n{}", tui.screen()));
    assert!(status.success(), "ebtui exited with {status}");
    tui.assert_terminal_restored();
    eprintln!("e2e rollback took {:.1} s", began.elapsed().as_secs_f64());
}
