//! The languages Linklet speaks and how one is picked for a user.

use std::fmt;

/// A language of the message catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    Fr,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Fr];

    /// Telegram's `language_code` (an IETF tag such as `fr`, `fr-CA`, `en-US`):
    /// French for `fr*`, English for anything else or nothing.
    pub fn from_telegram(code: Option<&str>) -> Language {
        match code {
            Some(code) if code.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("fr")) => Language::Fr,
            _ => Language::En,
        }
    }

    /// The stored code, `en` or `fr`; also what `/settings language <code>` accepts.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" | "english" | "anglais" => Some(Language::En),
            "fr" | "french" | "français" | "francais" => Some(Language::Fr),
            _ => None,
        }
    }

    /// The language's own name, as shown on its button.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Fr => "Français",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.native_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_codes_pick_french_and_everything_else_english() {
        assert_eq!(Language::from_telegram(Some("fr")), Language::Fr);
        assert_eq!(Language::from_telegram(Some("fr-CA")), Language::Fr);
        assert_eq!(Language::from_telegram(Some("FR")), Language::Fr);
        assert_eq!(Language::from_telegram(Some("en-US")), Language::En);
        assert_eq!(Language::from_telegram(Some("de")), Language::En);
        assert_eq!(Language::from_telegram(Some("f")), Language::En);
        assert_eq!(Language::from_telegram(Some("")), Language::En);
        assert_eq!(Language::from_telegram(None), Language::En);
    }

    #[test]
    fn codes_round_trip() {
        for lang in Language::ALL {
            assert_eq!(Language::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Language::from_code("Français"), Some(Language::Fr));
        assert_eq!(Language::from_code("klingon"), None);
    }
}
