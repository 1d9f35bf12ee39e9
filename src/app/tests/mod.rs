//! `update` tests: a state, a message, the resulting state and effects. One file per concern of
//! `update/`, the shared set-up in `support`.

mod keys;
mod logs;
mod modal;
mod ops;
mod config;
mod polls;
mod ship;
mod support;
