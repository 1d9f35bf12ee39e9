//! The diagnostic log: a file (never the terminal the UI owns), created 0600, with a level or
//! filter from `EBTUI_LOG`, the AWS SDK and HTTP crates clamped to debug whatever it says (their
//! trace level writes request and response bodies), and environment properties redacted from
//! every line ([`crate::redact`]).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use crate::redact::redact;

/// The variable holding the level or filter directives.
pub const ENV_VAR: &str = "EBTUI_LOG";

/// Target prefixes that never log above debug: the AWS SDK and smithy runtime (`aws_`), and the
/// HTTP and TLS stack under them.
pub const CLAMPED: &[&str] = &["aws_", "hyper", "h2", "rustls", "tower", "reqwest"];

/// Where the log goes by default: ebtui.log in the user's state (or cache) directory.
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "ebtui")?;
    Some(
        dirs.state_dir()
            .unwrap_or(dirs.cache_dir())
            .join("ebtui.log"),
    )
}

/// The user's filter: `EBTUI_LOG` as a level (`debug`) or directives (`info,ebtui=trace`);
/// unset or empty means `info`. A mistake names the variable and the forms it takes.
pub fn user_filter(spec: Option<&str>) -> Result<EnvFilter, String> {
    let spec = spec
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("info");
    EnvFilter::builder().parse(spec).map_err(|e| {
        format!(
            "{ENV_VAR}={spec:?}: {e}; use a level (error, warn, info, debug, trace) or directives such as `info,ebtui=debug`"
        )
    })
}

/// The clamp: everything as the user's filter says, but the [`CLAMPED`] crates at most debug.
pub fn clamp() -> Targets {
    Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_targets(CLAMPED.iter().map(|t| (*t, LevelFilter::DEBUG)))
}

/// The log's layer: the user's filter and the clamp, writing redacted lines to `writer`.
pub fn layer<S, W>(writer: W, spec: Option<&str>) -> Result<impl Layer<S>, String>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = FilterExt::<S>::and(user_filter(spec)?, clamp());
    Ok(tracing_subscriber::fmt::layer()
        .with_writer(Redacting(writer))
        .with_ansi(false)
        .with_filter(filter))
}

/// Why the log could not be set up.
#[derive(Debug)]
pub enum LogError {
    /// `EBTUI_LOG` does not parse (a mistake of the user's).
    Filter(String),
    /// The file cannot be opened.
    File(PathBuf, io::Error),
}

impl std::fmt::Display for LogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogError::Filter(m) => f.write_str(m),
            LogError::File(p, e) => write!(f, "log file {}: {e}", p.display()),
        }
    }
}

/// Check `EBTUI_LOG` and open the log file at `path` (created 0600, its directory 0700; a wider
/// existing file is tightened), then install the subscriber for the process.
pub fn init(path: &Path, spec: Option<&str>) -> Result<(), LogError> {
    // Fail on the variable before touching the file system.
    user_filter(spec).map_err(LogError::Filter)?;
    let file = crate::files::open_private_append(path)
        .map_err(|e| LogError::File(path.to_path_buf(), e))?;
    let layer = layer(Mutex::new(file), spec).map_err(LogError::Filter)?;
    // A second init (tests) leaves the first subscriber in place.
    let _ = tracing_subscriber::registry().with(layer).try_init();
    Ok(())
}

/// A `MakeWriter` whose writers redact each write: the fmt layer writes one whole event per
/// `write_all`, so a record is never split between two calls.
pub struct Redacting<M>(pub M);

pub struct RedactingWriter<W>(W);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A shared buffer the layer writes into.
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    /// What the log holds after one event of each level from an SDK target, an HTTP target and
    /// ebtui itself, under `spec`.
    fn logged(spec: &str) -> String {
        let buf = Buf::default();
        let layer = layer(buf.clone(), Some(spec)).expect("a valid spec");
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "sdk-trace");
            tracing::debug!(target: "aws_smithy_runtime::client::orchestrator", "sdk-debug");
            tracing::trace!(target: "aws_sdk_elasticbeanstalk::operation", "eb-trace");
            tracing::trace!(target: "hyper_util::client", "hyper-trace");
            tracing::trace!(target: "h2::codec", "h2-trace");
            tracing::trace!(target: "rustls::client", "rustls-trace");
            tracing::trace!(target: "ebtui::runtime", "ebtui-trace");
            tracing::info!(target: "ebtui::runtime", "ebtui-info");
        });
        let out = buf.0.lock().expect("lock").clone();
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn sdk_and_http_crates_never_log_above_debug() {
        for spec in [
            "trace",
            "TRACE",
            "aws_smithy_runtime=trace,trace",
            "aws_smithy_runtime::client::orchestrator=trace,hyper_util=trace,h2=trace,rustls=trace,ebtui=trace",
        ] {
            let log = logged(spec);
            for hidden in [
                "sdk-trace",
                "eb-trace",
                "hyper-trace",
                "h2-trace",
                "rustls-trace",
            ] {
                assert!(!log.contains(hidden), "{spec}: {hidden} logged:\n{log}");
            }
            assert!(
                log.contains("sdk-debug"),
                "{spec}: debug is allowed:\n{log}"
            );
            assert!(
                log.contains("ebtui-trace"),
                "{spec}: ebtui's own trace stays:\n{log}"
            );
        }
        let log = logged("info");
        assert!(
            !log.contains("sdk-debug") && !log.contains("ebtui-trace"),
            "{log}"
        );
        assert!(log.contains("ebtui-info"), "{log}");
        let log = logged("");
        assert!(
            log.contains("ebtui-info") && !log.contains("sdk-debug"),
            "unset is info: {log}"
        );
    }

    #[test]
    fn a_bad_filter_names_the_variable_and_the_forms() {
        let e = user_filter(Some("ebtui=loud")).expect_err("refused");
        assert!(e.starts_with("EBTUI_LOG=\"ebtui=loud\""), "{e}");
        assert!(e.contains("use a level"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn every_line_is_redacted() {
        let buf = Buf::default();
        let layer = layer(buf.clone(), Some("debug")).expect("valid");
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            let setting = "ConfigurationOptionSetting { resource_name: None, namespace: Some(\"aws:elasticbeanstalk:application:environment\"), option_name: Some(\"DB_PASSWORD\"), value: Some(\"hunter2\") }";
            tracing::debug!(target: "aws_smithy_runtime::client::orchestrator", output = setting, "deserialized");
            tracing::info!(
                body = "OptionSettings.member.1.Namespace=aws%3Aelasticbeanstalk%3Aapplication%3Aenvironment&OptionSettings.member.1.OptionName=K&OptionSettings.member.1.Value=hunter2",
                "request"
            );
        });
        let log = String::from_utf8(buf.0.lock().expect("lock").clone()).expect("utf-8");
        assert!(!log.contains("hunter2"), "{log}");
        assert_eq!(log.matches(crate::redact::REDACTED).count(), 2, "{log}");
    }
}
