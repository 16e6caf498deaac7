//! Telegram HTML shown as plain console text.

/// Drops tags and decodes the entities Linklet writes.
pub fn plain(html: &str) -> String {
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

#[cfg(test)]
mod tests {
    #[test]
    fn tags_go_and_entities_decode() {
        assert_eq!(super::plain("<b>Hi</b> &lt;Ada&gt; &amp;amp;"), "Hi <Ada> &amp;");
    }
}
