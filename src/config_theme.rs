//! The config file's theme: `theme = "light"`, or a `[theme]` table with `name` and
//! `[theme.colors]` overrides of single roles. Checked with the rest of the file: an unknown
//! theme or role, or a colour that cannot be read, refuses the file with its line and column and
//! the names to choose from, like every other config error.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::config::{Config, Problem, line_col};
use crate::ui::theme::{self, Theme};

/// What the file says about the theme.
#[derive(Debug, Default)]
pub struct ThemeConfig {
    pub name: Option<Spanned<String>>,
    /// Role -> style words (`ok = "green"`, `selected = "reverse"`).
    pub colors: BTreeMap<Spanned<String>, Spanned<String>>,
}

impl<'de> Deserialize<'de> for ThemeConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ThemeConfig;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a theme name (\"dark\", \"light\", \"mono\") or a [theme] table")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ThemeConfig, E> {
                // The shorthand has no span of its own here: `problems` finds the value's.
                Ok(ThemeConfig {
                    name: Some(Spanned::new(0..0, v.to_string())),
                    colors: BTreeMap::new(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ThemeConfig, A::Error> {
                let mut out = ThemeConfig::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => out.name = Some(map.next_value()?),
                        "colors" => out.colors = map.next_value()?,
                        other => {
                            return Err(de::Error::unknown_field(other, &["name", "colors"]));
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

impl ThemeConfig {
    /// The overrides as (role, style words).
    pub fn overrides(&self) -> Vec<(&str, &str)> {
        self.colors
            .iter()
            .map(|(k, v)| (k.get_ref().as_str(), v.get_ref().as_str()))
            .collect()
    }
}

/// The theme in force: `--theme` wins, then the file's name, then `NO_COLOR` (set and not
/// empty: `mono`), then `dark`; the file's overrides apply on top of whichever it is. The
/// file was checked by `parse`, so only a bad `--theme` fails here.
pub fn resolve(
    flag: Option<&str>,
    file: Option<&ThemeConfig>,
    no_color: bool,
) -> Result<Theme, String> {
    let file_name = file
        .and_then(|t| t.name.as_ref())
        .map(|n| n.get_ref().as_str());
    let name = flag
        .or(file_name)
        .unwrap_or(if no_color { "mono" } else { "dark" });
    Theme::build(name, file.map(|t| t.overrides()).unwrap_or_default())
}

/// Every problem of the file's theme, each where it is.
pub(crate) fn problems(config: &Config, text: &str) -> Vec<Problem> {
    let Some(t) = &config.theme else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut at = |start: usize, message: String| {
        let (line, column) = line_col(text, start);
        out.push(Problem {
            line: Some(line),
            column: Some(column),
            message,
        });
    };
    if let Some(name) = &t.name
        && Theme::named(name.get_ref()).is_none()
    {
        let start = if name.span().is_empty() {
            shorthand_at(text)
        } else {
            name.span().start
        };
        at(start, theme::unknown_theme(name.get_ref()));
    }
    let mut probe = Theme::default();
    for (role, spec) in &t.colors {
        if let Err(e) = probe.set(role.get_ref(), Default::default()) {
            at(role.span().start, e);
            continue;
        }
        if let Err(e) = theme::parse_style(spec.get_ref()) {
            at(
                spec.span().start,
                format!("[theme.colors] {}: {e}", role.get_ref()),
            );
        }
    }
    out
}

/// Where `theme = "..."` is written (the shorthand), for its line and column.
fn shorthand_at(text: &str) -> usize {
    let re = regex::Regex::new(r#"(?m)^\s*theme\s*=\s*"#).expect("a valid pattern");
    re.find(text).map_or(0, |m| m.end())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use ratatui::style::{Color, Modifier};

    use super::*;
    use crate::config::parse;

    #[test]
    fn a_name_or_a_table_with_overrides() {
        let c = parse("theme = \"light\"\n", Path::new("c.toml")).expect("valid");
        let t = resolve(None, c.theme.as_ref(), false).expect("a theme");
        assert_eq!(t, Theme::light());
        let c = parse(
            "[theme]\nname = \"mono\"\n[theme.colors]\nok = \"green\"\nborder_focused = \"#5fafff\"\nselected = \"reverse\"\n",
            Path::new("c.toml"),
        )
        .expect("valid");
        let t = resolve(None, c.theme.as_ref(), false).expect("a theme");
        assert_eq!(t.ok.fg, Some(Color::Green));
        assert_eq!(t.border_focused.fg, Some(Color::Rgb(0x5f, 0xaf, 0xff)));
        assert_eq!(t.selected.add_modifier, Modifier::REVERSED);
        assert_eq!(t.error, Theme::mono().error, "the other roles keep mono's");
        // Overrides alone apply to the default theme.
        let c = parse("[theme.colors]\nwarn = \"magenta\"\n", Path::new("c.toml")).expect("valid");
        let t = resolve(None, c.theme.as_ref(), false).expect("a theme");
        assert_eq!(t.warn.fg, Some(Color::Magenta));
        assert_eq!(t.ok, Theme::dark().ok);
    }

    #[test]
    fn no_color_means_mono_unless_a_theme_is_named() {
        assert_eq!(resolve(None, None, true), Ok(Theme::mono()));
        assert_eq!(resolve(None, None, false), Ok(Theme::dark()));
        assert_eq!(resolve(Some("light"), None, true), Ok(Theme::light()));
        let c = parse("theme = \"dark\"\n", Path::new("c.toml")).expect("valid");
        assert_eq!(resolve(None, c.theme.as_ref(), true), Ok(Theme::dark()));
        assert_eq!(
            resolve(Some("dark"), c.theme.as_ref(), true).map(|t| t.ok),
            Ok(Theme::dark().ok)
        );
        let e = resolve(Some("neon"), None, false).expect_err("unknown");
        assert!(e.contains("dark, light, mono"), "{e}");
    }

    #[test]
    fn bad_names_and_colours_refuse_the_file_where_they_are() {
        let e = parse("mouse = true\ntheme = \"solarized\"\n", Path::new("c.toml"))
            .expect_err("unknown theme");
        assert_eq!(
            e.lines(),
            ["config c.toml:2:9: unknown theme 'solarized': the themes are dark, light, mono"]
        );
        let e = parse(
            "[theme]\nname = \"neon\"\n[theme.colors]\nokay = \"green\"\nwarn = \"greenish\"\n",
            Path::new("c.toml"),
        )
        .expect_err("three problems");
        let lines = e.lines();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("config c.toml:2:8: unknown theme 'neon'"),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("config c.toml:4:1: unknown colour role 'okay': the roles are border, border_focused,")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l
                    .starts_with("config c.toml:5:8: [theme.colors] warn: cannot read 'greenish'")),
            "{lines:?}"
        );
        assert!(!e.to_string().contains('\n'), "one line: {e}");
        let e = parse("[theme]\nnom = \"dark\"\n", Path::new("c.toml")).expect_err("a typo");
        assert!(e.to_string().contains("unknown field `nom`"), "{e}");
        let e = parse("mouse = \"no\"\n", Path::new("c.toml")).expect_err("a string");
        assert!(e.to_string().contains("c.toml:1:9"), "{e}");
    }
}
