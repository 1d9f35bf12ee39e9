//! The simulated account (the demo). To be written.
