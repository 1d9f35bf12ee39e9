//! The source bundle as a file, and what it tells the dialog: the zip's contents and mode, the
//! size limit, errors that name the fix, a ready archive, and the warnings.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;

use ebtui::bundle::{MAX_BUNDLE_BYTES, Rules, Warning, build, build_limited};
use zip::{CompressionMethod, ZipArchive};

#[path = "bundle_fixture.rs"]
mod fixture;

use fixture::*;

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
