//! What changes between two sets of properties (or of secrets), by key, and the one
//! UpdateEnvironment that makes the change: `OptionSettings` for what is added or changed,
//! `OptionsToRemove` for what is gone. A rename is a removal plus an addition. Order follows the
//! new set for additions and changes, the old one for removals.

use super::{ENVIRONMENT, ENVIRONMENT_SECRETS, Property, Secret};
use crate::domain::OptionSetting;

/// An entry of one of the two namespaces.
pub trait Entry: Clone + PartialEq {
    const NAMESPACE: &'static str;
    fn key(&self) -> &str;
    /// The option's value as Elastic Beanstalk stores it.
    fn option_value(&self) -> String;
}

impl Entry for Property {
    const NAMESPACE: &'static str = ENVIRONMENT;
    fn key(&self) -> &str {
        &self.key
    }
    fn option_value(&self) -> String {
        self.value.clone()
    }
}

impl Entry for Secret {
    const NAMESPACE: &'static str = ENVIRONMENT_SECRETS;
    fn key(&self) -> &str {
        &self.name
    }
    fn option_value(&self) -> String {
        self.value()
    }
}

/// One key whose value changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed<T> {
    pub old: T,
    pub new: T,
}

/// The difference between two sets. `Debug` of properties shows no value.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff<T> {
    pub added: Vec<T>,
    pub changed: Vec<Changed<T>>,
    pub removed: Vec<T>,
}

impl<T> Diff<T> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// The difference from `old` to `new`, by key. A key listed twice counts once, at its last value
/// (the way a later option setting wins); validation refuses duplicates before this is used.
pub fn diff<T: Entry>(old: &[T], new: &[T]) -> Diff<T> {
    let old = last_by_key(old);
    let new = last_by_key(new);
    let mut d = Diff {
        added: Vec::new(),
        changed: Vec::new(),
        removed: Vec::new(),
    };
    for n in &new {
        match old.iter().find(|o| o.key() == n.key()) {
            None => d.added.push(n.clone()),
            Some(o) if o.option_value() != n.option_value() => d.changed.push(Changed {
                old: o.clone(),
                new: n.clone(),
            }),
            Some(_) => {}
        }
    }
    for o in &old {
        if !new.iter().any(|n| n.key() == o.key()) {
            d.removed.push(o.clone());
        }
    }
    d
}

/// Each key once, at the place of its first appearance with the value of its last.
fn last_by_key<T: Entry>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items {
        match out.iter_mut().find(|o| o.key() == item.key()) {
            Some(o) => *o = item.clone(),
            None => out.push(item.clone()),
        }
    }
    out
}

/// The option settings to set and the `(namespace, name)` options to remove, for one
/// UpdateEnvironment. Join the two lists of a property diff and a secret diff to send both at once.
pub fn to_update<T: Entry>(d: &Diff<T>) -> (Vec<OptionSetting>, Vec<(String, String)>) {
    let set = d
        .added
        .iter()
        .chain(d.changed.iter().map(|c| &c.new))
        .map(|e| OptionSetting {
            namespace: T::NAMESPACE.to_string(),
            name: e.key().to_string(),
            value: Some(e.option_value()),
        })
        .collect();
    let remove = d
        .removed
        .iter()
        .map(|e| (T::NAMESPACE.to_string(), e.key().to_string()))
        .collect();
    (set, remove)
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
