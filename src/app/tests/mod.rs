//! `update` tests: a state, a message, the resulting state and effects. One file per concern of
//! `update/`, the shared set-up in `support`.

mod config;
mod keys;
mod logs;
mod modal;
mod mouse;
mod ops;
mod polls;
mod ship;
mod sso;
mod support;
