//! The simulator's tests that go through `SimCloud`, as the app and the demo use it, with a
//! manual clock: the seeded account, every operation, the logs, and the scenarios end to end.
//! Unit tests of one module's helpers stay in that module.

mod account;
mod config;
mod logs;
mod ops;
mod scenarios;
mod ship;
mod steady;
mod support;
mod timeout;
