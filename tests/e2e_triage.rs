//! End to end: the demo's bad deploy, the built binary in a pseudo-terminal. Once the proxy
//! answers 502, `T` names the version, the instances and the cause within seconds; Enter shows
//! the cause's lines in the logs pane. Every wait is for a condition on the screen.

mod common;

use std::time::Duration;

use common::pty::{Tui, env_row, env_selected};

const LONG: Duration = Duration::from_secs(90);
const KEY: Duration = Duration::from_secs(20);
const ENV: &str = "storefront-prod";

#[test]
fn why_502_names_the_version_the_instances_and_the_cause() {
    let mut tui = Tui::spawn(&["--demo", "bad-deploy", "--demo-speed", "10"], &[], 80, 24);
    tui.expect("the environments", |s| env_row(s, ENV).is_some(), LONG);
    tui.send(&format!(":env {ENV}\r"));
    tui.expect("storefront-prod selected", |s| env_selected(s, ENV), KEY);
    // The first 502s reach the logs pane: nginx's error lines come with them (at 80 columns the
    // access line's status is cut off).
    tui.expect(
        "nginx errors in the logs",
        |s| s.contains(" [error] "),
        LONG,
    );
    tui.send("T");
    let screen = tui.expect(
        "the triage naming v-broken, an instance and Connection refused",
        |s| {
            s.contains("Why 5xx? storefront-prod")
                && s.contains("v-broken")
                && s.contains("i-0")
                && s.contains("Connection refused")
        },
        KEY,
    );
    assert!(screen.contains("nginx combined"), "{screen}");
    // The cause's lines in the logs pane: pick the connection-refused finding, Enter.
    for _ in 0..6 {
        let s = tui.screen();
        if s.lines().any(|l| l.contains("▶ nginx: connect() failed")) {
            break;
        }
        tui.send("j");
        std::thread::sleep(Duration::from_millis(300));
    }
    tui.send("\r");
    tui.expect(
        "the logs filtered to the connection refused lines",
        |s| {
            !s.contains("Why 5xx?")
                && s.contains("Connection refused")
                && s.contains("connect\\(\\)")
        },
        KEY,
    );
    tui.send("q");
    assert!(tui.wait_exit(KEY).is_some_and(|s| s.success()));
}
