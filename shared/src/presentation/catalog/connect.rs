//! The texts of /connect, /disconnect and /cancel, in English and French.

use super::escape;
use crate::domain::{Language, integration::Service};

#[derive(Debug, Clone)]
pub enum ConnectMsg<'a> {
    /// `/connect` alone: every service and whether it is connected.
    Services {
        connected: &'a [Service],
    },
    UnknownService {
        input: &'a str,
    },
    PrivateOnly,
    VaultOff,
    OAuthLater(Service),
    PasteToken(Service),
    Connected {
        service: Service,
        deleted: bool,
    },
    NotAToken(Service),
    Disconnected(Service),
    NotConnected(Service),
    Cancelled,
    NothingToCancel,
    DisconnectUsage,
}

impl ConnectMsg<'_> {
    pub fn render(&self, lang: Language) -> String {
        use Language::{En, Fr};
        match (self, lang) {
            (ConnectMsg::Services { connected }, _) => {
                let lines: Vec<String> = Service::ALL
                    .iter()
                    .map(|s| {
                        let state = match (connected.contains(s), lang) {
                            (true, En) => "✅ connected",
                            (true, Fr) => "✅ connecté",
                            (false, En) => "not connected",
                            (false, Fr) => "non connecté",
                        };
                        format!("• {} — {state} (<code>/connect {}</code>)", s.name(), s.code())
                    })
                    .collect();
                let (title, hint) = match lang {
                    En => ("🔌 <b>Your connections</b>", "Disconnect with <code>/disconnect &lt;service&gt;</code>."),
                    Fr => ("🔌 <b>Vos connexions</b>", "Déconnectez avec <code>/disconnect &lt;service&gt;</code>."),
                };
                format!("{title}\n{}\n{hint}", lines.join("\n"))
            }
            (ConnectMsg::UnknownService { input }, En) => format!(
                "I don't know the service <code>{}</code>. Send /connect to see the ones I can connect.",
                escape(input)
            ),
            (ConnectMsg::UnknownService { input }, Fr) => format!(
                "Je ne connais pas le service <code>{}</code>. Envoyez /connect pour voir ceux que je sais connecter.",
                escape(input)
            ),
            (ConnectMsg::PrivateOnly, En) => {
                "🔒 Connections are made in a private chat with me, never in a group: a token must not be seen by others."
                    .to_owned()
            }
            (ConnectMsg::PrivateOnly, Fr) => "🔒 Les connexions se font en discussion privée avec moi, jamais dans un groupe : \
                 un jeton ne doit pas être vu par d'autres."
                .to_owned(),
            (ConnectMsg::VaultOff, En) => {
                "Connections are not available on this Linklet yet (no encryption key is configured).".to_owned()
            }
            (ConnectMsg::VaultOff, Fr) => {
                "Les connexions ne sont pas encore disponibles sur ce Linklet (aucune clé de chiffrement configurée)."
                    .to_owned()
            }
            (ConnectMsg::OAuthLater(s), En) => {
                format!("{} connects through its own sign-in page, which comes with the {} integration.", s.name(), s.name())
            }
            (ConnectMsg::OAuthLater(s), Fr) => format!(
                "{} se connecte par sa propre page de connexion, qui arrive avec l'intégration {}.",
                s.name(),
                s.name()
            ),
            (ConnectMsg::PasteToken(s), En) => format!(
                "🔑 Paste your {} token as your next message. I delete that message as soon as I have read it, \
                 and keep the token encrypted. Send /cancel to stop.",
                s.name()
            ),
            (ConnectMsg::PasteToken(s), Fr) => format!(
                "🔑 Collez votre jeton {} dans votre prochain message. Je supprime ce message dès que je l'ai lu \
                 et garde le jeton chiffré. Envoyez /cancel pour arrêter.",
                s.name()
            ),
            (ConnectMsg::Connected { service, deleted: true }, En) => {
                format!("✅ {} connected. I deleted your message with the token from this chat.", service.name())
            }
            (ConnectMsg::Connected { service, deleted: true }, Fr) => {
                format!("✅ {} connecté. J'ai supprimé de cette discussion votre message contenant le jeton.", service.name())
            }
            (ConnectMsg::Connected { service, deleted: false }, En) => format!(
                "✅ {} connected. ⚠️ I could not delete your message with the token: please delete it yourself.",
                service.name()
            ),
            (ConnectMsg::Connected { service, deleted: false }, Fr) => format!(
                "✅ {} connecté. ⚠️ Je n'ai pas pu supprimer votre message contenant le jeton : supprimez-le vous-même.",
                service.name()
            ),
            (ConnectMsg::NotAToken(s), En) => format!(
                "That does not look like a {} token (one word, no spaces). I deleted your message; \
                 send <code>/connect {}</code> to try again.",
                s.name(),
                s.code()
            ),
            (ConnectMsg::NotAToken(s), Fr) => format!(
                "Cela ne ressemble pas à un jeton {} (un seul mot, sans espace). J'ai supprimé votre message ; \
                 envoyez <code>/connect {}</code> pour réessayer.",
                s.name(),
                s.code()
            ),
            (ConnectMsg::Disconnected(s), En) => format!("🔌 {} disconnected; its token is deleted.", s.name()),
            (ConnectMsg::Disconnected(s), Fr) => format!("🔌 {} déconnecté ; son jeton est supprimé.", s.name()),
            (ConnectMsg::NotConnected(s), En) => format!("{} was not connected.", s.name()),
            (ConnectMsg::NotConnected(s), Fr) => format!("{} n'était pas connecté.", s.name()),
            (ConnectMsg::Cancelled, En) => "Cancelled.".to_owned(),
            (ConnectMsg::Cancelled, Fr) => "Annulé.".to_owned(),
            (ConnectMsg::NothingToCancel, En) => "There was nothing to cancel.".to_owned(),
            (ConnectMsg::NothingToCancel, Fr) => "Il n'y avait rien à annuler.".to_owned(),
            (ConnectMsg::DisconnectUsage, En) => "Which service? For example <code>/disconnect github</code>; \
                 /connect shows what is connected."
                .to_owned(),
            (ConnectMsg::DisconnectUsage, Fr) => "Quel service ? Par exemple <code>/disconnect github</code> ; \
                 /connect montre ce qui est connecté."
                .to_owned(),
        }
    }
}
