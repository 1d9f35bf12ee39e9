//! Colours and styles, in one place so a theme override touches one struct.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::{HealthColor, Severity};

#[derive(Debug, Clone)]
pub struct Theme {
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub dim: Style,
    pub text: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub info: Style,
    /// Search matches in the logs pane.
    pub highlight: Style,
    /// The current search hit.
    pub highlight_current: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            border: Style::default().fg(Color::DarkGray),
            border_focused: Style::default().fg(Color::Cyan),
            title: Style::default()
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            header: Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            selected: Style::default()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD),
            dim: Style::default().fg(Color::DarkGray),
            text: Style::default(),
            ok: Style::default().fg(Color::Green),
            warn: Style::default().fg(Color::Yellow),
            error: Style::default().fg(Color::Red),
            info: Style::default().fg(Color::Cyan),
            highlight: Style::default().fg(Color::Black).bg(Color::Yellow),
            highlight_current: Style::default()
                .fg(Color::Black)
                .bg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
        }
    }
}

impl Theme {
    pub fn health(&self, c: HealthColor) -> Style {
        match c {
            HealthColor::Green => self.ok,
            HealthColor::Yellow => self.warn,
            HealthColor::Red => self.error,
            HealthColor::Grey => self.dim,
        }
    }
    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Trace | Severity::Debug => self.dim,
            Severity::Info => self.text,
            Severity::Warn => self.warn,
            Severity::Error | Severity::Fatal => self.error,
        }
    }
    /// Style for an HTTP status code by class (5xx red, 4xx yellow, 3xx cyan, 2xx green).
    pub fn http_status(&self, code: u16) -> Style {
        match code {
            500..=599 => self.error,
            400..=499 => self.warn,
            300..=399 => self.info,
            200..=299 => self.ok,
            _ => self.text,
        }
    }
}
