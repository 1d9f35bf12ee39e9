//! The local AWS emulator (moto) for integration tests: started on a free 127.0.0.1 port, killed
//! when the handle is dropped.
//!
//! The binary comes from `$EBTUI_MOTO_BIN`, else `.venv-moto/bin/moto_server` in the crate root
//! (made by `scripts/moto-venv.sh`). Without it the tests fail and say how to get it, unless
//! `EBTUI_SKIP_EMULATOR=1` is set: then `start` prints a skip note and returns `None`.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

/// How long moto gets to answer its first request (it imports every service backend at start).
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// Starts tried when the free port was taken between choosing it and moto binding it.
const START_TRIES: usize = 3;

pub struct Moto {
    child: Child,
    url: String,
    log: PathBuf,
}

fn moto_bin() -> PathBuf {
    match std::env::var_os("EBTUI_MOTO_BIN") {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-moto/bin/moto_server"),
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free 127.0.0.1 port");
    listener
        .local_addr()
        .expect("local address of the probe listener")
        .port()
}

/// True once the server answers an HTTP request with a status line.
fn answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /moto-api/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

impl Moto {
    /// Start the emulator, or `None` (after a note on stderr) when it is absent and
    /// `EBTUI_SKIP_EMULATOR=1`. Panics when it is absent otherwise, or does not come up.
    pub fn start() -> Option<Moto> {
        let bin = moto_bin();
        if !bin.exists() {
            if std::env::var("EBTUI_SKIP_EMULATOR").as_deref() == Ok("1") {
                eprintln!("skipped: the moto emulator is not installed (EBTUI_SKIP_EMULATOR=1)");
                return None;
            }
            panic!(
                "the moto emulator is not installed at {}: run `scripts/moto-venv.sh` (or set EBTUI_MOTO_BIN, \
                 or EBTUI_SKIP_EMULATOR=1 to skip the emulator tests)",
                bin.display()
            );
        }
        let mut last_error = String::new();
        for _ in 0..START_TRIES {
            match Moto::spawn(&bin) {
                Ok(moto) => return Some(moto),
                Err(e) => last_error = e,
            }
        }
        panic!("moto did not start: {last_error}");
    }

    fn spawn(bin: &PathBuf) -> Result<Moto, String> {
        let port = free_port();
        let log =
            std::env::temp_dir().join(format!("ebtui-moto-{}-{port}.log", std::process::id()));
        let log_file =
            std::fs::File::create(&log).map_err(|e| format!("create {}: {e}", log.display()))?;
        let log_err = log_file
            .try_clone()
            .map_err(|e| format!("clone log handle: {e}"))?;
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", bin.display()))?;
        // From here the handle owns the process: any early return kills it on drop.
        let mut moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(format!("moto exited with {status}: {}", moto.log_tail()));
            }
            if answers(addr) {
                return Ok(moto);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "moto did not answer on {} within {READY_TIMEOUT:?}: {}",
            moto.url,
            moto.log_tail()
        ))
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The end of moto's own log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(2000);
        let start = (start..text.len())
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(text.len());
        text[start..].to_string()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Make the AWS credential and region chains of this test process deterministic and offline:
/// dummy keys (the emulator accepts any), no profile or config files of the machine, no EC2
/// metadata lookups. Call it first in every test that uses `AwsCloud::connect`.
///
/// Setting the environment is `unsafe` because another thread could read it at the same time;
/// the `Once` makes every test of the binary wait here before any of them builds an SDK config,
/// and the values are the same for all of them.
pub fn offline_aws_env() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let missing = std::env::temp_dir().join("ebtui-no-aws-config");
        // SAFETY: see above; runs once, before any test of this binary reads these variables.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
            std::env::set_var("AWS_CONFIG_FILE", &missing);
            std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &missing);
            for var in [
                "AWS_SESSION_TOKEN",
                "AWS_PROFILE",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWS_ENDPOINT_URL",
            ] {
                std::env::remove_var(var);
            }
        }
    });
}
