//! ebtui: a terminal console for AWS Elastic Beanstalk.
//!
//! The ring: `runtime` receives a `Msg`, `app::update` turns it into state and `Effect`s, the
//! runtime carries the effects out against a `cloud::Cloud`, and `ui::render` draws the state.
//! See ARCHITECTURE.md.

pub mod app;
pub mod bundle;
pub mod cli;
pub mod cloud;
pub mod config;
pub mod config_theme;
pub mod domain;
pub mod files;
pub mod headless;
pub mod journal;
pub mod logfile;
pub mod logs;
pub mod props;
pub mod redact;
pub mod runtime;
pub mod triage;
pub mod ui;
