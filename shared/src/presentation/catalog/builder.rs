//! The texts of the workflow builder (`/newworkflow`), in English and French.

use super::escape;
use crate::domain::{
    Language,
    workflow::{Definition, Problem},
};

#[derive(Debug, Clone)]
pub enum BuilderMsg<'a> {
    AskName,
    AskTrigger {
        name: &'a str,
    },
    AskCommand,
    AskKeyword,
    AskSchedule,
    /// What is built so far, and the question of the next step.
    AskStep {
        definition: &'a Definition,
    },
    /// The new step's field, with the variables it may use.
    AskField {
        kind: &'a str,
        variables: &'a [String],
    },
    /// A typed answer refused: why, and the same question again.
    Refused {
        problem: &'a Problem,
    },
    /// A schedule refused, with the reason in words.
    ScheduleRefused {
        why: &'a str,
    },
    TapAButton,
    Cancelled,
    Ended,
    ButtonTrigger(&'a str),
    ButtonStep(&'a str),
    ButtonSave,
    ButtonCancel,
}

impl BuilderMsg<'_> {
    pub fn render(&self, lang: Language) -> String {
        use Language::{En, Fr};
        match (self, lang) {
            (BuilderMsg::AskName, En) => "🛠 <b>New workflow.</b> What is its name? \
                 (Nothing is saved until you tap Save; /cancel stops.)"
                .to_owned(),
            (BuilderMsg::AskName, Fr) => "🛠 <b>Nouveau workflow.</b> Quel est son nom ? \
                 (Rien n'est enregistré avant que vous touchiez Enregistrer ; /cancel arrête.)"
                .to_owned(),
            (BuilderMsg::AskTrigger { name }, En) => format!("What starts <b>{}</b>?", escape(name)),
            (BuilderMsg::AskTrigger { name }, Fr) => format!("Qu'est-ce qui lance <b>{}</b> ?", escape(name)),
            (BuilderMsg::AskCommand, En) => {
                "Type the command, for example <code>deploy</code> (letters, digits and _).".to_owned()
            }
            (BuilderMsg::AskCommand, Fr) => {
                "Tapez la commande, par exemple <code>deploy</code> (lettres, chiffres et _).".to_owned()
            }
            (BuilderMsg::AskKeyword, En) => {
                "Type the word or phrase (any case, with or without accents) that starts it in a message to me.".to_owned()
            }
            (BuilderMsg::AskKeyword, Fr) => {
                "Tapez le mot ou la phrase (casse et accents indifférents) qui le lance dans un message.".to_owned()
            }
            (BuilderMsg::AskSchedule, En) => "When? As for a task: <code>every weekday at 8</code>, \
                 <code>every 15 minutes</code>, or cron: <code>cron 0 8 * * 1-5</code>."
                .to_owned(),
            (BuilderMsg::AskSchedule, Fr) => "Quand ? Comme pour une tâche : <code>tous les jours à 8h</code>, \
                 <code>toutes les 15 minutes</code>, ou en cron : <code>cron 0 8 * * 1-5</code>."
                .to_owned(),
            (BuilderMsg::AskStep { definition }, _) => {
                let mut lines = vec![format!("🛠 <b>{}</b>", escape(&definition.name))];
                for trigger in &definition.triggers {
                    lines.push(format!("• {}", super::workflows::trigger_words(trigger, lang)));
                }
                for (i, step) in definition.steps.iter().enumerate() {
                    lines.push(format!("{}. {} <i>({})</i>", i + 1, escape(&step.name), escape(&step.kind)));
                }
                lines.push(match (definition.steps.is_empty(), lang) {
                    (true, En) => "Add its first step:".to_owned(),
                    (true, Fr) => "Ajoutez sa première étape :".to_owned(),
                    (false, En) => "Add a step, or save:".to_owned(),
                    (false, Fr) => "Ajoutez une étape, ou enregistrez :".to_owned(),
                });
                lines.join("\n")
            }
            (BuilderMsg::AskField { kind, variables }, _) => {
                let ask = match (*kind, lang) {
                    ("send_message", En) => "Type the message to send.",
                    ("send_message", Fr) => "Tapez le message à envoyer.",
                    ("ai_prompt", En) => "Type the question for the AI.",
                    ("ai_prompt", Fr) => "Tapez la question pour l'IA.",
                    ("http_request", En) => "Type the URL to call (GET, https).",
                    ("http_request", Fr) => "Tapez l'URL à appeler (GET, https).",
                    ("condition", En) => "Type the condition, for example <code>trigger.text == 'prod'</code>; when false, the run stops.",
                    ("condition", Fr) => "Tapez la condition, par exemple <code>trigger.text == 'prod'</code> ; si elle est fausse, l'exécution s'arrête.",
                    ("wait", En) => "How long? For example <code>10 minutes</code> or <code>2 days</code> (at most 7).",
                    ("wait", Fr) => "Combien de temps ? Par exemple <code>10 minutes</code> ou <code>2 jours</code> (7 au plus).",
                    ("approval", En) => "Type the question to approve or reject.",
                    ("approval", Fr) => "Tapez la question à approuver ou refuser.",
                    _ => "",
                };
                let vars: Vec<String> = variables.iter().map(|v| format!("<code>{{{{ {} }}}}</code>", escape(v))).collect();
                match lang {
                    En => format!("{ask}\nVariables: {}", vars.join(", ")),
                    Fr => format!("{ask}\nVariables : {}", vars.join(", ")),
                }
            }
            (BuilderMsg::Refused { problem }, En) => format!("⚠️ That {}. Try again:", problem_words(problem, lang)),
            (BuilderMsg::Refused { problem }, Fr) => format!("⚠️ Cette réponse {}. Réessayez :", problem_words(problem, lang)),
            (BuilderMsg::ScheduleRefused { why }, En) => format!("⚠️ {}. Try again:", escape(why)),
            (BuilderMsg::ScheduleRefused { why }, Fr) => format!("⚠️ {}. Réessayez :", escape(why)),
            (BuilderMsg::TapAButton, En) => "Tap one of the buttons above (or /cancel).".to_owned(),
            (BuilderMsg::TapAButton, Fr) => "Touchez un des boutons ci-dessus (ou /cancel).".to_owned(),
            (BuilderMsg::Cancelled, En) => "Workflow builder stopped: nothing was saved.".to_owned(),
            (BuilderMsg::Cancelled, Fr) => "Création de workflow arrêtée : rien n'a été enregistré.".to_owned(),
            (BuilderMsg::Ended, En) => "This builder has ended; start again with /newworkflow.".to_owned(),
            (BuilderMsg::Ended, Fr) => "Cette création est terminée ; recommencez avec /newworkflow.".to_owned(),
            (BuilderMsg::ButtonTrigger(kind), _) => match (*kind, lang) {
                ("command", En) => "⌨️ A command",
                ("command", Fr) => "⌨️ Une commande",
                ("keyword", En) => "🔤 A keyword",
                ("keyword", Fr) => "🔤 Un mot-clé",
                ("schedule", En) => "⏰ A schedule",
                ("schedule", Fr) => "⏰ Un horaire",
                ("webhook", En) => "🔗 A webhook URL",
                ("webhook", Fr) => "🔗 Une URL de webhook",
                (_, En) => "▶️ Only the Run button",
                (_, Fr) => "▶️ Seulement le bouton Lancer",
            }
            .to_owned(),
            (BuilderMsg::ButtonStep(kind), _) => match (*kind, lang) {
                ("send_message", En) => "💬 Send a message",
                ("send_message", Fr) => "💬 Envoyer un message",
                ("ai_prompt", En) => "🤖 Ask the AI",
                ("ai_prompt", Fr) => "🤖 Interroger l'IA",
                ("http_request", _) => "🌐 HTTP",
                ("condition", En) => "🔀 Condition",
                ("condition", Fr) => "🔀 Condition",
                ("wait", En) => "⏳ Wait",
                ("wait", Fr) => "⏳ Attendre",
                (_, En) => "✋ Approval",
                (_, Fr) => "✋ Approbation",
            }
            .to_owned(),
            (BuilderMsg::ButtonSave, En) => "✅ Save".to_owned(),
            (BuilderMsg::ButtonSave, Fr) => "✅ Enregistrer".to_owned(),
            (BuilderMsg::ButtonCancel, En) => "✖️ Cancel".to_owned(),
            (BuilderMsg::ButtonCancel, Fr) => "✖️ Annuler".to_owned(),
        }
    }
}

fn problem_words(problem: &Problem, lang: Language) -> String {
    use Language::{En, Fr};
    match (problem, lang) {
        (Problem::Missing | Problem::Empty, En) => "is empty".to_owned(),
        (Problem::Missing | Problem::Empty, Fr) => "est vide".to_owned(),
        (Problem::TooLong(n), En) => format!("is longer than {n} characters"),
        (Problem::TooLong(n), Fr) => format!("dépasse {n} caractères"),
        (Problem::BadCommandName, En) => "may hold only letters, digits and _".to_owned(),
        (Problem::BadCommandName, Fr) => "ne peut contenir que des lettres, des chiffres et _".to_owned(),
        (Problem::BuiltInCommand, En) => "is one of Linklet's own commands".to_owned(),
        (Problem::BuiltInCommand, Fr) => "est une commande de Linklet".to_owned(),
        (Problem::Duplicate, En) => "is already used".to_owned(),
        (Problem::Duplicate, Fr) => "est déjà utilisée".to_owned(),
        (Problem::TooMany(n), En) => format!("goes over {n}"),
        (Problem::TooMany(n), Fr) => format!("dépasse {n}"),
        (Problem::UnknownKind(kind), En) => format!("is not a kind I know ({})", escape(kind)),
        (Problem::UnknownKind(kind), Fr) => format!("n'est pas un type connu ({})", escape(kind)),
        (Problem::Invalid(why), En) => format!("is not valid: {}", escape(why)),
        (Problem::Invalid(why), Fr) => format!("n'est pas valide : {}", escape(why)),
    }
}
