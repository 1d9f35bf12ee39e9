//! The source bundle's rules, one by one: `.ebignore`, git HEAD, the whole directory, and what is
//! always left out. Each test builds a small project in a temporary directory, bundles it, and
//! opens the zip with the `zip` crate to check exactly which names it holds.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;

use ebtui::bundle::{BundleRequest, Rules, build, build_limited};
use zip::ZipArchive;

#[path = "bundle_fixture.rs"]
mod fixture;

use fixture::*;

// ---------------------------------------------------------------------------------------------
// .ebignore
// ---------------------------------------------------------------------------------------------

#[test]
fn ebignore_leaves_out_its_matches_and_itself_but_never_reads_gitignore() {
    let f = Fixture::new();
    f.write(
        ".ebignore",
        "# logs\n*.log\n!keep.log\nbuild/\n/secret.txt\n",
    );
    f.write(".gitignore", "app.py\n");
    f.write("app.py", "print('hi')\n");
    f.write("debug.log", "x");
    f.write("keep.log", "kept");
    f.write("logs/today.log", "x");
    f.write("build/out.bin", "x");
    f.write(
        "src/build/deep.txt",
        "a directory pattern matches at any depth",
    );
    f.write("secret.txt", "x");
    f.write("docs/secret.txt", "anchored: only the root one is left out");
    let b = f.build();
    assert_eq!(b.rules, Rules::EbIgnore);
    assert_eq!(
        names(&b),
        [".gitignore", "app.py", "docs/secret.txt", "keep.log"]
    );
    assert_eq!(
        zip_names(&b.zip),
        set(&[
            ".gitignore",
            "app.py",
            "docs/",
            "docs/secret.txt",
            "keep.log"
        ])
    );
    assert!(b.git.is_none(), "not a git work tree");
    assert_eq!(b.label, format!("app-{STAMP}"));
}

#[test]
fn ebignore_ships_uncommitted_files_and_git_itself_unless_listed() {
    let f = Fixture::new();
    f.git_init();
    f.write("app.py", "committed\n");
    f.commit_all("first");
    f.write("app.py", "changed\n");
    f.write("new.py", "untracked\n");
    f.write(".ebignore", "*.pyc\n");
    let b = f.build();
    assert_eq!(b.rules, Rules::EbIgnore);
    assert_eq!(zip_text(&b.zip, "app.py"), "changed\n");
    assert!(names(&b).contains(&"new.py"));
    // The EB CLI walks everything .ebignore does not match: `.git/` included.
    assert!(names(&b).contains(&".git/HEAD"), "{:?}", names(&b));
    let git = b.git.as_ref().expect("the label still comes from git");
    assert!(b.label.starts_with(&format!("app-{}-", git.describe)));

    f.write(".ebignore", "*.pyc\n.git/\n");
    let b = f.build();
    assert!(!names(&b).iter().any(|n| n.starts_with(".git/")));
}

#[test]
fn ebignore_works_before_the_first_commit() {
    let f = Fixture::new();
    f.git_init();
    f.write("app.py", "x");
    f.write(".ebignore", ".git/\n");
    let b = f.build();
    assert_eq!(names(&b), ["app.py"]);
    assert!(b.git.is_none());
    assert_eq!(b.label, format!("app-{STAMP}"));
}

#[test]
fn an_invalid_ebignore_pattern_names_its_line_and_the_fix() {
    let f = Fixture::new();
    f.write(".ebignore", "*.log\n[z-a].txt\n");
    f.write("app.py", "x");
    let err = f.build_err();
    assert!(err.contains(".ebignore line 2"), "{err}");
    assert!(err.contains("[z-a].txt"), "{err}");
    assert!(err.contains("gitignore syntax"), "{err}");
    assert!(f.left_over().is_empty(), "{:?}", f.left_over());
}

// ---------------------------------------------------------------------------------------------
// git HEAD
// ---------------------------------------------------------------------------------------------

#[test]
fn git_head_ships_committed_files_only_and_counts_the_rest() {
    let f = Fixture::new();
    f.git_init();
    f.write("app.py", "committed\n");
    f.write("lib/util.py", "u\n");
    f.commit_all("first");
    f.write("app.py", "changed, not committed\n");
    f.write("scratch.txt", "untracked\n");
    f.write("new/one.txt", "untracked\n");
    let b = f.build();
    assert_eq!(b.rules, Rules::GitHead);
    assert_eq!(names(&b), ["app.py", "lib/util.py"]);
    assert_eq!(zip_names(&b.zip), set(&["app.py", "lib/", "lib/util.py"]));
    assert_eq!(zip_text(&b.zip, "app.py"), "committed\n");
    let git = b.git.clone().unwrap();
    assert_eq!(git.commit, f.git(&["rev-parse", "--short", "HEAD"]));
    assert_eq!(git.describe, f.git(&["describe", "--always", "--abbrev=4"]));
    assert_eq!(git.branch.as_deref(), Some("main"));
    assert_eq!(git.uncommitted, 3, "a change and two untracked files");
    assert_eq!(b.label, format!("app-{}-{STAMP}", git.describe));
}

#[test]
fn git_head_of_a_subdirectory_ships_only_that_subdirectory() {
    let f = Fixture::new();
    f.git_init();
    f.write("top.txt", "t");
    f.write("svc/app.py", "a");
    f.write("svc/pkg/mod.py", "m");
    f.commit_all("first");
    f.write("untracked-top.txt", "x");
    f.write("svc/untracked.txt", "x");
    let b = build(&f.request(&f.root().join("svc"))).unwrap();
    assert_eq!(b.rules, Rules::GitHead);
    assert_eq!(names(&b), ["app.py", "pkg/mod.py"]);
    assert_eq!(b.git.unwrap().uncommitted, 1, "only what is under svc/");
}

#[test]
fn git_head_on_a_detached_head_has_no_branch() {
    let f = Fixture::new();
    f.git_init();
    f.write("app.py", "1");
    f.commit_all("first");
    f.write("app.py", "2");
    f.commit_all("second");
    f.git(&["checkout", "-q", "--detach", "HEAD~1"]);
    let b = f.build();
    assert_eq!(b.git.as_ref().unwrap().branch, None);
    assert_eq!(zip_text(&b.zip, "app.py"), "1");
}

#[test]
fn git_head_label_uses_describe_with_dots_replaced() {
    let f = Fixture::new();
    f.git_init();
    f.write("app.py", "1");
    f.commit_all("first");
    // `git describe` without `--tags`, as the EB CLI runs it, names annotated tags only.
    f.git(&["tag", "-a", "v1.2.0", "-m", "release"]);
    let b = f.build();
    assert_eq!(b.git.as_ref().unwrap().describe, "v1.2.0");
    assert_eq!(b.label, format!("app-v1_2_0-{STAMP}"));
}

#[test]
fn git_head_with_no_commit_yet_is_refused_with_the_fix() {
    let f = Fixture::new();
    f.git_init();
    f.write("app.py", "x");
    f.git(&["add", "-A"]);
    let err = f.build_err();
    assert!(err.contains("has no commit yet"), "{err}");
    assert!(
        err.contains("commit, or add an .ebignore to ship the working tree"),
        "{err}"
    );
    assert!(f.left_over().is_empty());
}

#[test]
fn git_head_skips_the_eb_folder_and_backups_even_when_committed() {
    let f = Fixture::new();
    f.git_init();
    f.write("app.py", "x");
    f.write(".elasticbeanstalk/config.yml", "x");
    f.write("notes.txt~", "x");
    let long = format!("{}/file.txt", "d".repeat(120));
    f.write(&long, "a path longer than a plain tar header holds");
    f.commit_all("first");
    let b = f.build();
    assert_eq!(names(&b), ["app.py", long.as_str()]);
}

#[test]
fn git_head_stores_executables_and_symlinks() {
    let f = Fixture::new();
    f.git_init();
    let script = f.write("run.sh", "#!/bin/sh\n");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("run.sh", f.root().join("start")).unwrap();
    f.commit_all("first");
    let b = f.build();
    let mut archive = ZipArchive::new(fs::File::open(&b.zip).unwrap()).unwrap();
    assert_eq!(
        archive.by_name("run.sh").unwrap().unix_mode(),
        Some(0o100755)
    );
    let mut link = archive.by_name("start").unwrap();
    assert!(link.is_symlink());
    let mut target = String::new();
    link.read_to_string(&mut target).unwrap();
    assert_eq!(target, "run.sh");
}

#[test]
fn git_head_streams_big_files_and_stops_at_the_limit_leaving_nothing() {
    let f = Fixture::new();
    f.git_init();
    let big = noise(9 * 1024 * 1024, 3);
    fs::write(f.root().join("big.bin"), &big).unwrap();
    f.write("app.py", "x");
    f.commit_all("first");
    let b = f.build();
    assert_eq!(names(&b), ["app.py", "big.bin"]);
    let mut archive = ZipArchive::new(fs::File::open(&b.zip).unwrap()).unwrap();
    let mut back = Vec::new();
    archive
        .by_name("big.bin")
        .unwrap()
        .read_to_end(&mut back)
        .unwrap();
    assert!(back == big, "the streamed file comes back whole");
    fs::remove_file(&b.zip).unwrap();

    // git is still writing when the limit stops the reader: it must not hang, and the zip and
    // the FIFO's folder must both be gone.
    let err = build_limited(&f.request(f.root()), 1024 * 1024)
        .unwrap_err()
        .0;
    assert!(err.contains("size limit"), "{err}");
    assert!(f.left_over().is_empty(), "{:?}", f.left_over());
}

// ---------------------------------------------------------------------------------------------
// The whole directory, and what is always left out
// ---------------------------------------------------------------------------------------------

#[test]
fn the_whole_directory_ships_everything_but_the_root_gitignore() {
    let f = Fixture::new();
    f.write("app.py", "print(1)\n");
    f.write("static/css/site.css", "body{}\n");
    f.write(".gitignore", "static/\n");
    f.write("static/.gitignore", "nested ones ship\n");
    f.write("empty.txt", "");
    let b = f.build();
    assert_eq!(b.rules, Rules::Whole);
    assert!(b.git.is_none());
    assert_eq!(
        names(&b),
        [
            "app.py",
            "empty.txt",
            "static/.gitignore",
            "static/css/site.css"
        ]
    );
    assert_eq!(
        zip_names(&b.zip),
        set(&[
            "app.py",
            "empty.txt",
            "static/",
            "static/.gitignore",
            "static/css/",
            "static/css/site.css"
        ])
    );
    assert_eq!(b.label, format!("app-{STAMP}"));
    assert_eq!(b.content_bytes, 9 + 7 + 17);
}

#[test]
fn the_eb_folder_backups_sockets_and_fifos_are_always_left_out() {
    let f = Fixture::new();
    f.write("app.py", "x");
    f.write(".elasticbeanstalk/config.yml", "x");
    f.write("sub/.elasticbeanstalk/saved.yml", "x");
    f.write("app.py~", "x");
    let _socket = std::os::unix::net::UnixListener::bind(f.root().join("app.sock")).unwrap();
    nix::unistd::mkfifo(
        &f.root().join("pipe"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    let b = f.build();
    assert_eq!(names(&b), ["app.py"]);
    assert_eq!(zip_names(&b.zip), set(&["app.py"]));
}

#[test]
fn symlinks_are_stored_as_symlinks_never_followed() {
    let f = Fixture::new();
    f.write("real/config.json", "{}");
    std::os::unix::fs::symlink("real/config.json", f.root().join("config.json")).unwrap();
    std::os::unix::fs::symlink("real", f.root().join("alias")).unwrap();
    std::os::unix::fs::symlink("/nowhere/at/all", f.root().join("dangling")).unwrap();
    let b = f.build();
    assert_eq!(
        names(&b),
        ["alias", "config.json", "dangling", "real/config.json"]
    );
    let link = b.entries.iter().find(|e| e.path == "config.json").unwrap();
    assert!(link.symlink);
    assert_eq!(link.size, "real/config.json".len() as u64);
    let mut archive = ZipArchive::new(fs::File::open(&b.zip).unwrap()).unwrap();
    for (name, target) in [
        ("config.json", "real/config.json"),
        ("alias", "real"),
        ("dangling", "/nowhere/at/all"),
    ] {
        let mut entry = archive.by_name(name).unwrap();
        assert!(entry.is_symlink(), "{name}");
        // The EB CLI's external attributes for a symlink, 0xA1ED0000.
        assert_eq!(entry.unix_mode(), Some(0o120755), "{name}");
        let mut content = String::new();
        entry.read_to_string(&mut content).unwrap();
        assert_eq!(content, target);
    }
}

#[test]
fn a_symlink_loop_is_harmless() {
    let f = Fixture::new();
    f.write("app.py", "x");
    std::os::unix::fs::symlink("b", f.root().join("a")).unwrap();
    std::os::unix::fs::symlink("a", f.root().join("b")).unwrap();
    std::os::unix::fs::symlink(".", f.root().join("self")).unwrap();
    std::os::unix::fs::symlink("..", f.root().join("up")).unwrap();
    let b = f.build();
    assert_eq!(names(&b), ["a", "app.py", "b", "self", "up"]);
    assert!(
        b.entries
            .iter()
            .filter(|e| e.path != "app.py")
            .all(|e| e.symlink)
    );
}

#[test]
fn the_output_directory_inside_the_project_is_left_out() {
    let f = Fixture::new();
    f.write("app.py", "x");
    let out = f.root().join("dist");
    let req = BundleRequest {
        path: f.root().to_path_buf(),
        out_dir: out.clone(),
        now: now(),
    };
    let first = build(&req).unwrap();
    let second = build(&req).unwrap();
    assert_eq!(names(&second), ["app.py"]);
    assert_ne!(first.zip, second.zip, "each bundle is a new file");
}
