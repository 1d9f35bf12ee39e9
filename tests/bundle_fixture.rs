//! Fixtures shared by the bundle tests: a project and an output directory in temporary folders,
//! git with a committer of its own, and readers of the zip. Included with `#[path]` by each
//! `bundle_*` test; compiled alone it is a test binary with no tests.
#![allow(dead_code, clippy::new_without_default)]

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, NaiveDateTime};
use ebtui::bundle::{Bundle, BundleRequest, build};
use tempfile::TempDir;
use zip::ZipArchive;

pub fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 7)
        .unwrap()
        .and_hms_opt(9, 5, 4)
        .unwrap()
}

pub const STAMP: &str = "260307_090504";

/// A project directory and a separate output directory.
pub struct Fixture {
    pub project: TempDir,
    pub out: TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            project: tempfile::tempdir().unwrap(),
            out: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.project.path()
    }

    pub fn write(&self, rel: &str, content: &str) -> PathBuf {
        write(self.root(), rel, content)
    }

    pub fn request(&self, path: &Path) -> BundleRequest {
        BundleRequest {
            path: path.to_path_buf(),
            out_dir: self.out.path().to_path_buf(),
            now: now(),
        }
    }

    pub fn build(&self) -> Bundle {
        build(&self.request(self.root())).unwrap_or_else(|e| panic!("bundle failed: {e}"))
    }

    pub fn build_err(&self) -> String {
        match build(&self.request(self.root())) {
            Ok(b) => panic!("bundled, though it should have failed: {:?}", names(&b)),
            Err(e) => e.0,
        }
    }

    /// What is left in the output directory.
    pub fn left_over(&self) -> Vec<String> {
        fs::read_dir(self.out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(self.root(), args)
    }

    /// `git init` with a committer of its own, on branch `main`.
    pub fn git_init(&self) {
        self.git(&["init", "-q", "-b", "main"]);
        self.git(&["config", "user.name", "Bundle Test"]);
        self.git(&["config", "user.email", "bundle@example.com"]);
        self.git(&["config", "commit.gpgsign", "false"]);
    }

    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }
}

pub fn write(root: &Path, rel: &str, content: &str) -> PathBuf {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, content).unwrap();
    path
}

pub fn git(dir: &Path, args: &[&str]) -> String {
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
pub fn names(b: &Bundle) -> Vec<&str> {
    b.entries.iter().map(|e| e.path.as_str()).collect()
}

/// Every name in the zip (folders end with `/`), opened with the `zip` crate.
pub fn zip_names(zip: &Path) -> BTreeSet<String> {
    let mut archive = ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
        .collect()
}

pub fn zip_text(zip: &Path, name: &str) -> String {
    let mut archive = ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    let mut file = archive.by_name(name).unwrap();
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text
}

pub fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Deterministic bytes that do not compress.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
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
