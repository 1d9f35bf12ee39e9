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
    // Back to the triage: Tab to the instances table, Enter on the second instance shows
    // only its lines, and `O` brings every instance back.
    tui.send("T");
    tui.expect("the triage again", |s| s.contains("Why 5xx?"), KEY);
    tui.send("\tj");
    let screen = tui.expect(
        "an instance picked",
        |s| s.contains("Enter: its 5xx in the logs pane"),
        KEY,
    );
    let picked = screen
        .lines()
        .find(|l| l.contains(" on v-broken: ") && l.trim_end_matches(['┃', ' ']).ends_with(" 5xx"))
        .and_then(|l| l.trim_start_matches(['┃', ' ']).split(' ').next())
        .expect("the picked instance's id")
        .to_string();
    assert!(picked.starts_with("i-"), "{picked}");
    tui.send("\r");
    let short = &picked[..10];
    let screen = tui.expect(
        "the logs of the picked instance only",
        |s| {
            s.contains(&format!("only {short}…"))
                && log_rows(s).len() >= 3
                && log_rows(s).iter().all(|r| r.contains(short))
        },
        KEY,
    );
    assert!(!screen.contains("Why 5xx?"), "{screen}");
    tui.send("O");
    tui.expect(
        "every instance again",
        |s| !s.contains("only i-") && log_rows(s).iter().any(|r| !r.contains(short)),
        KEY,
    );
    tui.send("q");
    assert!(tui.wait_exit(KEY).is_some_and(|s| s.success()));
}

/// The log lines on screen: the rows of the logs pane that begin with a time.
fn log_rows(screen: &str) -> Vec<&str> {
    let mut in_logs = false;
    screen
        .lines()
        .filter(|l| {
            if l.contains(" logs: ") {
                in_logs = true;
                return false;
            }
            in_logs
        })
        .filter(|l| {
            let t = l.trim_start_matches(['┃', '│', ' ']);
            t.len() > 12 && t.as_bytes()[2] == b':' && t.as_bytes()[5] == b':'
        })
        .collect()
}
