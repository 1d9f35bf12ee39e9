//! Helpers shared by the integration tests. Each test file is its own crate and uses only part
//! of them, hence the allowance for unused code.
#![allow(dead_code)]

pub mod fault_proxy;
pub mod moto;
pub mod pty;
