//! End to end: the files ebtui writes are its user's only. The diagnostic log and the lines
//! saved with Ctrl-S are created 0600, and the status line names the file saved.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use common::pty::{Tui, env_row, env_selected};

const LONG: Duration = Duration::from_secs(90);
const KEY: Duration = Duration::from_secs(20);
const ENV: &str = "storefront-prod";

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The path after "saved to " on the screen, once it is there in full.
fn saved_path(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains("saved to "))?;
    let rest = &line[line.find("saved to ")? + "saved to ".len()..];
    let path = rest.split_whitespace().next()?;
    path.ends_with(".log").then(|| path.to_string())
}

#[test]
fn log_file_and_saved_lines_are_private() {
    // trace asks for everything: ebtui's own lines stay, the SDK's are clamped (unit-tested).
    let mut tui = Tui::spawn(
        &["--demo", "bad-deploy", "--demo-speed", "20"],
        &[("EBTUI_LOG", "trace")],
        160,
        48,
    );
    tui.expect(
        "storefront-prod in the table",
        |s| env_row(s, ENV).is_some(),
        LONG,
    );
    tui.send(&format!(":env {ENV}\r"));
    tui.expect("storefront-prod selected", |s| env_selected(s, ENV), KEY);
    tui.send("4");
    tui.expect(
        "log lines in the logs pane",
        |s| s.contains("nginx") && s.contains("access"),
        LONG,
    );

    tui.send("\x13");
    let screen = tui.expect("saved to <path>", |s| saved_path(s).is_some(), KEY);
    let first = saved_path(&screen).unwrap_or_default();
    let first = Path::new(&first);
    assert!(
        first.is_absolute(),
        "the status line names the whole path: {first:?}"
    );
    assert!(
        first.starts_with(tui.dir())
            || first.starts_with(tui.dir().canonicalize().unwrap_or_default()),
        "saved in the working directory: {first:?}"
    );
    assert_eq!(mode(first), 0o600, "{first:?}");
    let text = std::fs::read_to_string(first).unwrap_or_default();
    assert!(!text.is_empty(), "the saved file holds the shown lines");

    let log = tui.dir().join("ebtui.log");
    assert_eq!(mode(&log), 0o600, "the diagnostic log");

    tui.send("q");
    assert!(tui.wait_exit(KEY).is_some(), "ebtui quits on q");
}
