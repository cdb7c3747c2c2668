//! How two email addresses are compared: the crate's one rule.
//!
//! Clerk keeps addresses in lowercase, and a roster typed by people may not, so case must not
//! tell two addresses apart. Only ASCII case: Unicode case folding maps characters that are not
//! letters of an address's ASCII spelling onto ones that are (KELVIN SIGN `K` onto `k`,
//! fullwidth `Ｋ` onto `ｋ`, and `İ` lowercases to `i̇`), and matching through it could take one
//! person's roster row for another person's account. The spec says nothing on this; the rule is
//! chosen so that it can never merge two people.

/// `email` as it is compared: surrounding ASCII whitespace removed and ASCII letters in
/// lowercase; every other character is kept as it is.
pub(crate) fn normalized_email(email: &str) -> String {
    email
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::normalized_email;

    #[test]
    fn only_ascii_case_and_ascii_whitespace_are_ignored() {
        assert_eq!(
            normalized_email("  Jane.Doe@ACME.com\t"),
            "jane.doe@acme.com"
        );
        // KELVIN SIGN, fullwidth letters, dotted capital I and dotless i keep their identity.
        for odd in [
            "\u{212A}ate@acme.com",
            "\u{FF2B}ate@acme.com",
            "\u{0130}nes@acme.com",
            "\u{0131}nes@acme.com",
        ] {
            let normalized = normalized_email(odd);
            assert_ne!(normalized, "kate@acme.com");
            assert_ne!(normalized, "ines@acme.com");
            assert!(!normalized.is_ascii(), "{odd:?} became {normalized:?}");
        }
        // A no-break space is not ASCII whitespace: it stays part of the address.
        assert_eq!(normalized_email("\u{A0}a@x.com"), "\u{A0}a@x.com");
    }
}
