//! Helpers shared by the integration tests. Each test file is its own crate and uses only part
//! of them, hence the allowance for unused code.
#![allow(dead_code)]

pub mod fault_proxy;
pub mod moto;
pub mod pty;

/// A tokio runtime on the test's own thread, for seeding the emulator and driving SDK clients.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
