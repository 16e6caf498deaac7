//! The words the time grammar reads, per language, and the ways people
//! mistype them. A typed word is normalized (lower case, accents dropped),
//! then mapped to its canonical form here; the grammar in `when.rs` only
//! ever sees canonical words. Titles are cut from the original text, so a
//! correction here never changes what the user wrote.

/// Characters people paste without seeing them: zero-width spaces and
/// joiners, direction marks, the byte-order mark, soft hyphens.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// Title words for what happens in the evening: a bare `at 8` beside them
/// is 20:00 (`dinner friday at 8`, `dîner vendredi à 8`).
const EVENING: &[&str] = &[
    "dinner", "supper", "diner", "souper", "drinks", "apero", "aperitif", "party", "soiree", "fete",
    "concert", "movie", "cinema", "cine", "theatre", "theater",
];

/// Whether a title (already normalized word by word) names an evening event.
pub fn evening_event(words: &[&str]) -> bool {
    words.iter().any(|w| EVENING.contains(w))
}

/// Abbreviations and common misspellings, to the word the grammar knows.
const ALIASES: &[(&str, &str)] = &[
    // English
    ("tmrw", "tomorrow"),
    ("tmr", "tomorrow"),
    ("tmrrw", "tomorrow"),
    ("tomorow", "tomorrow"),
    ("tommorow", "tomorrow"),
    ("tommorrow", "tomorrow"),
    ("tomorrrow", "tomorrow"),
    ("2morrow", "tomorrow"),
    ("tonite", "tonight"),
    ("2nite", "tonight"),
    ("tday", "today"),
    ("2day", "today"),
    ("wendsday", "wednesday"),
    ("wensday", "wednesday"),
    ("wednsday", "wednesday"),
    ("wedensday", "wednesday"),
    ("thrusday", "thursday"),
    ("thurday", "thursday"),
    ("tuseday", "tuesday"),
    ("teusday", "tuesday"),
    ("saterday", "saturday"),
    ("fryday", "friday"),
    ("munday", "monday"),
    ("mins", "minutes"),
    ("min", "minutes"),
    ("hrs", "hours"),
    ("hr", "hours"),
    ("arvo", "afternoon"),
    ("eod", "end-of-day"),
    // French
    ("demin", "demain"),
    ("demian", "demain"),
    ("deamain", "demain"),
    ("dmain", "demain"),
    ("dem1", "demain"),
    ("aujourdhui", "aujourd'hui"),
    ("aujourd'hui", "aujourd'hui"),
    ("aujourdh'ui", "aujourd'hui"),
    ("auj", "aujourd'hui"),
    ("ajd", "aujourd'hui"),
    ("ajrd", "aujourd'hui"),
    ("mecredi", "mercredi"),
    ("mercedi", "mercredi"),
    ("mercerdi", "mercredi"),
    ("jeudis", "jeudi"),
    ("vendredie", "vendredi"),
    ("smedi", "samedi"),
    ("dimache", "dimanche"),
    ("aprem", "apres-midi"),
    ("aprm", "apres-midi"),
    ("apres-midi", "apres-midi"),
    ("aprés-midi", "apres-midi"),
    ("apresmidi", "apres-midi"),
    ("ap-midi", "apres-midi"),
    ("mn", "minutes"),
    ("heures", "heure"),
];

/// Long words of the lexicon that a one-letter slip still names (a letter
/// missing, added, changed or two swapped), never shorter words: `sundae`
/// stays a dessert.
const FUZZY: &[&str] = &[
    "tomorrow",
    "tonight",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "september",
    "october",
    "november",
    "december",
    "mercredi",
    "vendredi",
    "dimanche",
    "janvier",
    "fevrier",
    "juillet",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    "aujourd'hui",
    "apres-demain",
    "prochain",
    "prochaine",
];

/// The canonical form of a normalized word.
pub fn canonical(word: &str) -> &str {
    if let Some((_, to)) = ALIASES.iter().find(|(from, _)| *from == word) {
        return to;
    }
    if word.chars().count() >= 7
        && !FUZZY.contains(&word)
        && word.chars().all(|c| c.is_ascii_lowercase() || c == '\'' || c == '-')
        && let Some(known) = FUZZY.iter().find(|known| one_slip(word, known))
    {
        return known;
    }
    word
}

/// Whether `a` is `b` with at most one letter missing, added, changed, or
/// two neighbours swapped (the optimal string alignment distance is <= 1).
fn one_slip(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return a == b;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match (ra.len(), rb.len()) {
        (x, y) if x == y => {
            ra[1..] == rb[1..] || (x >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        (x, y) if x > y => ra[1..] == *rb,
        _ => *ra == rb[1..],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_of_one_letter_in_long_words_are_read_and_short_words_are_left_alone() {
        for (typed, meant) in [
            ("tommorow", "tomorrow"),
            ("tomorrw", "tomorrow"),
            ("wednesady", "wednesday"),
            ("thursady", "thursday"),
            ("mecredi", "mercredi"),
            ("demin", "demain"),
            ("aujourdhui", "aujourd'hui"),
            ("decmber", "december"),
            ("tmrw", "tomorrow"),
        ] {
            assert_eq!(canonical(typed), meant, "{typed}");
        }
        for word in ["sundae", "monde", "fiday", "tomorrows-news", "october"] {
            assert_eq!(canonical(word), word, "{word}");
        }
    }

    #[test]
    fn invisible_characters_are_known() {
        assert!(['\u{200B}', '\u{200F}', '\u{FEFF}', '\u{202E}'].into_iter().all(is_invisible));
        assert!(!is_invisible(' ') && !is_invisible('a'));
    }
}
