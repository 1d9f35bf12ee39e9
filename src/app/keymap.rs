//! Keys to actions, per context. Help is generated from this table so the two never drift, and a
//! user's config overrides only the actions it names.

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a key is looked up. The focused pane's context is tried first, then `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Envs,
    Timeline,
    Health,
    Logs,
    Modal,
}

impl Context {
    pub fn title(&self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Envs => "Environments",
            Context::Timeline => "Timeline",
            Context::Health => "Health",
            Context::Logs => "Logs",
            Context::Modal => "Dialogs",
        }
    }
}

macro_rules! actions {
    ($($name:ident => $id:literal, $help:literal;)*) => {
        /// What a key means.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($name),* }
        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$name),*];
            /// The name used in the config file's `[keys]` table.
            pub fn id(&self) -> &'static str { match self { $(Action::$name => $id),* } }
            pub fn help(&self) -> &'static str { match self { $(Action::$name => $help),* } }
            pub fn from_id(s: &str) -> Option<Action> { match s { $($id => Some(Action::$name),)* _ => None } }
        }
    };
}

actions! {
    Quit => "quit", "quit";
    Help => "help", "show or hide this help";
    FocusNext => "focus_next", "focus the next pane";
    FocusPrev => "focus_prev", "focus the previous pane";
    FocusEnvs => "focus_envs", "focus Environments";
    FocusTimeline => "focus_timeline", "focus Timeline";
    FocusHealth => "focus_health", "focus Health";
    FocusLogs => "focus_logs", "focus Logs";
    Up => "up", "move up";
    Down => "down", "move down";
    PageUp => "page_up", "page up";
    PageDown => "page_down", "page down";
    Top => "top", "go to the top";
    Bottom => "bottom", "go to the bottom";
    Select => "select", "select the environment";
    Zoom => "zoom", "zoom the pane to full screen";
    Search => "search", "filter (Environments) or search (Logs)";
    Command => "command", "command line (:env NAME, :deploy, :config, :profile NAME, :region NAME, :q)";
    Follow => "follow", "follow new entries on/off";
    Deploy => "deploy", "deploy a version (picker)";
    Rollback => "rollback", "roll back (abort the update, or deploy the previous version)";
    Rebuild => "rebuild", "rebuild the environment";
    Abort => "abort", "abort the in-progress update";
    Restart => "restart", "restart app servers";
    Swap => "swap", "swap CNAMEs with another environment";
    History => "history", "operations of the environment (Enter: an operation's events)";
    Config => "config", "environment properties, secrets and configuration";
    LogStreaming => "log_streaming", "turn instance log streaming to CloudWatch on";
    Confirm => "confirm", "confirm";
    Cancel => "cancel", "cancel / back";
    NextHit => "next_hit", "next search match";
    PrevHit => "prev_hit", "previous search match";
    FilterMatches => "filter_matches", "show only matching lines (with context)";
    ContextMore => "context_more", "more context lines around matches";
    ContextLess => "context_less", "fewer context lines around matches";
    Preset5xx => "errors_5xx", "filter 5xx/502 lines and upstream errors";
    Pause => "pause", "pause the view (lines keep arriving)";
    Wrap => "wrap", "wrap long lines on/off";
    Timestamps => "timestamps", "timestamps on/off";
    Instances => "instances", "instance column on/off";
    OnlyInstance => "only_instance", "only the selected line's instance (again: all of them)";
    Groups => "groups", "pick log groups";
    Save => "save", "save the shown lines to a file";
    Copy => "copy", "copy the selected line (OSC 52)";
    Back1m => "back_1m", "load the last minute";
    Back5m => "back_5m", "load the last 5 minutes";
    Back15m => "back_15m", "load the last 15 minutes";
    Back1h => "back_1h", "load the last hour";
    Back6h => "back_6h", "load the last 6 hours";
    SearchBack => "search_back", "search the query 6h further back, in CloudWatch";
    Insights => "insights", "search the query over days with CloudWatch Logs Insights (cost shown first)";
    SortNext => "sort_next", "sort by the next column";
    SortPrev => "sort_prev", "sort by the previous column";
    SortReverse => "sort_reverse", "reverse the sort order";
    SsoLogin => "sso_login", "log in to AWS SSO (aws sso login --profile), then read again";
    Triage => "triage", "why 5xx? what fails, since when, where, and what to do (:why)";
}

/// A key with its modifiers, comparable and printable ("ctrl-s", "S", "tab").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        Self { code, mods }
    }
    pub const fn ch(c: char) -> Self {
        Self::new(KeyCode::Char(c), KeyModifiers::NONE)
    }
    pub const fn code(code: KeyCode) -> Self {
        Self::new(code, KeyModifiers::NONE)
    }
    pub const fn ctrl(c: char) -> Self {
        Self::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// Normalise a terminal key event: Shift is implied by an upper-case char, so it is dropped
    /// there; BackTab is Shift-Tab.
    pub fn from_event(ev: &KeyEvent) -> Self {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if let KeyCode::Char(_) | KeyCode::BackTab = ev.code {
            mods.remove(KeyModifiers::SHIFT);
        }
        Self {
            code: ev.code,
            mods,
        }
    }

    /// Parse "q", "S", "ctrl-c", "shift-tab", "pgup", "enter", "esc", "f5", "space".
    pub fn parse(s: &str) -> Option<Self> {
        let (mut mods, mut rest) = (KeyModifiers::NONE, s);
        loop {
            let l = rest.to_ascii_lowercase();
            if let Some(r) = l.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = l.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = l.strip_prefix("shift-") {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().ok()?)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_alphabetic() {
                    mods.remove(KeyModifiers::SHIFT);
                    return Some(Key::new(KeyCode::Char(c.to_ascii_uppercase()), mods));
                }
                KeyCode::Char(c)
            }
        };
        Some(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: HashMap<(Context, Key), Action>,
}

const DEFAULTS: &[(Context, &str, Action)] = {
    use Action::*;
    use Context::*;
    &[
        (Global, "q", Quit),
        (Global, "ctrl-c", Quit),
        (Global, "?", Help),
        (Global, "tab", FocusNext),
        (Global, "shift-tab", FocusPrev),
        (Global, "1", FocusEnvs),
        (Global, "2", FocusTimeline),
        (Global, "3", FocusHealth),
        (Global, "4", FocusLogs),
        (Global, "j", Down),
        (Global, "down", Down),
        (Global, "k", Up),
        (Global, "up", Up),
        (Global, "pgup", PageUp),
        (Global, "ctrl-b", PageUp),
        (Global, "pgdn", PageDown),
        (Global, "ctrl-f", PageDown),
        (Global, "g", Top),
        (Global, "home", Top),
        (Global, "G", Bottom),
        (Global, "end", Bottom),
        (Global, "z", Zoom),
        (Global, ":", Command),
        (Global, "f", Follow),
        (Global, "D", Deploy),
        (Global, "U", Rollback),
        (Global, "B", Rebuild),
        (Global, "A", Abort),
        (Global, "S", Restart),
        (Global, "W", Swap),
        (Global, "o", History),
        (Global, "E", Config),
        (Global, "esc", Cancel),
        (Global, "ctrl-l", SsoLogin),
        (Global, "T", Triage),
        (Envs, "enter", Select),
        (Envs, "/", Search),
        // The tables sort as the Config view does, with s; `S` is restart everywhere.
        (Envs, "s", SortNext),
        (Envs, ">", SortNext),
        (Envs, "<", SortPrev),
        (Envs, "r", SortReverse),
        (Health, "s", SortNext),
        (Health, ">", SortNext),
        (Health, "<", SortPrev),
        (Health, "r", SortReverse),
        (Logs, "/", Search),
        (Logs, "n", NextHit),
        (Logs, "N", PrevHit),
        (Logs, "&", FilterMatches),
        (Logs, "+", ContextMore),
        (Logs, "-", ContextLess),
        (Logs, "x", Preset5xx),
        (Logs, "p", Pause),
        (Logs, "space", Pause),
        (Logs, "w", Wrap),
        (Logs, "t", Timestamps),
        (Logs, "i", Instances),
        (Logs, "O", OnlyInstance),
        (Logs, "l", Groups),
        (Logs, "ctrl-s", Save),
        (Logs, "c", Copy),
        // In the logs pane the digits pick how far back to load, as in k9s's log view; the panes
        // stay reachable with Tab / Shift-Tab there.
        (Logs, "1", Back1m),
        (Logs, "2", Back5m),
        (Logs, "3", Back15m),
        (Logs, "4", Back1h),
        (Logs, "5", Back6h),
        (Logs, "F", SearchBack),
        (Logs, "I", Insights),
        (Logs, "L", LogStreaming),
        (Modal, "y", Confirm),
        (Modal, "enter", Confirm),
        (Modal, "n", Cancel),
        (Modal, "esc", Cancel),
        (Modal, "j", Down),
        (Modal, "down", Down),
        (Modal, "k", Up),
        (Modal, "up", Up),
        (Modal, "pgup", PageUp),
        (Modal, "pgdn", PageDown),
        (Modal, "space", Select),
        (Modal, "q", Cancel),
    ]
};

impl Default for KeyMap {
    fn default() -> Self {
        let mut bindings = HashMap::new();
        for (ctx, key, action) in DEFAULTS {
            let key = Key::parse(key).unwrap_or_else(|| panic!("bad default key {key}"));
            bindings.insert((*ctx, key), *action);
        }
        Self { bindings }
    }
}

impl KeyMap {
    /// Apply a user's overrides: `action id -> key or keys`, in a context ("global", "logs", ...).
    /// Each override replaces the action's default keys in that context. Unknown actions or keys
    /// are returned as warnings, never fatal.
    pub fn with_overrides(
        mut self,
        overrides: &[(String, String, Vec<String>)],
    ) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        for (ctx_name, action_id, keys) in overrides {
            let Some(ctx) = parse_context(ctx_name) else {
                warnings.push(format!("config: unknown key context '{ctx_name}' (use global, envs, timeline, health, logs, modal)"));
                continue;
            };
            let Some(action) = Action::from_id(action_id) else {
                warnings.push(format!(
                    "config: unknown action '{action_id}' in [keys.{ctx_name}]"
                ));
                continue;
            };
            let parsed: Vec<Key> = keys
                .iter()
                .filter_map(|k| {
                    let key = Key::parse(k);
                    if key.is_none() {
                        warnings.push(format!("config: cannot read key '{k}' for '{action_id}'"));
                    }
                    key
                })
                .collect();
            if parsed.is_empty() {
                continue;
            }
            self.bindings
                .retain(|(c, _), a| !(*c == ctx && *a == action));
            for key in parsed {
                self.bindings.insert((ctx, key), action);
            }
        }
        (self, warnings)
    }

    /// The action of a key in a context, falling back to the global table.
    pub fn lookup(&self, ctx: Context, key: Key) -> Option<Action> {
        self.bindings
            .get(&(ctx, key))
            .or_else(|| {
                if ctx == Context::Modal {
                    None
                } else {
                    self.bindings.get(&(Context::Global, key))
                }
            })
            .copied()
    }

    /// The keys bound to an action in a context, for hints and help ("j/↓").
    pub fn keys_for(&self, ctx: Context, action: Action) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .bindings
            .iter()
            .filter(|((c, _), a)| *c == ctx && **a == action)
            .map(|((_, k), _)| *k)
            .collect();
        keys.sort_by_key(|k| (k.to_string().chars().count(), k.to_string()));
        keys
    }

    /// Help rows per context: (context, keys, description), in action order.
    pub fn help(&self) -> Vec<(Context, String, &'static str)> {
        let mut rows = Vec::new();
        for ctx in [
            Context::Global,
            Context::Envs,
            Context::Health,
            Context::Logs,
            Context::Modal,
        ] {
            for action in Action::ALL {
                let keys = self.keys_for(ctx, *action);
                if keys.is_empty() {
                    continue;
                }
                let keys = keys
                    .iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                rows.push((ctx, keys, action.help()));
            }
        }
        rows
    }
}

fn parse_context(s: &str) -> Option<Context> {
    Some(match s {
        "global" => Context::Global,
        "envs" | "environments" => Context::Envs,
        "timeline" => Context::Timeline,
        "health" => Context::Health,
        "logs" => Context::Logs,
        "modal" | "dialogs" => Context::Modal,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_resolve_per_context_with_global_fallback() {
        let km = KeyMap::default();
        let u = Key::from_event(&ev(KeyCode::Char('U'), KeyModifiers::SHIFT));
        assert_eq!(km.lookup(Context::Envs, u), Some(Action::Rollback));
        assert_eq!(
            km.lookup(Context::Envs, Key::ch('1')),
            Some(Action::FocusEnvs)
        );
        assert_eq!(km.lookup(Context::Logs, Key::ch('1')), Some(Action::Back1m));
        assert_eq!(
            km.lookup(Context::Logs, Key::ch('n')),
            Some(Action::NextHit)
        );
        assert_eq!(km.lookup(Context::Envs, Key::ch('n')), None);
        // Dialogs do not fall through to global keys: 'D' in a modal must not start a deploy.
        assert_eq!(km.lookup(Context::Modal, Key::ch('D')), None);
        assert_eq!(
            km.lookup(Context::Modal, Key::ch('y')),
            Some(Action::Confirm)
        );
        let backtab = Key::from_event(&ev(KeyCode::BackTab, KeyModifiers::SHIFT));
        assert_eq!(
            km.lookup(Context::Timeline, backtab),
            Some(Action::FocusPrev)
        );
        assert_eq!(
            km.lookup(Context::Health, Key::ctrl('c')),
            Some(Action::Quit)
        );
    }

    #[test]
    fn parse_and_display_round_trip() {
        for s in [
            "q", "S", "ctrl-s", "Ctrl-C", "enter", "esc", "pgup", "f5", "space", "alt-x",
        ] {
            let k = Key::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(
                Key::parse(
                    &k.to_string()
                        .replace("Ctrl-", "ctrl-")
                        .replace("Alt-", "alt-")
                ),
                Some(k),
                "{s}"
            );
        }
        assert_eq!(Key::parse("shift-a"), Some(Key::ch('A')));
        assert_eq!(Key::parse("shift-tab"), Some(Key::code(KeyCode::BackTab)));
        assert_eq!(Key::parse("nonsense"), None);
    }

    #[test]
    fn overrides_replace_only_what_they_name_and_warn_on_unknowns() {
        let (km, warnings) = KeyMap::default().with_overrides(&[
            ("global".into(), "quit".into(), vec!["ctrl-q".into()]),
            ("global".into(), "teleport".into(), vec!["t".into()]),
            ("global".into(), "deploy".into(), vec!["ctrl-??".into()]),
            ("nowhere".into(), "quit".into(), vec!["x".into()]),
        ]);
        assert_eq!(km.lookup(Context::Envs, Key::ctrl('q')), Some(Action::Quit));
        assert_eq!(
            km.lookup(Context::Envs, Key::ch('q')),
            None,
            "the default q was replaced"
        );
        assert_eq!(
            km.lookup(Context::Envs, Key::ch('D')),
            Some(Action::Deploy),
            "an unreadable key keeps the default"
        );
        assert_eq!(
            km.lookup(Context::Envs, Key::ch('?')),
            Some(Action::Help),
            "untouched actions keep defaults"
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
    }

    #[test]
    fn help_lists_every_default_binding_context() {
        let km = KeyMap::default();
        let help = km.help();
        assert!(help.iter().any(|(c, k, d)| *c == Context::Global
            && k.contains('U')
            && d.starts_with("roll back")));
        assert!(
            help.iter()
                .any(|(c, k, _)| *c == Context::Logs && k.contains("Ctrl-s"))
        );
        for (ctx, _, action) in DEFAULTS {
            if matches!(ctx, Context::Timeline) {
                continue;
            }
            assert!(
                help.iter().any(|(c, _, d)| c == ctx && *d == action.help()),
                "{action:?} missing from help"
            );
        }
    }
}
