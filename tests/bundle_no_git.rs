//! A project with `.git` on a machine without git: refused, naming the fix. In a test binary of its
//! own because it empties `PATH` for the whole process, which the git tests next door need.

use std::fs;

use chrono::NaiveDate;
use ebtui::bundle::{BundleRequest, Rules, build};

#[test]
fn a_git_project_without_git_installed_is_refused_unless_it_has_an_ebignore() {
    let project = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    fs::create_dir(project.path().join(".git")).unwrap();
    fs::write(project.path().join("app.py"), "x").unwrap();
    let req = BundleRequest {
        path: project.path().to_path_buf(),
        out_dir: out.path().to_path_buf(),
        now: NaiveDate::from_ymd_opt(2026, 3, 7)
            .unwrap()
            .and_hms_opt(9, 5, 4)
            .unwrap(),
    };
    // SAFETY: this test binary runs this one test, on no other thread that reads the environment.
    unsafe { std::env::set_var("PATH", "/nonexistent-ebtui-path") };

    let err = build(&req).unwrap_err().0;
    assert!(err.contains("git is not installed"), "{err}");
    assert!(err.contains("install git, or add an .ebignore"), "{err}");
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 0);

    fs::write(project.path().join(".ebignore"), ".git/\n").unwrap();
    let b = build(&req).unwrap();
    assert_eq!(b.rules, Rules::EbIgnore);
    assert_eq!(b.label, "app-260307_090504");
}
