//! End to end, the built binary in a pseudo-terminal: the demo deploys the sample project it
//! carries (picker row, dialog with the rules and files, the three writes, the outcome), and a
//! bigger project shows the upload's progress bar and cancels it with Esc.

mod common;

use std::io::Write;
use std::time::Duration;

use common::pty::{Tui, env_selected, footer};

const START: Duration = Duration::from_secs(90);
const KEY: Duration = Duration::from_secs(20);
/// A deploy of the sample at 10x: about a minute and a half of simulated time.
const DEPLOY: Duration = Duration::from_secs(120);

fn select(tui: &mut Tui, env: &str) {
    tui.expect("the environments", |s| s.contains(env), START);
    tui.send(&format!(":env {env}\r"));
    tui.expect("the environment selected", |s| env_selected(s, env), KEY);
}

#[test]
fn the_demo_deploys_its_sample_project_and_shows_the_outcome() {
    let mut tui = Tui::spawn(&["--demo", "quiet", "--demo-speed", "10"], &[], 80, 24);
    select(&mut tui, "storefront-prod");
    tui.send("D");
    tui.expect(
        "the picker's new-version row",
        |s| s.contains("+ new version") && s.contains("bundle and deploy sample-app/"),
        KEY,
    );
    // The picker opens on the newest version; the new-version row is one up.
    tui.send("\x1b[A\r");
    let dialog = tui.expect(
        "the dialog on the bundle",
        |s| s.contains("Deploy sample-app to storefront-prod") && s.contains("Enter deploy"),
        KEY,
    );
    for want in [
        ".ebignore",
        "4 files",
        "Largest",
        "application.py",
        "Label    app-",
    ] {
        assert!(dialog.contains(want), "{want:?} missing:\n{dialog}");
    }
    tui.send("\t");
    let files = tui.expect("every file", |s| s.contains("Tab back"), KEY);
    assert!(files.contains("requirements.txt"), "{files}");
    assert!(
        !files.contains("test_app.py"),
        ".ebignore leaves the tests out:\n{files}"
    );
    tui.send("\t");
    tui.expect("the summary again", |s| s.contains("Enter deploy"), KEY);
    tui.send("\r");
    tui.expect(
        "the deploy followed in the panes",
        |s| s.contains("op Deploy app-") || footer(s).contains("Deploy app-"),
        KEY * 3,
    );
    let done = tui.expect(
        "the deploy's outcome",
        |s| footer(s).contains("succeeded") || s.contains("deploy ok"),
        DEPLOY,
    );
    assert!(!done.contains("failed"), "{done}");
    tui.send("q");
    assert!(tui.wait_exit(KEY).is_some(), "ebtui quits");
    tui.assert_terminal_restored();
}

/// 24 MB that does not compress: a multipart upload of five parts, at 4 MB/s of simulated time.
fn big_project(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("Procfile"), "web: node app.js\n").unwrap();
    std::fs::write(dir.join("package.json"), "{}\n").unwrap();
    let mut f = std::fs::File::create(dir.join("assets.bin")).unwrap();
    // xorshift: incompressible and reproducible.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut buf = vec![0u8; 1 << 20];
    for _ in 0..24 {
        for b in buf.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes()[..b.len()]);
        }
        f.write_all(&buf).unwrap();
    }
}

#[test]
fn a_big_upload_shows_its_progress_and_esc_cancels_it() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("shop-api");
    big_project(&project);
    let mut tui = Tui::spawn(
        &[
            "--demo",
            "quiet",
            "--demo-speed",
            "1",
            "--app-dir",
            project.to_str().unwrap(),
        ],
        &[],
        100,
        30,
    );
    select(&mut tui, "storefront-prod");
    tui.send(":deploy\r");
    let dialog = tui.expect(
        "the dialog on the bundle",
        |s| s.contains("Deploy shop-api to storefront-prod") && s.contains("Enter deploy"),
        START,
    );
    assert!(dialog.contains("whole directory"), "{dialog}");
    tui.send("\r");
    let bar = tui.expect(
        "the progress bar part-way, with a rate",
        |s| {
            s.contains("Upload the bundle to S3")
                && s.lines().any(|l| l.contains('█') && l.contains(" MB / "))
                && s.contains("MB/s")
        },
        KEY * 2,
    );
    assert!(bar.contains(" %  "), "{bar}");
    tui.send("\x1b");
    let stopped = tui.expect(
        "the upload cancelled",
        |s| s.contains("nothing was left in S3"),
        KEY,
    );
    assert!(
        !stopped.contains("op Deploy app-"),
        "nothing was deployed:\n{stopped}"
    );
    tui.send("\x1b");
    // A key right after Esc would read as Alt+key: wait for the dialog to close first.
    tui.expect("the dialog closed", |s| !s.contains("Esc close"), KEY);
    tui.send("q");
    assert!(tui.wait_exit(KEY).is_some(), "ebtui quits");
    tui.assert_terminal_restored();
}

/// The zips ebtui wrote in the temporary directory.
fn bundles_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("ebtui-bundle-"))
        .collect()
}

/// Quitting (Ctrl-C quits from anywhere) with the dialog in review, or mid-upload, leaves no
/// zip behind in the temporary directory: the upload is cancelled, then ebtui's zip removed.
#[test]
fn quitting_mid_deploy_leaves_no_zip_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("shop-api");
    big_project(&project);
    let tmpdir = tmp.path().join("tmp");
    std::fs::create_dir_all(&tmpdir).unwrap();
    for upload in [false, true] {
        let mut tui = Tui::spawn(
            &[
                "--demo",
                "quiet",
                "--demo-speed",
                "1",
                "--app-dir",
                project.to_str().unwrap(),
            ],
            &[("TMPDIR", tmpdir.to_str().unwrap())],
            100,
            30,
        );
        select(&mut tui, "storefront-prod");
        tui.send(":deploy\r");
        tui.expect(
            "the dialog on the bundle",
            |s| s.contains("Deploy shop-api to storefront-prod") && s.contains("Enter deploy"),
            START,
        );
        assert_eq!(bundles_in(&tmpdir).len(), 1, "the zip is made");
        if upload {
            tui.send("\r");
            tui.expect(
                "the upload under way",
                |s| s.lines().any(|l| l.contains('█') && l.contains(" MB / ")),
                KEY * 2,
            );
        }
        tui.send("\x03");
        assert!(tui.wait_exit(KEY).is_some(), "ebtui quits");
        tui.assert_terminal_restored();
        assert_eq!(
            bundles_in(&tmpdir),
            Vec::<String>::new(),
            "upload: {upload}"
        );
    }
}
