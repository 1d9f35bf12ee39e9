//! `ebtui deploy` against the simulated account: the same bundle, upload, version and deploy
//! as the UI, followed to the true outcome, told as plain or JSON lines, with an exit code for
//! each outcome. In process (the library's `headless::deploy` on a `SimCloud` whose clock runs
//! 50 times faster), plus the built binary for the codes a shell sees.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ebtui::cloud::Cloud;
use ebtui::cloud::sim::{Scenario, SimCloud, write_sample_app};
use ebtui::headless::report::Report;
use ebtui::headless::{self, Exit, Plan};

/// What a report wrote, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

const SPEED: f64 = 50.0;

fn plan(env: &str, path: &Path, out: &Path) -> Plan {
    Plan {
        env: env.into(),
        path: path.to_path_buf(),
        label: None,
        wait_healthy: false,
        rollback_on_failure: false,
        timeout: None,
        read_only: false,
        poll_every: Duration::from_millis(50),
        out_dir: out.to_path_buf(),
        now_local: chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(10, 15, 0)
            .unwrap(),
    }
}

async fn run(cloud: &SimCloud, plan: &Plan, json: bool) -> (Exit, String) {
    let out = Captured::default();
    let mut report = Report::to(json, Box::new(out.clone()));
    let exit = tokio::time::timeout(
        Duration::from_secs(120),
        headless::deploy(cloud, plan, &mut report),
    )
    .await
    .expect("the deploy ends within two minutes at 50x");
    (exit, out.text())
}

fn sample(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("sample-app");
    write_sample_app(&p).unwrap();
    p
}

/// A project whose files sit in one folder: processed, then its deploy fails on the instances.
fn one_folder(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("zipped-the-folder");
    std::fs::create_dir_all(p.join("app")).unwrap();
    std::fs::write(p.join("app/package.json"), "{}").unwrap();
    std::fs::write(p.join("app/app.js"), "require('http')").unwrap();
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_project_deploys_and_exits_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let cloud = SimCloud::new(Scenario::Quiet, 7, SPEED);
    let p = plan("storefront-prod", &sample(tmp.path()), tmp.path());
    let (exit, text) = run(&cloud, &p, false).await;
    assert_eq!(exit, Exit::Succeeded, "{text}");
    for want in [
        "bundle   ",
        "(.ebignore)",
        "label app-261130_101500",
        "upload   done: s3://elasticbeanstalk-",
        "version  app-261130_101500 created and processed",
        "deploy   app-261130_101500 to storefront-prod (request ",
        "Environment update completed successfully.",
        "batch    1/",
        "outcome  succeeded (exit 0)",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    let versions = cloud.versions("storefront").await.unwrap();
    assert!(versions.iter().any(|v| v.label == "app-261130_101500"));
    // The zip was ours; it is gone.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "zip"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_are_json_and_end_with_the_outcome() {
    let tmp = tempfile::tempdir().unwrap();
    let cloud = SimCloud::new(Scenario::Quiet, 7, SPEED);
    let mut p = plan("storefront-prod", &sample(tmp.path()), tmp.path());
    p.label = Some("v-json".into());
    p.wait_healthy = true;
    let (exit, text) = run(&cloud, &p, true).await;
    assert_eq!(exit, Exit::Succeeded, "{text}");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let kinds: Vec<&str> = lines.iter().filter_map(|v| v["event"].as_str()).collect();
    for want in [
        "bundle", "upload", "uploaded", "version", "deploy", "eb_event", "health",
    ] {
        assert!(kinds.contains(&want), "no {want} in {kinds:?}");
    }
    let last = lines.last().unwrap();
    assert_eq!(last["event"], "outcome");
    assert_eq!(last["exit"], 0);
    assert_eq!(lines[0]["label"], "v-json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_deploy_exits_3_and_rolled_back_exits_5() {
    let tmp = tempfile::tempdir().unwrap();
    let cloud = SimCloud::new(Scenario::Quiet, 7, SPEED);
    let mut p = plan("storefront-prod", &one_folder(tmp.path()), tmp.path());
    p.label = Some("v-folder".into());
    let (exit, text) = run(&cloud, &p, false).await;
    assert_eq!(exit, Exit::Failed, "{text}");
    assert!(text.contains("every file is inside app/"), "{text}");
    assert!(text.contains("outcome  failed (exit 3)"), "{text}");

    p.label = Some("v-folder-2".into());
    p.rollback_on_failure = true;
    let (exit, text) = run(&cloud, &p, false).await;
    assert_eq!(exit, Exit::Reverted, "{text}");
    assert!(text.contains("rollback to "), "{text}");
    let env = cloud
        .environments()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.env.name == "storefront-prod")
        .unwrap();
    assert_ne!(env.version.as_deref(), Some("v-folder-2"));
    // Each event is told once, even across the deploy and the roll back.
    let starts = text.matches("Environment update is starting.").count();
    assert_eq!(starts, 2, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_that_fails_processing_exits_3_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("notes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "no app here").unwrap();
    let cloud = SimCloud::new(Scenario::Quiet, 7, SPEED);
    let (exit, text) = run(&cloud, &plan("storefront-prod", &dir, tmp.path()), false).await;
    assert_eq!(exit, Exit::Failed, "{text}");
    assert!(text.contains("was not created: Pre-processing"), "{text}");
    assert!(!text.contains("deploy   "), "nothing was deployed:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_change_nothing_and_exit_8() {
    let tmp = tempfile::tempdir().unwrap();
    let cloud = SimCloud::new(Scenario::Quiet, 7, SPEED);
    let app = sample(tmp.path());
    let before = cloud.versions("storefront").await.unwrap().len();

    let mut p = plan("storefront-prod", &app, tmp.path());
    p.read_only = true;
    let (exit, text) = run(&cloud, &p, false).await;
    assert_eq!(exit, Exit::Refused, "{text}");
    assert!(text.contains("read-only"), "{text}");
    assert!(
        !text.contains("bundle   "),
        "refused before anything is zipped:\n{text}"
    );

    let (exit, text) = run(&cloud, &plan("nope", &app, tmp.path()), false).await;
    assert_eq!(exit, Exit::Refused, "{text}");
    assert!(text.contains("no environment named nope"), "{text}");

    let mut p = plan("storefront-prod", &app, tmp.path());
    p.label = Some("v1.4.3".into());
    let (exit, text) = run(&cloud, &p, false).await;
    assert_eq!(exit, Exit::Refused, "{text}");
    assert!(text.contains("already exists"), "{text}");

    let missing = tmp.path().join("missing");
    let (exit, text) = run(
        &cloud,
        &plan("storefront-prod", &missing, tmp.path()),
        false,
    )
    .await;
    assert_eq!(exit, Exit::Refused, "{text}");
    assert!(text.contains("does not exist"), "{text}");

    assert_eq!(cloud.versions("storefront").await.unwrap().len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_longer_than_the_timeout_exits_7() {
    let tmp = tempfile::tempdir().unwrap();
    let cloud = SimCloud::new(Scenario::Quiet, 7, SPEED);
    let mut p = plan("storefront-prod", &sample(tmp.path()), tmp.path());
    p.timeout = Some(5_000);
    let (exit, text) = run(&cloud, &p, false).await;
    assert_eq!(exit, Exit::TimedOut, "{text}");
    assert!(text.contains("no end within the timeout"), "{text}");
}

/// The codes a shell sees, from the built binary.
#[test]
fn the_binary_exits_with_the_outcomes_code() {
    let bin = env!("CARGO_BIN_EXE_ebtui");
    let tmp = tempfile::tempdir().unwrap();
    let app = sample(tmp.path());
    let log = tmp.path().join("ebtui.log");
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(["--log-file", log.to_str().unwrap()])
            .args(args)
            .env("TMPDIR", tmp.path())
            .output()
            .unwrap()
    };
    let ok = run(&[
        "deploy",
        "--demo",
        "quiet",
        "--demo-speed",
        "50",
        "storefront-prod",
        app.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out.ends_with("outcome  succeeded (exit 0)\n"), "{out}");

    let ro = run(&[
        "deploy",
        "--demo",
        "quiet",
        "--read-only",
        "storefront-prod",
    ]);
    assert_eq!(ro.status.code(), Some(8));

    let usage = run(&[
        "deploy",
        "--demo",
        "quiet",
        "storefront-prod",
        "--timeout",
        "0",
    ]);
    assert_eq!(usage.status.code(), Some(2));
    let err = String::from_utf8_lossy(&usage.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Ctrl-C (SIGINT) is never ignored: while the deploy is followed it stops following (the
/// deploy goes on in AWS) and exits 9, unknown; it used to be swallowed once the upload had
/// listened for it, so the command ran on to its timeout.
#[test]
fn ctrl_c_while_following_stops_and_exits_unknown() {
    use std::io::BufRead;
    let bin = env!("CARGO_BIN_EXE_ebtui");
    let tmp = tempfile::tempdir().unwrap();
    let app = sample(tmp.path());
    let log = tmp.path().join("ebtui.log");
    let mut child = Command::new(bin)
        .args(["--log-file", log.to_str().unwrap()])
        .args([
            "deploy",
            "--demo",
            "quiet",
            "--demo-speed",
            "1",
            "storefront-prod",
            app.to_str().unwrap(),
        ])
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut out = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        let sent = line.starts_with("deploy ");
        out.push(line);
        if sent {
            break;
        }
    }
    assert!(
        out.last().is_some_and(|l| l.starts_with("deploy ")),
        "{out:?}"
    );
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "Ctrl-C was ignored"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    out.extend(rx.try_iter());
    assert_eq!(status.code(), Some(9), "{out:?}");
    let text = out.join("\n");
    assert!(
        text.contains("interrupted: ebtui stopped following"),
        "{text}"
    );
    assert!(text.ends_with("outcome  unknown (exit 9)"), "{text}");
}

/// A file name is one piece of one plain line: a name with a line break cannot start a line of
/// its own in the CI log (a runner may read `::error::...` as a command), nor pass an escape on.
#[tokio::test]
async fn a_file_name_cannot_forge_a_line_of_the_ci_log() {
    let tmp = tempfile::tempdir().unwrap();
    let app = sample(tmp.path());
    std::fs::write(app.join("x\n::error::forged\x1b[2J.pem"), "k").unwrap();
    // The sample's .ebignore ships what it does not name.
    let cloud = SimCloud::new(Scenario::Quiet, 7, SPEED);
    let (_exit, text) = run(&cloud, &plan("storefront-prod", &app, tmp.path()), false).await;
    assert!(
        text.contains("forged"),
        "the warning names the file: {text}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("::")) && !text.contains('\x1b'),
        "{text}"
    );
}
