//! The source bundle, rule by rule: each test builds a small project in a temporary directory,
//! bundles it, and opens the zip with the `zip` crate to check exactly which names it holds.

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, NaiveDateTime};
use ebtui::bundle::{
    Bundle, BundleRequest, MAX_BUNDLE_BYTES, Rules, Warning, build, build_limited,
};
use tempfile::TempDir;
use zip::{CompressionMethod, ZipArchive};

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 7)
        .unwrap()
        .and_hms_opt(9, 5, 4)
        .unwrap()
}

const STAMP: &str = "260307_090504";

/// A project directory and a separate output directory.
struct Fixture {
    project: TempDir,
    out: TempDir,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            project: tempfile::tempdir().unwrap(),
            out: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> &Path {
        self.project.path()
    }

    fn write(&self, rel: &str, content: &str) -> PathBuf {
        write(self.root(), rel, content)
    }

    fn request(&self, path: &Path) -> BundleRequest {
        BundleRequest {
            path: path.to_path_buf(),
            out_dir: self.out.path().to_path_buf(),
            now: now(),
        }
    }

    fn build(&self) -> Bundle {
        build(&self.request(self.root())).unwrap_or_else(|e| panic!("bundle failed: {e}"))
    }

    fn build_err(&self) -> String {
        match build(&self.request(self.root())) {
            Ok(b) => panic!("bundled, though it should have failed: {:?}", names(&b)),
            Err(e) => e.0,
        }
    }

    /// What is left in the output directory.
    fn left_over(&self) -> Vec<String> {
        fs::read_dir(self.out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    fn git(&self, args: &[&str]) -> String {
        git(self.root(), args)
    }

    /// `git init` with a committer of its own, on branch `main`.
    fn git_init(&self) {
        self.git(&["init", "-q", "-b", "main"]);
        self.git(&["config", "user.name", "Bundle Test"]);
        self.git(&["config", "user.email", "bundle@example.com"]);
        self.git(&["config", "commit.gpgsign", "false"]);
    }

    fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }
}

fn write(root: &Path, rel: &str, content: &str) -> PathBuf {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, content).unwrap();
    path
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The bundle's file paths, as its entries list them.
fn names(b: &Bundle) -> Vec<&str> {
    b.entries.iter().map(|e| e.path.as_str()).collect()
}

/// Every name in the zip (folders end with `/`), opened with the `zip` crate.
fn zip_names(zip: &Path) -> BTreeSet<String> {
    let mut archive = ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
        .collect()
}

fn zip_text(zip: &Path, name: &str) -> String {
    let mut archive = ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    let mut file = archive.by_name(name).unwrap();
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Deterministic bytes that do not compress.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

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

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unreadable_file_is_an_error_naming_it_and_the_fix() {
    let f = Fixture::new();
    f.write("app.py", "x");
    let secret = f.write("private/data.bin", "x");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&secret).is_ok() {
        // Running as root (or with the capability to override file modes): root reads every file
        // whatever its mode, so there is no unreadable file to test here.
        return;
    }
    let err = f.build_err();
    assert!(err.contains("private/data.bin"), "{err}");
    assert!(
        err.contains("make it readable or add it to .ebignore"),
        "{err}"
    );
    assert!(f.left_over().is_empty());
}

#[test]
fn a_path_that_does_not_exist_is_named() {
    let f = Fixture::new();
    let missing = f.root().join("no-such-app");
    let err = build(&f.request(&missing)).unwrap_err().0;
    assert!(err.contains("no-such-app"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn a_file_that_is_not_an_archive_is_refused() {
    let f = Fixture::new();
    let notes = f.write("notes.txt", "x");
    let err = build(&f.request(&notes)).unwrap_err().0;
    assert!(err.contains("not a directory or a .zip/.jar/.war"), "{err}");
}

#[test]
fn past_the_size_limit_the_bundle_stops_and_leaves_nothing() {
    let f = Fixture::new();
    for i in 0..4 {
        fs::write(f.root().join(format!("blob{i}.bin")), noise(300_000, i)).unwrap();
    }
    let err = build_limited(&f.request(f.root()), 500_000).unwrap_err().0;
    assert!(err.contains("size limit"), "{err}");
    assert!(err.contains(".ebignore"), "{err}");
    assert!(f.left_over().is_empty(), "{:?}", f.left_over());
    // The same project fits Elastic Beanstalk's own limit, 512 MB.
    const { assert!(MAX_BUNDLE_BYTES == 512 * 1024 * 1024) };
    assert!(build(&f.request(f.root())).is_ok());
}

#[test]
fn a_big_file_past_the_limit_stops_while_it_streams() {
    let f = Fixture::new();
    fs::write(f.root().join("big.bin"), noise(9 * 1024 * 1024, 7)).unwrap();
    let err = build_limited(&f.request(f.root()), 1024 * 1024)
        .unwrap_err()
        .0;
    assert!(err.contains("size limit"), "{err}");
    assert!(f.left_over().is_empty());
}

// ---------------------------------------------------------------------------------------------
// The zip itself
// ---------------------------------------------------------------------------------------------

#[test]
fn the_zip_is_owner_only_deflated_and_holds_the_contents() {
    let f = Fixture::new();
    let text = "def application(env, start):\n    return []\n".repeat(50);
    f.write("application.py", &text);
    let big: String = (0..400_000).map(|i| format!("line {i}\n")).collect();
    f.write("data/big.txt", &big);
    let b = f.build();
    assert!(b.owned);
    let name = b.zip.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("ebtui-bundle-app-{STAMP}-")) && name.ends_with(".zip"),
        "{name}"
    );
    let mode = fs::metadata(&b.zip).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(b.zip_bytes, fs::metadata(&b.zip).unwrap().len());
    assert!(
        b.zip_bytes < b.content_bytes / 2,
        "text compresses: {} of {}",
        b.zip_bytes,
        b.content_bytes
    );
    let mut archive = ZipArchive::new(fs::File::open(&b.zip).unwrap()).unwrap();
    for (entry, content) in [("application.py", &text), ("data/big.txt", &big)] {
        let mut file = archive.by_name(entry).unwrap();
        assert_eq!(file.compression(), CompressionMethod::Deflated);
        let mut back = String::new();
        file.read_to_string(&mut back).unwrap();
        assert_eq!(&back, content, "{entry}");
    }
    assert_eq!(b.content_bytes, (text.len() + big.len()) as u64);
    assert_eq!(b.largest(1)[0].path, "data/big.txt");
}

#[test]
fn many_files_come_out_complete_and_in_order() {
    let f = Fixture::new();
    let mut expected = Vec::new();
    for d in 0..7 {
        for i in 0..300 {
            let rel = format!("pkg{d}/mod{i:03}.py");
            f.write(&rel, &format!("# {rel}\n"));
            expected.push(rel);
        }
    }
    expected.sort();
    let b = f.build();
    assert_eq!(
        names(&b),
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for rel in ["pkg0/mod000.py", "pkg6/mod299.py", "pkg3/mod150.py"] {
        assert_eq!(zip_text(&b.zip, rel), format!("# {rel}\n"));
    }
}

#[test]
fn an_archive_ships_as_it_is() {
    let f = Fixture::new();
    let path = f.root().join("app.JAR");
    let mut w = zip::ZipWriter::new(fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    w.add_directory("META-INF/", opts).unwrap();
    w.start_file("META-INF/MANIFEST.MF", opts).unwrap();
    w.write_all(b"Main-Class: App\n").unwrap();
    w.start_file("App.class", opts).unwrap();
    w.write_all(b"\xca\xfe\xba\xbe").unwrap();
    w.finish().unwrap();
    let b = build(&f.request(&path)).unwrap();
    assert_eq!(b.rules, Rules::Archive);
    assert!(!b.owned);
    assert_eq!(b.zip, path);
    assert_eq!(names(&b), ["App.class", "META-INF/MANIFEST.MF"]);
    assert_eq!(b.content_bytes, 4 + 16);
    assert!(f.left_over().is_empty(), "nothing written for an archive");
    assert!(
        b.platform_warnings("Corretto 21 running on 64bit Amazon Linux 2023")
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------

#[test]
fn secrets_and_a_single_top_folder_are_warned_about() {
    let f = Fixture::new();
    f.write("myapp/app.py", "x");
    f.write("myapp/.env", "KEY=1");
    f.write("myapp/.env.example", "KEY=");
    f.write("myapp/certs/server.pem", "x");
    f.write("myapp/.ssh/id_rsa", "x");
    let b = f.build();
    assert_eq!(
        b.warnings,
        vec![
            Warning::Secret {
                path: "myapp/.env".into()
            },
            Warning::Secret {
                path: "myapp/.ssh/id_rsa".into()
            },
            Warning::Secret {
                path: "myapp/certs/server.pem".into()
            },
            Warning::OneTopFolder {
                folder: "myapp".into()
            },
        ]
    );
    assert!(b.warnings[3].to_string().contains("myapp/"));
}

#[test]
fn platform_warnings_check_the_root_against_the_platform() {
    let f = Fixture::new();
    f.write("application.py", "x");
    f.write("package.json", "{}");
    let b = f.build();
    let python = b.platform_warnings("Python 3.11 running on 64bit Amazon Linux 2023/4.1.0");
    assert_eq!(
        python,
        vec![Warning::Missing {
            platform: "Python".into(),
            expected: vec!["requirements.txt".into(), "Pipfile".into()],
        }]
    );
    assert!(
        b.platform_warnings("Node.js 20 running on 64bit Amazon Linux 2023")
            .is_empty()
    );
    let docker = b.platform_warnings("Docker running on 64bit Amazon Linux 2023");
    assert_eq!(docker.len(), 1);
    assert!(
        docker[0].to_string().contains("Dockerfile"),
        "{}",
        docker[0]
    );
    assert_eq!(
        b.platform_warnings("Tomcat 10 with Corretto 17 running on 64bit Amazon Linux 2023")
            .len(),
        1
    );
    assert_eq!(
        b.platform_warnings("Go 1 running on 64bit Amazon Linux 2023")
            .len(),
        1
    );
    assert_eq!(
        b.platform_warnings("PHP 8.2 running on 64bit Amazon Linux 2023")
            .len(),
        1
    );
    assert_eq!(
        b.platform_warnings("Ruby 3.2 running on 64bit Amazon Linux 2023")
            .len(),
        1
    );
    assert!(
        b.platform_warnings("Something new running on 64bit Amazon Linux 2023")
            .is_empty()
    );

    f.write("requirements.txt", "flask\n");
    f.write("index.php", "<?php");
    f.write("bin/application", "ELF");
    let b = f.build();
    for p in [
        "Python 3.12 running on 64bit Amazon Linux 2023",
        "PHP 8.2 running on 64bit Amazon Linux 2023",
        "Go 1 running on 64bit Amazon Linux 2023",
    ] {
        assert!(b.platform_warnings(p).is_empty(), "{p}");
    }
}

#[test]
fn rules_describe_themselves_for_the_dialog() {
    assert_eq!(Rules::EbIgnore.describe(), ".ebignore");
    assert_eq!(Rules::GitHead.describe(), "git HEAD (committed files only)");
    assert_eq!(Rules::Whole.describe(), "whole directory");
    assert_eq!(Rules::Archive.describe(), "archive as is");
}
