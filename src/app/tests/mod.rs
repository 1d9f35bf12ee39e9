//! `update` tests: a state, a message, the resulting state and effects. One file per concern of
//! `update/`, the shared set-up in `support`.

mod capture;
mod config;
mod journal;
mod keys;
mod logs;
mod modal;
mod mouse;
mod ops;
mod polls;
mod report;
mod ship;
mod sso;
mod support;
mod triage;
