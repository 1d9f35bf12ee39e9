//! What an environment's platform expects at the root of a bundle: one row per platform family,
//! the first row with a word of the platform's name applying ("Tomcat 10 with Corretto 17" is
//! Tomcat, so Tomcat comes before Java SE). Each check is a list of alternatives, one of which
//! must be there. A platform no row knows gets no warning.
//!
//! From the Elastic Beanstalk Developer Guide, platform by platform:
//! - Docker: a `Dockerfile`, a `docker-compose.yml` or a `Dockerrun.aws.json` (the ECS platform,
//!   "ECS running on ...", is the multi-container Docker one).
//! - Tomcat: a WAR, or a bundle holding several WARs, or the WAR's own layout (`WEB-INF/`).
//! - Java SE (Corretto): a JAR at the root, or a `Procfile` saying what to run (required with
//!   several JARs), or a `Buildfile` that builds it on the instance.
//! - Node.js: with no `Procfile`, `app.js`, then `server.js`, then `npm start` (`package.json`).
//! - Python: the WSGI application is `application.py` by default, or a `Procfile`; dependencies
//!   come from `requirements.txt` or a `Pipfile` (the guide names no other: `pyproject.toml` alone
//!   installs nothing, so it does not count).
//! - Go: `application.go` (built by the platform), a binary `application` at the root or in
//!   `bin/`, or a `Procfile`/`Buildfile` for anything else (other `*.go` files alone are not
//!   built).
//! - PHP: PHP files served from the root (`*.php`), or a Composer project (`composer.json`).
//! - Ruby: a `Gemfile` or a Rack `config.ru`.

use super::{Bundle, Rules, Warning};

/// Something that may satisfy a check.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// This path (from the root).
    File(&'static str),
    /// A file at the root with this extension.
    Ext(&'static str),
    /// A folder at the root.
    Dir(&'static str),
}

impl Expect {
    fn label(self) -> String {
        match self {
            Expect::File(name) => name.to_string(),
            Expect::Ext(ext) => format!("*{ext}"),
            Expect::Dir(dir) => format!("{dir}/"),
        }
    }
}

struct Family {
    /// As the warning names it.
    name: &'static str,
    /// Any of these as a word of the platform's name picks this row (ASCII case ignored).
    words: &'static [&'static str],
    /// Each check needs one of its alternatives.
    checks: &'static [&'static [Expect]],
}

use Expect::{Dir, Ext, File};

const FAMILIES: &[Family] = &[
    Family {
        name: "Docker",
        words: &["Docker", "ECS"],
        checks: &[&[
            File("Dockerfile"),
            File("docker-compose.yml"),
            File("Dockerrun.aws.json"),
        ]],
    },
    Family {
        name: "Tomcat",
        words: &["Tomcat"],
        checks: &[&[Ext(".war"), Dir("WEB-INF")]],
    },
    Family {
        name: "Java SE",
        words: &["Corretto", "Java"],
        checks: &[&[Ext(".jar"), File("Procfile"), File("Buildfile")]],
    },
    Family {
        name: "Node.js",
        words: &["Node.js"],
        checks: &[&[
            File("package.json"),
            File("Procfile"),
            File("app.js"),
            File("server.js"),
        ]],
    },
    Family {
        name: "Python",
        words: &["Python"],
        checks: &[
            &[File("application.py"), File("Procfile")],
            &[File("requirements.txt"), File("Pipfile")],
        ],
    },
    Family {
        name: "Go",
        words: &["Go"],
        checks: &[&[
            File("application.go"),
            File("application"),
            File("bin/application"),
            File("Procfile"),
            File("Buildfile"),
        ]],
    },
    Family {
        name: "PHP",
        words: &["PHP"],
        checks: &[&[Ext(".php"), File("composer.json")]],
    },
    Family {
        name: "Ruby",
        words: &["Ruby"],
        checks: &[&[File("Gemfile"), File("config.ru")]],
    },
];

fn family(platform: &str) -> Option<&'static Family> {
    let words: Vec<&str> = platform.split_whitespace().collect();
    FAMILIES.iter().find(|f| {
        f.words
            .iter()
            .any(|w| words.iter().any(|p| p.eq_ignore_ascii_case(w)))
    })
}

impl Bundle {
    /// What the environment's platform (its platform or solution stack name, e.g. "Python 3.11
    /// running on 64bit Amazon Linux 2023/4.1.0") expects at the root and the bundle lacks: one
    /// `Warning::Missing` per unmet check; none for a platform not known here.
    pub fn platform_warnings(&self, platform: &str) -> Vec<Warning> {
        let Some(family) = family(platform) else {
            return Vec::new();
        };
        family
            .checks
            .iter()
            .filter(|alternatives| !alternatives.iter().any(|e| self.has(*e)))
            .map(|alternatives| Warning::Missing {
                platform: family.name.to_string(),
                expected: alternatives.iter().map(|e| e.label()).collect(),
            })
            .collect()
    }

    fn has(&self, expect: Expect) -> bool {
        let ends_with = |name: &str, ext: &str| name.to_ascii_lowercase().ends_with(ext);
        match expect {
            Expect::File(path) => self.entries.iter().any(|e| e.path == path),
            Expect::Ext(ext) => {
                // A `.jar`/`.war` shipped as it is: the bundle is that file.
                let itself = self.rules == Rules::Archive
                    && self
                        .source
                        .file_name()
                        .is_some_and(|n| ends_with(&n.to_string_lossy(), ext));
                itself
                    || self
                        .entries
                        .iter()
                        .any(|e| !e.path.contains('/') && ends_with(&e.path, ext))
            }
            Expect::Dir(dir) => self.entries.iter().any(|e| {
                e.path
                    .strip_prefix(dir)
                    .is_some_and(|rest| rest.starts_with('/'))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_picked_by_a_word_of_the_name() {
        let name = |p: &str| family(p).map(|f| f.name);
        assert_eq!(
            name("Python 3.11 running on 64bit Amazon Linux 2023/4.1.0"),
            Some("Python")
        );
        assert_eq!(
            name("Tomcat 10 with Corretto 17 running on 64bit Amazon Linux 2023"),
            Some("Tomcat")
        );
        assert_eq!(
            name("Corretto 17 running on 64bit Amazon Linux 2023"),
            Some("Java SE")
        );
        assert_eq!(
            name("64bit Amazon Linux 2023 v4.0.1 running Go 1"),
            Some("Go")
        );
        assert_eq!(
            name("ECS running on 64bit Amazon Linux 2023"),
            Some("Docker")
        );
        assert_eq!(name("Google Chrome"), None);
        assert_eq!(
            name(".NET 8 on AL2023 running on 64bit Amazon Linux 2023"),
            None
        );
    }
}
