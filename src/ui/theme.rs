//! Colours and styles, in one place so a theme override touches one struct.
//!
//! Three built-in themes: `dark` (the default), `light` (for a white background: no white or
//! yellow text, no dark grey that vanishes) and `mono` (no colour at all, only bold, reverse,
//! underline and dim, chosen by `NO_COLOR`). The built-in themes use the 16 named ANSI colours
//! only, so they look the same on a 16- or 256-colour terminal and follow the terminal's own
//! palette; a user's `#rrggbb` override is used as given. Meaning never rests on colour alone:
//! health, severities and outcomes are words on screen, the selection is reverse or bold.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

use crate::domain::{HealthColor, Severity};

/// The role names of `Theme` (its fields), as the config file's `[theme.colors]` names them.
pub const ROLES: &[&str] = &[
    "border",
    "border_focused",
    "title",
    "header",
    "selected",
    "dim",
    "text",
    "ok",
    "warn",
    "error",
    "info",
    "highlight",
    "highlight_current",
];

/// The built-in themes, by name.
pub const NAMES: &[&str] = &["dark", "light", "mono"];

#[derive(Debug, Clone, PartialEq)]
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
        Self::dark()
    }
}

fn fg(c: Color) -> Style {
    Style::default().fg(c)
}

fn with(m: Modifier) -> Style {
    Style::default().add_modifier(m)
}

impl Theme {
    /// Light text on a dark background: the colours ebtui has always had.
    pub fn dark() -> Self {
        Self {
            border: fg(Color::DarkGray),
            border_focused: fg(Color::Cyan),
            title: fg(Color::White).add_modifier(Modifier::BOLD),
            header: fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: Style::default()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD),
            dim: fg(Color::DarkGray),
            text: Style::default(),
            ok: fg(Color::Green),
            warn: fg(Color::Yellow),
            error: fg(Color::Red),
            info: fg(Color::Cyan),
            highlight: fg(Color::Black).bg(Color::Yellow),
            highlight_current: fg(Color::Black)
                .bg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
        }
    }

    /// Dark text on a light background. The terminal's own foreground (not a named white or
    /// black) for text and titles; yellow only ever as a background; dim as the dim attribute,
    /// since dark grey is near the background in many light palettes.
    pub fn light() -> Self {
        Self {
            border: Style::default(),
            border_focused: fg(Color::Blue).add_modifier(Modifier::BOLD),
            title: with(Modifier::BOLD),
            header: fg(Color::Blue).add_modifier(Modifier::BOLD),
            selected: with(Modifier::REVERSED | Modifier::BOLD),
            dim: with(Modifier::DIM),
            text: Style::default(),
            ok: fg(Color::Green),
            warn: fg(Color::Magenta),
            error: fg(Color::Red).add_modifier(Modifier::BOLD),
            info: fg(Color::Blue),
            highlight: fg(Color::Black).bg(Color::Yellow),
            highlight_current: fg(Color::Black)
                .bg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
        }
    }

    /// No colour at all (`NO_COLOR`): only modifiers. Warnings bold, errors bold and underlined,
    /// the selection reversed; the words on screen carry the meaning.
    pub fn mono() -> Self {
        Self {
            border: Style::default(),
            border_focused: with(Modifier::BOLD),
            title: with(Modifier::BOLD),
            header: with(Modifier::BOLD | Modifier::UNDERLINED),
            selected: with(Modifier::REVERSED),
            dim: with(Modifier::DIM),
            text: Style::default(),
            ok: Style::default(),
            warn: with(Modifier::BOLD),
            error: with(Modifier::BOLD | Modifier::UNDERLINED),
            info: Style::default(),
            highlight: with(Modifier::UNDERLINED | Modifier::BOLD),
            highlight_current: with(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    /// A built-in theme by name.
    pub fn named(name: &str) -> Option<Self> {
        match name {
            "dark" => Some(Self::dark()),
            "light" => Some(Self::light()),
            "mono" => Some(Self::mono()),
            _ => None,
        }
    }

    /// Set one role (a field) to a style; `Err` names the roles when `role` is none of them.
    pub fn set(&mut self, role: &str, style: Style) -> Result<(), String> {
        let slot = match role {
            "border" => &mut self.border,
            "border_focused" => &mut self.border_focused,
            "title" => &mut self.title,
            "header" => &mut self.header,
            "selected" => &mut self.selected,
            "dim" => &mut self.dim,
            "text" => &mut self.text,
            "ok" => &mut self.ok,
            "warn" => &mut self.warn,
            "error" => &mut self.error,
            "info" => &mut self.info,
            "highlight" => &mut self.highlight,
            "highlight_current" => &mut self.highlight_current,
            _ => return Err(unknown_role(role)),
        };
        *slot = style;
        Ok(())
    }

    /// The theme a user asked for: a built-in one by name, then their per-role overrides.
    pub fn build<'a>(
        name: &str,
        overrides: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, String> {
        let mut theme = Self::named(name).ok_or_else(|| unknown_theme(name))?;
        for (role, spec) in overrides {
            theme.set(role, parse_style(spec)?)?;
        }
        Ok(theme)
    }

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

pub fn unknown_theme(name: &str) -> String {
    format!(
        "unknown theme '{name}': the themes are {}",
        NAMES.join(", ")
    )
}

pub fn unknown_role(role: &str) -> String {
    format!(
        "unknown colour role '{role}': the roles are {}",
        ROLES.join(", ")
    )
}

/// A style from words: colours (`green`, `light-blue`, `#5fafff`, `208`), `on COLOUR` for the
/// background, and modifiers (`bold`, `dim`, `italic`, `underline`, `reverse`). `"reverse"`,
/// `"bold yellow"`, `"black on yellow"`, `"default"` (the terminal's own colours).
pub fn parse_style(spec: &str) -> Result<Style, String> {
    let bad = |word: &str| {
        format!(
            "cannot read '{word}' in colour \"{spec}\": use a colour name (red, light-blue...), \
             #rrggbb, a number 0-255, `on COLOUR` for the background, or bold, dim, italic, \
             underline, reverse"
        )
    };
    let mut style = Style::default();
    let mut words = spec.split_whitespace().peekable();
    if words.peek().is_none() {
        return Err(bad(""));
    }
    while let Some(word) = words.next() {
        let lower = word.to_ascii_lowercase();
        let modifier = match lower.as_str() {
            "bold" => Some(Modifier::BOLD),
            "dim" => Some(Modifier::DIM),
            "italic" => Some(Modifier::ITALIC),
            "underline" | "underlined" => Some(Modifier::UNDERLINED),
            "reverse" | "reversed" => Some(Modifier::REVERSED),
            _ => None,
        };
        if let Some(m) = modifier {
            style = style.add_modifier(m);
        } else if lower == "on" {
            let c = words.next().ok_or_else(|| bad("on"))?;
            style = style.bg(colour(c).ok_or_else(|| bad(c))?);
        } else if lower == "default" || lower == "none" {
            style = style.fg(Color::Reset);
        } else {
            style = style.fg(colour(word).ok_or_else(|| bad(word))?);
        }
    }
    Ok(style)
}

/// One colour word, as ratatui reads them (names with or without `-`, `#rrggbb`, 0-255).
fn colour(word: &str) -> Option<Color> {
    Color::from_str(word).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in theme and every role is reachable by name, so the README's lists are true.
    #[test]
    fn every_role_can_be_set_and_every_name_built() {
        for name in NAMES {
            let mut t = Theme::named(name).expect("a built-in theme");
            for role in ROLES {
                t.set(role, Style::default().fg(Color::Magenta))
                    .expect("a role");
            }
            assert_eq!(t.border.fg, Some(Color::Magenta));
            assert_eq!(t.highlight_current.fg, Some(Color::Magenta));
        }
        assert!(Theme::named("solarized").is_none());
        let e = Theme::build("dark", [("okay", "green")]).expect_err("unknown role");
        assert!(e.contains("border_focused") && e.contains("'okay'"), "{e}");
        let e = Theme::build("neon", []).expect_err("unknown theme");
        assert_eq!(e, "unknown theme 'neon': the themes are dark, light, mono");
    }

    #[test]
    fn styles_read_from_words() {
        assert_eq!(
            parse_style("reverse"),
            Ok(Style::default().add_modifier(Modifier::REVERSED))
        );
        assert_eq!(
            parse_style("#5fafff"),
            Ok(Style::default().fg(Color::Rgb(0x5f, 0xaf, 0xff)))
        );
        assert_eq!(
            parse_style("bold black on yellow"),
            Ok(Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD))
        );
        assert_eq!(
            parse_style("light-green"),
            Ok(Style::default().fg(Color::LightGreen))
        );
        assert_eq!(
            parse_style("208"),
            Ok(Style::default().fg(Color::Indexed(208)))
        );
        for bad in ["", "greenish", "on", "#12345", "bold on nothing"] {
            let e = parse_style(bad).expect_err(bad);
            assert!(e.contains("#rrggbb"), "{e}");
        }
    }

    /// The promises of the light and mono themes, checked role by role.
    #[test]
    fn light_has_no_pale_text_and_mono_no_colour() {
        let light = Theme::light();
        let mono = Theme::mono();
        for role in ROLES {
            let (l, m) = (role_of(&light, role), role_of(&mono, role));
            assert!(
                !matches!(
                    l.fg,
                    Some(
                        Color::White
                            | Color::Yellow
                            | Color::LightYellow
                            | Color::DarkGray
                            | Color::Gray
                    )
                ),
                "light {role}: {l:?}"
            );
            assert!(
                !matches!(l.bg, Some(Color::DarkGray)),
                "light {role}: {l:?}"
            );
            assert!(m.fg.is_none() && m.bg.is_none(), "mono {role}: {m:?}");
        }
        // Dark keeps today's colours.
        assert_eq!(Theme::default(), Theme::dark());
        assert_eq!(Theme::dark().error.fg, Some(Color::Red));
    }

    fn role_of(t: &Theme, role: &str) -> Style {
        match role {
            "border" => t.border,
            "border_focused" => t.border_focused,
            "title" => t.title,
            "header" => t.header,
            "selected" => t.selected,
            "dim" => t.dim,
            "text" => t.text,
            "ok" => t.ok,
            "warn" => t.warn,
            "error" => t.error,
            "info" => t.info,
            "highlight" => t.highlight,
            "highlight_current" => t.highlight_current,
            other => panic!("no role {other}"),
        }
    }
}
