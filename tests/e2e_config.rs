//! End to end, the built binary in a pseudo-terminal: the demo's Config view shows the meter
//! with values masked, a property is added in the edit form, the change is confirmed, the
//! configuration update succeeds and the meter shows the new total.

mod common;

use std::time::Duration;

use common::pty::{Tui, env_selected, footer};

const START: Duration = Duration::from_secs(90);
const KEY: Duration = Duration::from_secs(20);
const UPDATE: Duration = Duration::from_secs(120);

/// "3,357 / 4,096 bytes" -> 3357.
fn meter(screen: &str) -> Option<usize> {
    let at = screen.find(" / 4,096 bytes")?;
    let head = &screen[..at];
    let start = head.rfind(' ')? + 1;
    head[start..].replace(',', "").parse().ok()
}

#[test]
fn a_property_added_in_the_demo_lands_and_the_meter_moves() {
    let mut tui = Tui::spawn(&["--demo", "quiet", "--demo-speed", "10"], &[], 100, 30);
    tui.expect("the environments", |s| s.contains("storefront-prod"), START);
    tui.send(":env storefront-prod\r");
    tui.expect("selected", |s| env_selected(s, "storefront-prod"), KEY);
    tui.send("E");
    let view = tui.expect(
        "the Config view with its meter",
        |s| s.contains("values hidden") && meter(s).is_some(),
        KEY,
    );
    let before = meter(&view).unwrap();
    assert!(view.contains("••••••••"), "values are masked:\n{view}");
    tui.send("e");
    tui.expect(
        "the edit form",
        |s| s.contains("editing, nothing sent yet"),
        KEY,
    );
    tui.send("a");
    tui.send("NEW_FLAG=on\r");
    tui.expect(
        "the meter counting the new property",
        |s| meter(s) == Some(before + "NEW_FLAG=on".len()),
        KEY,
    );
    tui.send("\x13"); // Ctrl-S
    let dialog = tui.expect(
        "the confirmation with the diff",
        |s| s.contains("+ NEW_FLAG = ••••") && s.contains("y / Enter confirm"),
        KEY,
    );
    assert!(
        dialog.contains("All instances restart their application."),
        "{dialog}"
    );
    tui.send("y");
    tui.expect(
        "the configuration update's success",
        |s| footer(s).contains("Configure: properties") && footer(s).contains("succeeded"),
        UPDATE,
    );
    tui.send("E");
    tui.expect(
        "the meter after the update",
        |s| meter(s) == Some(before + "NEW_FLAG=on".len()) && s.contains("values hidden"),
        KEY,
    );
    tui.send("\x1b");
    tui.expect("the view closed", |s| !s.contains("values hidden"), KEY);
    tui.send("q");
    assert!(tui.wait_exit(KEY).is_some(), "ebtui quits");
    tui.assert_terminal_restored();
}
