//! The version label, as the EB CLI makes it.
//!
//! The EB CLI (`ebcli/objects/sourcecontrol.py`): in a git work tree
//! `'app-{}-{:%y%m%d_%H%M%S}'.format(git describe --always --abbrev=4, now)` with every `.` then
//! replaced by `_`; without git `'app-' + now.strftime('%y%m%d_%H%M%S')`. It does not shorten the
//! label; Elastic Beanstalk refuses one over 100 characters, so a long `describe` (a long tag name)
//! is cut here.

use chrono::NaiveDateTime;

/// Elastic Beanstalk's limit for a version label.
pub(super) const MAX_LABEL: usize = 100;

/// `app-<describe>-<yymmdd_HHMMSS>`, or `app-<yymmdd_HHMMSS>` without git.
pub(super) fn label(describe: Option<&str>, now: NaiveDateTime) -> String {
    let stamp = now.format("%y%m%d_%H%M%S").to_string();
    let describe = describe.map(str::trim).filter(|d| !d.is_empty());
    let label = match describe {
        None => format!("app-{stamp}"),
        Some(d) => {
            let room = MAX_LABEL - "app-".len() - "-".len() - stamp.len();
            format!("app-{}-{stamp}", tail(d, room))
        }
    };
    label.replace('.', "_")
}

/// The last `max` characters: `describe` ends with the commit (`v1.2-3-gabcd`), the part that
/// tells versions apart when a tag name is too long.
fn tail(s: &str, max: usize) -> &str {
    let count = s.chars().count();
    if count <= max {
        return s;
    }
    let skip = count - max;
    let start = s.char_indices().nth(skip).map_or(s.len(), |(i, _)| i);
    &s[start..]
}

/// The label made safe for a file name: anything but letters, digits, `-`, `_` and `.` becomes `_`
/// (a tag name may hold `/`).
pub(super) fn file_safe(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 7)
            .unwrap()
            .and_hms_opt(9, 5, 4)
            .unwrap()
    }

    #[test]
    fn without_git_it_is_app_and_the_time() {
        assert_eq!(label(None, now()), "app-260307_090504");
    }

    #[test]
    fn with_git_dots_become_underscores() {
        assert_eq!(
            label(Some("v1.2.0-3-gab12\n"), now()),
            "app-v1_2_0-3-gab12-260307_090504"
        );
    }

    #[test]
    fn a_long_describe_is_cut_to_the_limit_keeping_the_commit() {
        let d = format!("{}-7-gdeadbeef", "t".repeat(200));
        let l = label(Some(&d), now());
        assert_eq!(l.chars().count(), MAX_LABEL);
        assert!(l.ends_with("-7-gdeadbeef-260307_090504"), "{l}");
        assert!(l.starts_with("app-t"), "{l}");
    }

    #[test]
    fn file_names_lose_slashes() {
        assert_eq!(
            file_safe("app-release/1_0-260307"),
            "app-release_1_0-260307"
        );
    }
}
