//! The environments filter typed after `/`: words, each either free text (in any column) or
//! `column:value` (`health:severe`, `app:billing`, `status:updating`, `version:v1.4`), all of
//! them AND-ed, case-insensitive substrings. An unknown column is an error the filter line shows,
//! naming the columns; the table then shows every row rather than none.

use crate::domain::Environment;

/// The columns a term may name, as typed.
pub const COLUMNS: &[&str] = &["app", "name", "health", "status", "version", "tier"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    App,
    Name,
    Health,
    Status,
    Version,
    Tier,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Any(String),
    In(Col, String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    terms: Vec<Term>,
}

impl Filter {
    /// Read the typed text; `Err` says which column is unknown and names the columns.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let mut terms = Vec::new();
        for word in text.split_whitespace() {
            let word = word.to_lowercase();
            match word.split_once(':') {
                Some((col, value)) => {
                    let col = match col {
                        "app" | "application" => Col::App,
                        "name" | "env" | "environment" => Col::Name,
                        "health" => Col::Health,
                        "status" => Col::Status,
                        "version" => Col::Version,
                        "tier" | "policy" => Col::Tier,
                        other => {
                            return Err(format!(
                                "no column '{other}': filter by {}",
                                COLUMNS
                                    .iter()
                                    .map(|c| format!("{c}:"))
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            ));
                        }
                    };
                    terms.push(Term::In(col, value.to_string()));
                }
                None => terms.push(Term::Any(word)),
            }
        }
        Ok(Filter { terms })
    }

    pub fn matches(&self, e: &Environment) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Any(v) => [Col::App, Col::Name, Col::Health, Col::Status, Col::Version]
                .iter()
                .any(|c| field(e, *c).iter().any(|f| f.to_lowercase().contains(v))),
            Term::In(c, v) => field(e, *c).iter().any(|f| f.to_lowercase().contains(v)),
        })
    }
}

/// What a column holds for an environment (health: its status word and its colour).
fn field(e: &Environment, c: Col) -> Vec<&str> {
    match c {
        Col::App => vec![&e.env.app],
        Col::Name => vec![&e.env.name],
        Col::Health => vec![
            e.health.as_str(),
            e.health_status.as_ref().map_or("", |h| h.as_str()),
        ],
        Col::Status => vec![e.status.as_str()],
        Col::Version => vec![e.version.as_deref().unwrap_or("")],
        Col::Tier => vec![
            e.tier.as_str(),
            e.deployment_policy.as_deref().unwrap_or(""),
        ],
    }
}
