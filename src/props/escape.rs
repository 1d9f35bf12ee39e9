//! The escapes Elastic Beanstalk asks for in property values.
//!
//! Its guide ("Environment property limits"): "Some characters in environment property values must
//! be escaped. Use the backslash character (`\`) to represent some special characters and control
//! characters", with the examples backslash as `\\`, single quote as `\'` and double quote as `\"`.
//! Read plainly: the value Elastic Beanstalk stores (and the API carries) is the escaped form, and
//! the platform turns `\\`, `\'` and `\"` back into `\`, `'` and `"` for the application. The list
//! is given as examples; the other escapes ("control characters") are not listed, so:
//!
//! - [`escape`] writes only the three documented escapes, and [`unescape`] reads only those three,
//!   leaving any other backslash as it is;
//! - [`issues`] reports a quote without its backslash and a backslash that starts none of the three
//!   (its meaning on the instance is not documented).
//!
//! `.env` files hold what the application sees: import escapes, export unescapes.

use super::Property;

/// The stored form of what the application should see.
pub fn escape(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        if matches!(c, '\\' | '\'' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What the application sees of a stored value (the three documented escapes undone).
pub fn unescape(stored: &str) -> String {
    let mut out = String::with_capacity(stored.len());
    let mut chars = stored.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&n)) if matches!(n, '\\' | '\'' | '"') => {
                out.push(n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Something in a stored value that the documented escapes do not account for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    /// A `'` or `"` without a backslash before it.
    BareQuote(char),
    /// A backslash not followed by `\`, `'` or `"`.
    LoneBackslash,
}

/// The issues of a stored value, each once.
pub fn issues(stored: &str) -> Vec<Issue> {
    let mut found = Vec::new();
    let mut chars = stored.chars().peekable();
    while let Some(c) = chars.next() {
        let issue = match c {
            '\\' => match chars.peek() {
                Some('\\' | '\'' | '"') => {
                    chars.next();
                    None
                }
                _ => Some(Issue::LoneBackslash),
            },
            '\'' | '"' => Some(Issue::BareQuote(c)),
            _ => None,
        };
        if let Some(i) = issue
            && !found.contains(&i)
        {
            found.push(i);
        }
    }
    found
}

/// Properties whose values are what the application sees, in their stored form.
pub fn to_stored(props: &[Property]) -> Vec<Property> {
    props
        .iter()
        .map(|p| Property::new(p.key.clone(), escape(&p.value)))
        .collect()
}

/// Stored properties, with the values the application sees.
pub fn to_plain(props: &[Property]) -> Vec<Property> {
    props
        .iter()
        .map(|p| Property::new(p.key.clone(), unescape(&p.value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_documented_examples() {
        assert_eq!(escape(r#"a\b'c"d"#), r#"a\\b\'c\"d"#);
        assert_eq!(unescape(r#"a\\b\'c\"d"#), r#"a\b'c"d"#);
    }

    #[test]
    fn an_undocumented_escape_is_left_alone_and_reported() {
        assert_eq!(unescape(r"C:\path\n"), r"C:\path\n");
        assert_eq!(issues(r"C:\path\n"), vec![Issue::LoneBackslash]);
        assert_eq!(issues("trailing\\"), vec![Issue::LoneBackslash]);
    }

    #[test]
    fn bare_quotes_are_reported_once_each() {
        assert_eq!(
            issues(r#"it's "x" and 'y'"#),
            vec![Issue::BareQuote('\''), Issue::BareQuote('"')]
        );
        assert!(issues(r#"it\'s \"x\" \\ ok"#).is_empty());
    }

    #[test]
    fn properties_convert_both_ways() {
        let plain = vec![Property::new("Q", "say \"hi\"")];
        let stored = to_stored(&plain);
        assert_eq!(stored[0].value, r#"say \"hi\""#);
        assert_eq!(to_plain(&stored), plain);
    }

    proptest! {
        #[test]
        fn unescape_undoes_escape(s in "\\PC*") {
            let e = escape(&s);
            prop_assert!(issues(&e).is_empty());
            prop_assert_eq!(unescape(&e), s);
        }
    }
}
