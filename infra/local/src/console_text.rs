//! The console's own lines (banner, taps, typing, sweeps), in the language
//! given with `--lang`, like the bot's own texts.

use linklet::domain::Language;

/// A line the console prints about itself, not a message from the bot.
pub enum Line<'a> {
    Banner {
        store: &'a str,
    },
    FakeAi,
    NoAi,
    /// Workflow hooks listen at `url`.
    Hooks {
        url: &'a str,
    },
    NoHooks {
        port: u16,
        error: &'a str,
    },
    HowTo,
    Tapped {
        label: &'a str,
    },
    Typing,
    Deleted,
    Sweep {
        due: usize,
        sent: usize,
    },
    NotHandled {
        status: u16,
    },
    LocationUsage,
    Bye,
}

impl Line<'_> {
    pub fn render(&self, lang: Language) -> String {
        use Language::{En, Fr};
        match (self, lang) {
            (Line::Banner { store }, En) => format!("Linklet console ({store})."),
            (Line::Banner { store }, Fr) => format!("Console Linklet ({store})."),
            (Line::FakeAi, En) => "The assistant answers with the bundled fake AI: write anything, \
                 or \"remind me to stretch in 2 minutes\"."
                .to_owned(),
            (Line::FakeAi, Fr) => "L'assistant répond avec la fausse IA fournie : écrivez ce que vous voulez, \
                 ou « rappelle-moi de m'étirer dans 2 minutes »."
                .to_owned(),
            (Line::NoAi, En) => {
                "No AI key: the assistant is off (set OPENAI_API_KEY or GOOGLE_AI_API_KEY, or pass --fake-ai)."
                    .to_owned()
            }
            (Line::NoAi, Fr) => "Pas de clé d'IA : l'assistant est éteint (définissez OPENAI_API_KEY ou \
                 GOOGLE_AI_API_KEY, ou passez --fake-ai)."
                .to_owned(),
            (Line::Hooks { url }, En) => format!("Workflow hooks listen on {url}/hooks/<token> (curl them)."),
            (Line::Hooks { url }, Fr) => format!("Les webhooks des workflows écoutent sur {url}/hooks/<jeton> (appelez-les avec curl)."),
            (Line::NoHooks { port, error }, En) => {
                format!("Workflow hooks are off: port {port} is not free ({error}); pass --hooks-port.")
            }
            (Line::NoHooks { port, error }, Fr) => {
                format!("Webhooks des workflows désactivés : le port {port} n'est pas libre ({error}) ; passez --hooks-port.")
            }
            (Line::HowTo, En) => "Type a message or a command (/help lists them; try /task call mom in 1 min, \
                 then /tasks); a number taps a button; reminders show up within a minute (/sweep sends due \
                 ones now); /location 48.85 2.35 shares a place; /quit or Ctrl-D leaves."
                .to_owned(),
            (Line::HowTo, Fr) => "Tapez un message ou une commande (/help les liste ; essayez /task appeler \
                 maman dans 1 min, puis /tasks) ; un nombre appuie sur un bouton ; les rappels arrivent \
                 dans la minute (/sweep envoie tout de suite ceux qui sont dus) ; /location 48.85 2.35 partage un lieu ; /quit ou Ctrl-D pour sortir."
                .to_owned(),
            (Line::Tapped { label }, En) => format!("(you tapped {label})"),
            (Line::Tapped { label }, Fr) => format!("(vous avez appuyé sur {label})"),
            (Line::Typing, En) => "(Linklet is typing…)".to_owned(),
            (Line::Typing, Fr) => "(Linklet écrit…)".to_owned(),
            (Line::Deleted, En) => "(your last message was deleted from the chat)".to_owned(),
            (Line::Deleted, Fr) => "(votre dernier message a été supprimé de la conversation)".to_owned(),
            (Line::Sweep { due, sent }, En) => format!("(reminder sweep: {due} due, {sent} sent)"),
            (Line::Sweep { due, sent }, Fr) => format!("(tournée des rappels : {due} dus, {sent} envoyés)"),
            (Line::NotHandled { status }, En) => {
                format!("(the bot could not handle this: HTTP {status}; see the log above)")
            }
            (Line::NotHandled { status }, Fr) => {
                format!("(le bot n'a pas pu traiter ceci : HTTP {status} ; voir le journal ci-dessus)")
            }
            (Line::LocationUsage, En) => {
                "(share a place as /location <latitude> <longitude>, for example /location 48.85 2.35)".to_owned()
            }
            (Line::LocationUsage, Fr) => {
                "(partagez un lieu avec /location <latitude> <longitude>, par exemple /location 48.85 2.35)".to_owned()
            }
            (Line::Bye, En) => "Bye!".to_owned(),
            (Line::Bye, Fr) => "Au revoir !".to_owned(),
        }
    }
}
