//! End to end, the journal as a user meets it: in `--demo create-fail`, the failing hook's
//! eb-engine lines are captured while the canary's creation fails; once the simulated account no
//! longer lists the canary, `:journal` reopens it with its timeline and the captured lines, and
//! `:report` writes the incident report. Against the emulator: a second start draws the account
//! from the journal before any AWS answer (the endpoint is unreachable), marked with its age.

mod common;

use std::time::Duration;

use common::pty::{Tui, env_row, env_selected};

/// Start-up of a debug build plus the simulated story's steps.
const LONG: Duration = Duration::from_secs(120);
const KEY: Duration = Duration::from_secs(20);
const CANARY: &str = "storefront-canary";
/// What the failing hook wrote to eb-engine.log (the simulator's create-fail story).
const HOOK_ERROR: &str = "[ERROR] An error occurred during execution of command [app-deploy]";

// One story told in order: the failure, the capture, the environment gone, the journal, the report.
#[test]
fn create_fail_is_captured_and_reopened_from_the_journal_after_it_is_gone() {
    // At x60 the canary fails in about 7 s and is no longer listed about a minute later.
    let mut tui = Tui::spawn(
        &["--demo", "create-fail", "--demo-speed", "60"],
        &[],
        160,
        48,
    );
    tui.expect(
        "the canary in the table",
        |s| env_row(s, CANARY).is_some(),
        LONG,
    );
    tui.send(&format!(":env {CANARY}\r"));
    tui.expect("the canary selected", |s| env_selected(s, CANARY), KEY);
    tui.expect(
        "the canary terminated",
        |s| env_row(s, CANARY).is_some_and(|r| r.contains("Terminated")),
        LONG,
    );
    // The operation shows what was captured while it failed.
    tui.send("o");
    tui.expect(
        "the operations overlay",
        |s| s.contains("Operations of storefront-canary"),
        KEY,
    );
    tui.send("\r");
    tui.expect(
        "the captured eb-engine error under the create's events",
        |s| s.contains("Captured at") && s.contains("eb-engine.log") && s.contains("[ERROR]"),
        LONG,
    );
    tui.send("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    tui.send("\x1b");
    tui.expect("the overlay closed", |s| !s.contains("Operations of"), KEY);

    // An hour of simulated time later AWS no longer lists it.
    tui.expect(
        "the canary gone from the table",
        |s| env_row(s, CANARY).is_none(),
        LONG,
    );
    tui.send(":journal\r");
    tui.expect(
        "the canary in the journal's list",
        |s| s.contains("environments AWS no longer lists") && s.contains(CANARY),
        KEY,
    );
    tui.send("\r");
    tui.expect(
        "the canary reopened from the journal",
        |s| {
            env_selected(s, CANARY)
                && s.contains("Timeline storefront-canary")
                && s.contains("as recorded")
        },
        KEY,
    );
    tui.send("o");
    tui.send("\r");
    tui.expect(
        "its events and captured lines, as recorded",
        |s| {
            s.contains("createEnvironment is starting.")
                && s.contains("Captured at")
                && s.contains("eb-engine.log")
        },
        KEY,
    );
    tui.send("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    tui.send("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    // Writes on a gone environment are refused.
    tui.send("S");
    tui.expect("restart refused", |s| s.contains("terminated"), KEY);
    tui.send(":report\r");
    tui.expect("the report written", |s| s.contains("saved to"), KEY);
    let report = std::fs::read_dir(tui.dir())
        .expect("the run's directory")
        .filter_map(Result::ok)
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("ebtui-report-storefront-canary-")
        })
        .expect("a report file in the working directory");
    let md = std::fs::read_to_string(report.path()).expect("the report");
    assert!(
        md.starts_with("# create v1.5.0-rc.1 on storefront-canary: failed"),
        "{md}"
    );
    assert!(md.contains("## Captured logs"), "{md}");
    assert!(md.contains(HOOK_ERROR), "{md}");
    assert!(md.contains("Instance deployment failed"), "{md}");
    use std::os::unix::fs::PermissionsExt;
    let mode = report.metadata().unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the report is the owner's only");
    tui.quit_cleanly();
}

#[test]
fn a_journaled_account_is_drawn_before_aws_answers() {
    let Some(moto) = common::moto::Moto::start() else {
        return;
    };
    let url = moto.url().to_string();
    let rt = common::runtime();
    rt.block_on(seed(&url))
        .unwrap_or_else(|e| panic!("cannot seed the emulator: {e}\n{}", moto.log_tail()));
    let dir = tempfile::tempdir().expect("a temp dir");
    let journal = dir.path().join("journal.sqlite");
    let journal = journal.to_str().unwrap();
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    // ebtui at 120x30 on an endpoint, with the journal file.
    let spawn = |endpoint: &str| {
        Tui::spawn(
            &[
                "--endpoint-url",
                endpoint,
                "--region",
                "us-east-1",
                "--journal",
                journal,
            ],
            &env,
            120,
            30,
        )
    };
    let mut first = spawn(&url);
    first.expect(
        "the account read from AWS",
        |s| env_row(s, "jr-prod").is_some(),
        LONG,
    );
    first.quit_cleanly();
    drop(moto);

    // Nothing listens there: every read fails on the network.
    let dead = "http://127.0.0.1:9";
    let mut second = spawn(dead);
    let screen = second.expect(
        "the account from the journal, with its age",
        |s| env_row(s, "jr-prod").is_some() && s.contains("from the journal"),
        KEY,
    );
    assert!(env_row(&screen, "jr-dev").is_some(), "{screen}");
    second.quit_cleanly();
}

async fn seed(url: &str) -> Result<(), String> {
    use aws_sdk_elasticbeanstalk::config::{BehaviorVersion, Credentials, Region};
    let eb = aws_sdk_elasticbeanstalk::Client::from_conf(
        aws_sdk_elasticbeanstalk::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "e2e"))
            .endpoint_url(url)
            .build(),
    );
    eb.create_application()
        .application_name("jr")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    for name in ["jr-prod", "jr-dev"] {
        eb.create_environment()
            .application_name("jr")
            .environment_name(name)
            .solution_stack_name("64bit Amazon Linux 2023 v4.3.0 running Docker")
            .send()
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
