//! Log lines: sanitizing, the bounded buffer, search, and the logs pane state. To be written.
