//! The AWS SDK backend. To be written.
