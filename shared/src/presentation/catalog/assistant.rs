//! The texts of the AI assistant, in English and French.

use chrono::{DateTime, Utc};

use crate::domain::{Language, TimeZone, job::JobFailure};

#[derive(Debug, Clone)]
pub enum AssistantMsg {
    Usage,
    /// No provider is configured on this Linklet.
    Off,
    QuotaReached {
        limit: u32,
        /// When the count starts again (midnight UTC), shown in `tz`.
        resets_at: DateTime<Utc>,
        tz: TimeZone,
    },
    Forgotten,
    Failed(JobFailure),
}

impl AssistantMsg {
    pub fn render(&self, lang: Language) -> String {
        use Language::{En, Fr};
        match (self, lang) {
            (AssistantMsg::Usage, En) => "Ask me anything after the command, for example:\n\
                 <code>/ask what should I pack for a weekend in Lyon?</code>\n\
                 In a private chat you can also just write to me."
                .to_owned(),
            (AssistantMsg::Usage, Fr) => "Posez votre question après la commande, par exemple :\n\
                 <code>/ask que prendre pour un week-end à Lyon ?</code>\n\
                 En discussion privée, vous pouvez aussi m'écrire directement."
                .to_owned(),
            (AssistantMsg::Off, En) => "The assistant is not set up on this Linklet yet (no AI provider key). \
                 Commands still work: send /help to see them."
                .to_owned(),
            (AssistantMsg::Off, Fr) => "L'assistant n'est pas encore configuré sur ce Linklet (aucune clé de \
                 fournisseur d'IA). Les commandes fonctionnent : envoyez /help pour les voir."
                .to_owned(),
            (AssistantMsg::QuotaReached { limit, resets_at, tz }, En) => format!(
                "You have asked your {limit} questions for today, the most your plan allows. \
                 The count starts again at midnight UTC: {}.",
                super::tasks::when(*resets_at, *tz, lang)
            ),
            (AssistantMsg::QuotaReached { limit, resets_at, tz }, Fr) => format!(
                "Vous avez posé vos {limit} questions du jour, le maximum de votre formule. \
                 Le compteur repart à minuit UTC : {}.",
                super::tasks::when(*resets_at, *tz, lang)
            ),
            (AssistantMsg::Forgotten, En) => {
                "🧹 Done: I forgot our conversation. Your next question starts afresh.".to_owned()
            }
            (AssistantMsg::Forgotten, Fr) => {
                "🧹 C'est fait : j'ai oublié notre conversation. Votre prochaine question repart de zéro."
                    .to_owned()
            }
            (AssistantMsg::Failed(failure), En) => match failure {
                JobFailure::AssistantOff => AssistantMsg::Off.render(En),
                JobFailure::KeyRefused => "⚠️ I could not answer: the AI service refused Linklet's access key. \
                     The operator has been alerted; please try again later."
                    .to_owned(),
                JobFailure::QuestionRefused => "⚠️ The AI service could not handle that question. \
                     Try rephrasing it, or send /reset to start a new conversation."
                    .to_owned(),
                JobFailure::NoAnswer => "⚠️ I got stuck on that one and have no answer. \
                     Try asking it more simply, or send /reset to start afresh."
                    .to_owned(),
                JobFailure::GaveUp => "⚠️ The AI service is not answering right now, so I could not answer \
                     your last question after several tries. Please ask again in a few minutes."
                    .to_owned(),
            },
            (AssistantMsg::Failed(failure), Fr) => match failure {
                JobFailure::AssistantOff => AssistantMsg::Off.render(Fr),
                JobFailure::KeyRefused => "⚠️ Je n'ai pas pu répondre : le service d'IA a refusé la clé \
                     d'accès de Linklet. L'opérateur est prévenu ; réessayez plus tard."
                    .to_owned(),
                JobFailure::QuestionRefused => "⚠️ Le service d'IA n'a pas pu traiter cette question. \
                     Reformulez-la, ou envoyez /reset pour repartir de zéro."
                    .to_owned(),
                JobFailure::NoAnswer => "⚠️ Je bloque sur celle-ci et n'ai pas de réponse. \
                     Posez-la plus simplement, ou envoyez /reset pour repartir de zéro."
                    .to_owned(),
                JobFailure::GaveUp => "⚠️ Le service d'IA ne répond pas en ce moment : je n'ai pas pu \
                     répondre à votre dernière question malgré plusieurs essais. Reposez-la dans quelques minutes."
                    .to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presentation::telegram_html::check;

    #[test]
    fn every_text_is_translated_and_valid_html() {
        let failures = [
            JobFailure::AssistantOff,
            JobFailure::KeyRefused,
            JobFailure::QuestionRefused,
            JobFailure::NoAnswer,
            JobFailure::GaveUp,
        ];
        let mut all = vec![
            AssistantMsg::Usage,
            AssistantMsg::Off,
            AssistantMsg::QuotaReached { limit: 20, resets_at: Utc::now(), tz: TimeZone::UTC },
            AssistantMsg::Forgotten,
        ];
        all.extend(failures.map(AssistantMsg::Failed));
        for msg in all {
            let (en, fr) = (msg.render(Language::En), msg.render(Language::Fr));
            assert_ne!(en, fr, "{msg:?}");
            check(&en).unwrap();
            check(&fr).unwrap();
        }
    }
}
