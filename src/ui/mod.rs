//! Drawing: pure functions of the app state. To be completed.

pub mod theme;
