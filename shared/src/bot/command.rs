//! Parsing `/command@BotName arguments`.

/// A bot command as typed: `/Settings@LinkletBot timezone Europe/Paris`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// Lower-cased name without the slash.
    pub name: String,
    /// The bot the command is addressed to, in groups (`@LinkletBot`), without the `@`.
    pub addressee: Option<&'a str>,
    /// Everything after the command, trimmed.
    pub args: &'a str,
}

impl<'a> Command<'a> {
    /// Reads a command from a message's text; `None` when the text is not a command.
    pub fn parse(text: &'a str) -> Option<Command<'a>> {
        let rest = text.strip_prefix('/')?;
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (head, args) = rest.split_at(end);
        let (name, addressee) = match head.split_once('@') {
            Some((name, bot)) => (name, Some(bot)),
            None => (head, None),
        };
        let valid = |s: &str| {
            !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if !valid(name) || addressee.is_some_and(|bot| !valid(bot)) {
            return None;
        }
        Some(Command { name: name.to_ascii_lowercase(), addressee, args: args.trim() })
    }

    /// Whether this bot should answer: no addressee, or addressed to `username`.
    pub fn is_for(&self, username: &str) -> bool {
        self.addressee.is_none_or(|bot| bot.eq_ignore_ascii_case(username))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_command() {
        let c = Command::parse("/start").unwrap();
        assert_eq!((c.name.as_str(), c.addressee, c.args), ("start", None, ""));
    }

    #[test]
    fn group_command_with_bot_name_and_arguments() {
        let c = Command::parse("/Settings@LinkletBot  timezone Europe/Paris ").unwrap();
        assert_eq!(c.name, "settings");
        assert_eq!(c.addressee, Some("LinkletBot"));
        assert_eq!(c.args, "timezone Europe/Paris");
        assert!(c.is_for("linkletbot"));
        assert!(!c.is_for("OtherBot"));
    }

    #[test]
    fn arguments_after_a_newline() {
        let c = Command::parse("/help\nplease").unwrap();
        assert_eq!((c.name.as_str(), c.args), ("help", "please"));
    }

    #[test]
    fn not_commands() {
        for text in ["hello", "", "/", "/ start", "/@bot", "/héllo", "/start@", "//x", "/a@b@c"] {
            assert_eq!(Command::parse(text), None, "{text:?}");
        }
    }
}
