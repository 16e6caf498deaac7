//! The assistant's answers, written in Markdown by the models, rendered in
//! Telegram's HTML parse mode: code, bold, headings, lists and links become
//! tags; everything else is escaped, so any text is a message Telegram accepts.

use crate::presentation::telegram_html::escape;

/// Renders `markdown` as Telegram HTML. Markers without their closing half
/// are shown as written.
pub fn to_telegram_html(markdown: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut code: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        let fence = line.trim_start().starts_with("```");
        match (&mut code, fence) {
            (None, true) => code = Some(Vec::new()),
            (Some(body), true) => {
                lines.push(format!("<pre>{}</pre>", escape(&body.join("\n"))));
                code = None;
            }
            (Some(body), false) => body.push(line),
            (None, false) => lines.push(block(line)),
        }
    }
    if let Some(body) = code {
        lines.push(format!("<pre>{}</pre>", escape(&body.join("\n"))));
    }
    lines.join("\n")
}

/// One line outside code: a heading is bold, a list item gets a bullet.
fn block(line: &str) -> String {
    let trimmed = line.trim_start();
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
        return format!("<b>{}</b>", inline(trimmed[hashes..].trim()));
    }
    if let Some(item) = trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* ")) {
        let indent = &line[..line.len() - trimmed.len()];
        return format!("{indent}• {}", inline(item));
    }
    inline(line)
}

/// Inline code, bold and links; the rest escaped.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix('`')
            && let Some(end) = after.find('`')
            && end > 0
        {
            out.push_str(&format!("<code>{}</code>", escape(&after[..end])));
            rest = &after[end + 1..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("**")
            && let Some(end) = after.find("**")
            && end > 0
        {
            out.push_str(&format!("<b>{}</b>", inline(&after[..end])));
            rest = &after[end + 2..];
            continue;
        }
        if let Some((label, url, after)) = link(rest) {
            out.push_str(&format!("<a href=\"{}\">{}</a>", escape(url), escape(label)));
            rest = after;
            continue;
        }
        out.push_str(&escape(&c.to_string()));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `[label](https://…)` at the start of `text`: the label, the URL and what follows.
fn link(text: &str) -> Option<(&str, &str, &str)> {
    let after = text.strip_prefix('[')?;
    let close = after.find("](")?;
    let label = &after[..close];
    let target = &after[close + 2..];
    let end = target.find(')')?;
    let url = &target[..end];
    let web = url.starts_with("https://") || url.starts_with("http://");
    (web && !label.is_empty() && !label.contains('[') && !url.contains(char::is_whitespace)).then_some((
        label,
        url,
        &target[end + 1..],
    ))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::presentation::telegram_html::check;

    #[test]
    fn markdown_becomes_telegram_html() {
        let answer = "## Plan\n**Call mom** at 6 < 7 & then:\n- run `cargo test`\n* read [docs](https://example.com/a?b=1&c=2)\n```\nfn main() { a < b }\n```";
        assert_eq!(
            to_telegram_html(answer),
            "<b>Plan</b>\n<b>Call mom</b> at 6 &lt; 7 &amp; then:\n• run <code>cargo test</code>\n• read \
             <a href=\"https://example.com/a?b=1&amp;c=2\">docs</a>\n<pre>fn main() { a &lt; b }</pre>"
        );
    }

    #[test]
    fn unmatched_markers_are_shown_as_written() {
        assert_eq!(to_telegram_html("2 ** 3 and `x and [a](b)"), "2 ** 3 and `x and [a](b)");
        assert_eq!(to_telegram_html("```\nunclosed <code>"), "<pre>unclosed &lt;code&gt;</pre>");
    }

    proptest! {
        #[test]
        fn any_answer_is_html_telegram_accepts(text in "([a-z <>&*`#\\[\\]()\"\n-]|https://x|```){0,120}") {
            let html = to_telegram_html(&text);
            prop_assert!(check(&html).is_ok(), "{:?} from {:?}", check(&html), text);
        }

        #[test]
        fn plain_text_is_only_escaped(text in "[a-zA-Z0-9 .,!?'<>&\"]{0,200}") {
            prop_assert_eq!(to_telegram_html(&text), escape(&text));
        }
    }
}
