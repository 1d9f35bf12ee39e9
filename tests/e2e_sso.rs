//! Logging in to AWS SSO from inside, end to end: a profile whose SSO session has no token
//! (as after it expired), `Ctrl-L`, and a fake `aws` on PATH that prints what it was asked and
//! notes it in a file. The UI hands the terminal over, takes it back with everything on screen,
//! and says what happened; without `aws`, it says how to log in by hand; the demo refuses.

mod common;

use std::path::Path;
use std::time::Duration;

use common::pty::Tui;

const LONG: Duration = Duration::from_secs(90);
const KEY: Duration = Duration::from_secs(20);
const CTRL_L: &str = "\x0c";

const SSO_PROFILE: &str = "[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = us-east-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
";

const FAKE_AWS: &str = "#!/bin/sh
echo \"fake aws: $*\"
echo \"$*\" >> \"$FAKE_AWS_MARK\"
/bin/sleep 2
exit 0
";

fn write(path: &Path, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write a test file");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// ebtui on the SSO profile, with `bin` as the whole PATH; the header says the session expired.
fn expired(dir: &Path, bin: &Path) -> Tui {
    let config = dir.join("aws-config");
    write(&config, SSO_PROFILE, 0o600);
    let mark = dir.join("aws-called");
    let tui = Tui::spawn(
        &["--profile", "dev", "--endpoint-url", "http://127.0.0.1:9"],
        &[
            ("PATH", bin.to_str().expect("a UTF-8 path")),
            ("AWS_CONFIG_FILE", config.to_str().expect("a UTF-8 path")),
            ("FAKE_AWS_MARK", mark.to_str().expect("a UTF-8 path")),
        ],
        120,
        24,
    );
    tui.expect(
        "the header to say the SSO session expired and offer the key",
        |s| s.contains("SSO session expired · Ctrl-l logs in"),
        LONG,
    );
    tui
}

#[test]
fn ctrl_l_runs_aws_sso_login_on_the_terminal_and_comes_back() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    write(&bin.join("aws"), FAKE_AWS, 0o755);
    let mut tui = expired(dir.path(), &bin);
    tui.send("3");
    tui.expect("the health pane focused", |s| s.contains("┏ 3 Health"), KEY);
    tui.send(CTRL_L);
    tui.expect(
        "aws on the shell's screen",
        |s| s.contains("fake aws: sso login --profile dev") && !s.contains("Environments"),
        KEY,
    );
    let screen = tui.expect(
        "the UI back, as it was",
        |s| s.contains("logged in with profile dev: reading again") && s.contains("┏ 3 Health"),
        KEY,
    );
    assert!(!screen.contains("fake aws"), "redrawn whole: {screen}");
    let called = std::fs::read_to_string(dir.path().join("aws-called")).expect("aws ran");
    assert_eq!(called.trim(), "sso login --profile dev");
    // Keys work again.
    tui.send("1");
    tui.expect(
        "the environments focused",
        |s| s.contains("┏ 1 Environments"),
        KEY,
    );
    tui.quit_cleanly();
}

#[test]
fn without_aws_it_says_how_to_log_in_by_hand() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let bin = dir.path().join("empty-bin");
    std::fs::create_dir(&bin).expect("bin");
    let mut tui = expired(dir.path(), &bin);
    tui.send(CTRL_L);
    tui.expect(
        "how to log in by hand",
        |s| {
            s.contains("run `aws sso login --profile dev` in another terminal, then `:profile dev`")
        },
        KEY,
    );
    tui.quit_cleanly();
}

#[test]
fn the_demo_refuses() {
    let mut tui = Tui::spawn(&["--demo", "quiet", "--demo-speed", "10"], &[], 100, 24);
    tui.expect("the demo", |s| s.contains("billing-prod"), LONG);
    tui.send(CTRL_L);
    tui.expect(
        "the refusal",
        |s| s.contains("the demo has no AWS SSO session to log in to"),
        KEY,
    );
    tui.quit_cleanly();
}
