//! Whose records: a `Scope` (profile, region, maybe account) becomes a row of `scopes`.
//!
//! Until AWS names the account, a scope resolves to the account last seen for its profile and
//! region (`contexts`), else to the profile alone (account ''). So records sent in the first
//! seconds of a run, before the account is known, land with the account's records.

use rusqlite::{Connection, OptionalExtension, params};

use super::Scope;
use super::store::Run;

/// The account a scope stands for: its own, the last seen for its profile and region, or ''.
fn account_of(conn: &Connection, scope: &Scope) -> rusqlite::Result<String> {
    if let Some(account) = &scope.account {
        return Ok(account.clone());
    }
    let seen = conn
        .prepare_cached("SELECT account FROM contexts WHERE profile = ?1 AND region = ?2")?
        .query_row(params![scope.profile, scope.region], |r| {
            r.get::<_, String>(0)
        })
        .optional()?;
    Ok(seen.unwrap_or_default())
}

/// The scope's row id for writing: created when missing; a named account becomes the one the
/// profile and region resolve to from now on.
pub fn for_write(conn: &Connection, scope: &Scope, at: i64) -> rusqlite::Result<i64> {
    if let Some(account) = &scope.account {
        conn.prepare_cached(
            "INSERT INTO contexts (profile, region, account, seen) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (profile, region) DO UPDATE SET account = excluded.account,
             seen = max(seen, excluded.seen)",
        )?
        .run(params![scope.profile, scope.region, account, at])?;
    }
    let account = account_of(conn, scope)?;
    conn.prepare_cached(
        "INSERT INTO scopes (profile, region, account, newest) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (profile, region, account) DO UPDATE SET newest = max(coalesce(newest, ?4), ?4)",
    )?
    .run(params![scope.profile, scope.region, account, at])?;
    conn.prepare_cached(
        "SELECT id FROM scopes WHERE profile = ?1 AND region = ?2 AND account = ?3",
    )?
    .query_row(params![scope.profile, scope.region, account], |r| r.get(0))
}

/// The scope's row id and newest time for reading; None when nothing was ever written for it.
pub fn for_read(conn: &Connection, scope: &Scope) -> rusqlite::Result<Option<(i64, Option<i64>)>> {
    let account = account_of(conn, scope)?;
    conn.prepare_cached(
        "SELECT id, newest FROM scopes WHERE profile = ?1 AND region = ?2 AND account = ?3",
    )?
    .query_row(params![scope.profile, scope.region, account], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
}
