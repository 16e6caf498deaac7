//! Telegram's HTML parse mode: checking a text as Telegram would, and splitting
//! a long one into messages of at most 4096 characters without breaking a word,
//! a tag or an entity (an element open at a cut is closed and reopened).

/// Telegram's limit on one message's text.
pub const MESSAGE_LIMIT: usize = crate::domain::limits::MESSAGE_CHARS;

/// Telegram's limit on a callback query's toast (plain text).
pub const TOAST_LIMIT: usize = crate::domain::limits::TOAST_CHARS;

/// `html` cut to at most `limit` characters, with an ellipsis when cut: for
/// an edited message, which cannot be split in two.
pub fn truncate(html: &str, limit: usize) -> String {
    if html.chars().count() <= limit {
        return html.to_owned();
    }
    let first = split(html, limit.saturating_sub(1)).into_iter().next().unwrap_or_default();
    format!("{first}…")
}

/// A plain text cut to at most `limit` characters, with an ellipsis when cut.
pub fn truncate_plain(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

const TAGS: [&str; 10] = ["b", "i", "u", "s", "code", "pre", "a", "tg-spoiler", "blockquote", "em"];

/// Checks `text` the way Telegram parses it: known tags, balanced, known entities.
pub fn check(text: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    for unit in units(text)? {
        match unit {
            Unit::Open { name, .. } => open.push(name),
            Unit::Close { name, .. } => {
                if open.pop().as_deref() != Some(name.as_str()) {
                    return Err(format!("unexpected end tag {name}"));
                }
            }
            Unit::Entity(_) | Unit::Char(_) => {}
        }
    }
    match open.pop() {
        Some(tag) => Err(format!("can't find end tag corresponding to start tag \"{tag}\"")),
        None => Ok(()),
    }
}

#[derive(Debug, Clone)]
enum Unit {
    /// A start tag as written (`<a href="…">`) and its name.
    Open {
        raw: String,
        name: String,
    },
    Close {
        raw: String,
        name: String,
    },
    Entity(String),
    Char(char),
}

impl Unit {
    fn len(&self) -> usize {
        match self {
            Unit::Open { raw, .. } | Unit::Close { raw, .. } | Unit::Entity(raw) => raw.chars().count(),
            Unit::Char(_) => 1,
        }
    }

    fn push_to(&self, out: &mut String) {
        match self {
            Unit::Open { raw, .. } | Unit::Close { raw, .. } | Unit::Entity(raw) => out.push_str(raw),
            Unit::Char(c) => out.push(*c),
        }
    }
}

fn units(text: &str) -> Result<Vec<Unit>, String> {
    let mut units = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => {
                let end = rest.find(';').ok_or("unterminated entity")?;
                let name = &rest[1..end];
                let known = ["lt", "gt", "amp", "quot"].contains(&name)
                    || name
                        .strip_prefix('#')
                        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
                if !known {
                    return Err(format!("unsupported entity &{name};"));
                }
                units.push(Unit::Entity(rest[..=end].to_owned()));
                rest = &rest[end + 1..];
            }
            '<' => {
                let end = rest.find('>').ok_or("unclosed start tag")?;
                let raw = rest[..=end].to_owned();
                let inner = &rest[1..end];
                match inner.strip_prefix('/') {
                    Some(name) => units.push(Unit::Close { name: name.trim().to_owned(), raw }),
                    None => {
                        let name = inner.split_whitespace().next().unwrap_or_default().to_owned();
                        if !TAGS.contains(&name.as_str()) {
                            return Err(format!("unsupported start tag \"{name}\""));
                        }
                        units.push(Unit::Open { name, raw });
                    }
                }
                rest = &rest[end + 1..];
            }
            c => {
                units.push(Unit::Char(c));
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    Ok(units)
}

/// The element stack at some point: the start tags still open.
type Stack = Vec<Unit>;

/// A place a message may end: the index of the next unit, and what is open there.
type Cut = (usize, Stack);

fn closing_len(stack: &Stack) -> usize {
    stack.iter().map(|u| if let Unit::Open { name, .. } = u { name.chars().count() + 3 } else { 0 }).sum()
}

fn close_all(stack: &Stack, out: &mut String) {
    for unit in stack.iter().rev() {
        if let Unit::Open { name, .. } = unit {
            out.push_str(&format!("</{name}>"));
        }
    }
}

fn apply(stack: &mut Stack, unit: &Unit) {
    match unit {
        Unit::Open { .. } => stack.push(unit.clone()),
        Unit::Close { .. } => {
            stack.pop();
        }
        _ => {}
    }
}

/// Splits `html` into texts of at most `limit` characters each (counting tags
/// and entities as written, so what Telegram counts is never more). Cuts fall
/// after a line break when one is in the second half of the message, else after
/// a space, else (a word longer than a message) between characters.
pub fn split(html: &str, limit: usize) -> Vec<String> {
    if html.chars().count() <= limit {
        return vec![html.to_owned()];
    }
    let Ok(units) = units(html) else {
        // Not valid HTML: cut the characters (Telegram will say what is wrong).
        let chars: Vec<char> = html.chars().collect();
        return chars.chunks(limit.max(1)).map(|c| c.iter().collect()).collect();
    };
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut open: Stack = Vec::new();
    while start < units.len() {
        let reopen_len: usize = open.iter().map(Unit::len).sum();
        let mut len = reopen_len;
        let mut stack = open.clone();
        let (mut newline, mut space): (Option<Cut>, Option<Cut>) = (None, None);
        let mut i = start;
        while i < units.len() {
            let mut tentative = stack.clone();
            apply(&mut tentative, &units[i]);
            let grown = len + units[i].len();
            if grown + closing_len(&tentative) > limit {
                break;
            }
            len = grown;
            stack = tentative;
            i += 1;
            match units[i - 1] {
                Unit::Char('\n') => newline = Some((i, stack.clone())),
                Unit::Char(c) if c.is_whitespace() => space = Some((i, stack.clone())),
                _ => {}
            }
        }
        let (cut, cut_stack) = if i == units.len() {
            (i, stack)
        } else {
            let half = start + (i - start) / 2;
            match (newline, space) {
                (Some(nl), _) if nl.0 > half => nl,
                (_, Some(sp)) => sp,
                (Some(nl), None) => nl,
                (None, None) if i > start => (i, stack),
                // One unit longer than a message on its own: let it through alone.
                (None, None) => {
                    let mut alone = open.clone();
                    apply(&mut alone, &units[start]);
                    (start + 1, alone)
                }
            }
        };
        let mut chunk = String::new();
        for unit in &open {
            unit.push_to(&mut chunk);
        }
        for unit in &units[start..cut] {
            unit.push_to(&mut chunk);
        }
        close_all(&cut_stack, &mut chunk);
        let trimmed = chunk.trim_end().to_owned();
        if !plain_text(&trimmed).trim().is_empty() {
            chunks.push(trimmed);
        }
        start = cut;
        open = cut_stack;
        while matches!(units.get(start), Some(Unit::Char(c)) if c.is_whitespace()) {
            start += 1;
        }
    }
    chunks
}

/// Telegram HTML as plain text (button toasts, the console): tags dropped,
/// the entities Linklet writes decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// Escapes text for Telegram's HTML parse mode.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn words(text: &str) -> Vec<String> {
        plain_text(text).split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn a_short_text_is_one_message() {
        assert_eq!(split("<b>hi</b>", MESSAGE_LIMIT), ["<b>hi</b>"]);
        assert_eq!(truncate("<b>hi</b>", MESSAGE_LIMIT), "<b>hi</b>");
        let long = format!("<b>{}</b>", "word ".repeat(3000));
        let cut = truncate(&long, MESSAGE_LIMIT);
        assert!(cut.chars().count() <= MESSAGE_LIMIT && cut.ends_with('…'), "{}", cut.len());
        assert!(check(&cut).is_ok());
        assert_eq!(truncate_plain(&"é".repeat(900), TOAST_LIMIT).chars().count(), TOAST_LIMIT);
    }

    #[test]
    fn cuts_fall_between_words_and_formatting_is_reopened() {
        let text = "<b>one two three four five</b> six";
        let parts = split(text, 16);
        for part in &parts {
            assert!(part.chars().count() <= 16, "{part}");
            check(part).unwrap();
        }
        assert_eq!(parts.iter().flat_map(|p| words(p)).collect::<Vec<_>>(), words(text));
        assert!(parts[0].starts_with("<b>") && parts[1].starts_with("<b>"), "{parts:?}");
    }

    #[test]
    fn a_line_break_is_preferred() {
        let text = format!("{}\n{}", "a ".repeat(30).trim_end(), "b ".repeat(30).trim_end());
        let parts = split(&text, 80);
        assert_eq!(parts[0], "a ".repeat(30).trim_end());
    }

    #[test]
    fn an_endless_word_is_cut_between_characters() {
        let text = "x".repeat(10_000);
        let parts = split(&text, MESSAGE_LIMIT);
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [4096, 4096, 1808]);
    }

    #[test]
    fn checking_catches_what_telegram_refuses() {
        assert!(check("<b>Hi</b> &lt;Ada&gt; &amp; <code>x</code> &#39;").is_ok());
        for bad in ["a < b", "Tom & Jerry", "<b>open", "<script>x</script>", "<b><i>x</b></i>", "&#;"] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }

    fn html() -> impl Strategy<Value = String> {
        let word = prop_oneof![
            "[a-zé]{1,12}".prop_map(|w| w),
            Just("&amp;".to_owned()),
            Just("&lt;tag&gt;".to_owned()),
            "[a-z]{1,8}".prop_map(|w| format!("<b>{w}</b>")),
            "[a-z]{1,5}( [a-z]{1,5}){0,6}".prop_map(|w| format!("<i>{w}</i>")),
            "[a-z]{1,5}( [a-z]{1,5}){0,3}"
                .prop_map(|w| format!("<a href=\"https://x.y/{}\">{w}</a>", w.len())),
        ];
        let sep = prop_oneof![Just(" "), Just(" "), Just("\n")];
        prop::collection::vec((word, sep), 1..200)
            .prop_map(|parts| parts.into_iter().map(|(w, s)| format!("{w}{s}")).collect::<String>())
    }

    proptest! {
        #[test]
        fn every_part_fits_is_valid_and_nothing_is_lost(text in html(), limit in 40usize..400) {
            let parts = split(&text, limit);
            for part in &parts {
                prop_assert!(part.chars().count() <= limit, "{} > {}: {}", part.chars().count(), limit, part);
                prop_assert!(check(part).is_ok(), "{:?}: {}", check(part), part);
            }
            let rejoined: Vec<String> = parts.iter().flat_map(|p| words(p)).collect();
            prop_assert_eq!(rejoined, words(&text));
        }
    }
}
