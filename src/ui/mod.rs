//! Drawing: pure functions of `&App`. One module per pane or overlay; `layout` places them.

pub mod config;
pub mod envs;
pub mod fmt;
pub mod health;
mod history;
mod journal;
pub mod layout;
pub mod logs;
pub mod modal;
mod render;
mod ship;
pub mod status;
pub mod theme;
pub mod timeline;
mod triage;
pub use render::*;
