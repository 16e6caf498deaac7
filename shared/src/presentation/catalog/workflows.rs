//! The texts of workflows: the list, a workflow's menu, its history, the run
//! card, and every refusal, in English and French.

use chrono::{DateTime, Utc};

use super::{escape, tasks::when as local_time};
use crate::domain::{
    Language, TimeZone,
    workflow::{
        FieldError, Problem, Trigger, Workflow, WorkflowNumber,
        hook::SignatureScheme,
        run::{Run, RunStatus, StepRun, StepStatus},
        schedule::ScheduleError,
    },
};

#[derive(Debug, Clone)]
pub enum WorkflowMsg<'a> {
    /// `/workflows` with none yet.
    NoWorkflows,
    /// The list's title.
    ListTitle {
        count: usize,
        page: usize,
        pages: usize,
    },
    /// One workflow's menu: what it is, its triggers, its last run.
    Menu {
        workflow: &'a Workflow,
        last: Option<&'a Run>,
        tz: TimeZone,
    },
    /// Its last runs.
    History {
        workflow: &'a Workflow,
        runs: &'a [Run],
        tz: TimeZone,
    },
    /// One run in full.
    RunDetail {
        run: &'a Run,
        tz: TimeZone,
    },
    Saved {
        workflow: &'a Workflow,
    },
    Invalid(&'a FieldError),
    TooMany {
        limit: u32,
    },
    CommandTaken {
        command: &'a str,
        by: WorkflowNumber,
    },
    DailyRunsUsed {
        limit: u32,
        resets_at: DateTime<Utc>,
        tz: TimeZone,
    },
    NoSuchWorkflow {
        input: &'a str,
    },
    RunUsage,
    WorkflowUsage,
    ImportUsage,
    Started {
        name: &'a str,
    },
    Enabled {
        name: &'a str,
        active: bool,
    },
    ConfirmDelete {
        name: &'a str,
    },
    Deleted {
        name: &'a str,
    },
    /// A tap on a run that cannot do it now (a retry of a run that succeeded…).
    RunNotNow(RunStatus),
    RunGone,
    Cancelled,
    Retrying,
    ExportCaption {
        name: &'a str,
    },
    /// A hook's URL, shown once; `base` is `None` when the public URL is unknown.
    HookUrl {
        name: &'a str,
        base: Option<&'a str>,
        path: &'a str,
        signature: Option<SignatureScheme>,
        number: WorkflowNumber,
    },
    SecretSet {
        name: &'a str,
    },
    /// A schedule that could not be read, or runs too often.
    ScheduleRefused {
        every: &'a str,
        error: &'a ScheduleError,
    },
    SecretNoHook,
    SecretVaultOff,
    SecretUsage,
    ButtonNewHookUrl,
    ButtonCopyUrl,
    ButtonApprove,
    ButtonReject,
    /// The approval's question once answered.
    Answered {
        question: &'a str,
        approved: bool,
        by: &'a str,
    },
    AlreadyAnswered,
    ApprovalNotYours,
    // Buttons.
    ButtonRun,
    ButtonEnable,
    ButtonDisable,
    ButtonHistory,
    ButtonExport,
    ButtonDelete,
    ButtonConfirmDelete,
    ButtonBack,
    ButtonRetry,
    ButtonRunAgain,
    ButtonCancelRun,
}

impl WorkflowMsg<'_> {
    pub fn render(&self, lang: Language) -> String {
        use Language::{En, Fr};
        match (self, lang) {
            (WorkflowMsg::NoWorkflows, En) => "You have no workflows yet. A workflow runs steps for you (send a message, \
                 ask the AI, call a URL…) when you type a command, a keyword, on a schedule or when a URL is called.\n\
                 Create one with /newworkflow, or send me a workflow's JSON document."
                .to_owned(),
            (WorkflowMsg::NoWorkflows, Fr) => "Vous n'avez pas encore de workflow. Un workflow exécute des étapes pour vous \
                 (envoyer un message, interroger l'IA, appeler une URL…) quand vous tapez une commande, un mot-clé, \
                 selon un horaire ou quand une URL est appelée.\n\
                 Créez-en un avec /newworkflow, ou envoyez-moi le document JSON d'un workflow."
                .to_owned(),
            (WorkflowMsg::ListTitle { count, page, pages }, _) => {
                let title = match lang {
                    En => format!("⚙️ <b>Your workflows</b> ({count})"),
                    Fr => format!("⚙️ <b>Vos workflows</b> ({count})"),
                };
                if *pages > 1 { format!("{title} — {page}/{pages}") } else { title }
            }
            (WorkflowMsg::Menu { workflow, last, tz }, _) => menu(workflow, *last, *tz, lang),
            (WorkflowMsg::History { workflow, runs, tz }, _) => history(workflow, runs, *tz, lang),
            (WorkflowMsg::RunDetail { run, tz }, _) => run_detail(run, *tz, lang),
            (WorkflowMsg::Saved { workflow }, En) => format!(
                "✅ Workflow <b>#{} {}</b> saved{}. {}",
                workflow.number.0,
                escape(workflow.name()),
                if workflow.active { "" } else { " (off)" },
                starts(workflow, lang)
            ),
            (WorkflowMsg::Saved { workflow }, Fr) => format!(
                "✅ Workflow <b>#{} {}</b> enregistré{}. {}",
                workflow.number.0,
                escape(workflow.name()),
                if workflow.active { "" } else { " (désactivé)" },
                starts(workflow, lang)
            ),
            (WorkflowMsg::Invalid(e), En) => {
                format!("⚠️ Not saved: <code>{}</code> {}.", escape(&e.field), problem(&e.problem, lang))
            }
            (WorkflowMsg::Invalid(e), Fr) => {
                format!("⚠️ Non enregistré : <code>{}</code> {}.", escape(&e.field), problem(&e.problem, lang))
            }
            (WorkflowMsg::TooMany { limit }, En) => format!(
                "You have {limit} workflows, the most your plan allows. Delete one in /workflows to make room."
            ),
            (WorkflowMsg::TooMany { limit }, Fr) => format!(
                "Vous avez {limit} workflows, le maximum de votre formule. Supprimez-en un dans /workflows pour faire de la place."
            ),
            (WorkflowMsg::CommandTaken { command, by }, En) => format!(
                "⚠️ Not saved: /{} already starts your workflow #{}.",
                escape(command),
                by.0
            ),
            (WorkflowMsg::CommandTaken { command, by }, Fr) => format!(
                "⚠️ Non enregistré : /{} lance déjà votre workflow n°{}.",
                escape(command),
                by.0
            ),
            (WorkflowMsg::DailyRunsUsed { limit, resets_at, tz }, En) => format!(
                "Your {limit} workflow runs of the day are used up; more from {}.",
                local_time(*resets_at, *tz, lang)
            ),
            (WorkflowMsg::DailyRunsUsed { limit, resets_at, tz }, Fr) => format!(
                "Vos {limit} exécutions de workflows du jour sont épuisées ; de nouveau à partir de {}.",
                local_time(*resets_at, *tz, lang)
            ),
            (WorkflowMsg::NoSuchWorkflow { input }, En) => {
                format!("You have no workflow <code>{}</code>. /workflows lists yours.", escape(input))
            }
            (WorkflowMsg::NoSuchWorkflow { input }, Fr) => {
                format!("Vous n'avez pas de workflow <code>{}</code>. /workflows liste les vôtres.", escape(input))
            }
            (WorkflowMsg::RunUsage, En) => {
                "Which workflow? <code>/run 2</code> or <code>/run Morning summary</code>; /workflows lists yours.".to_owned()
            }
            (WorkflowMsg::RunUsage, Fr) => "Quel workflow ? <code>/run 2</code> ou <code>/run Résumé du matin</code> ; \
                 /workflows liste les vôtres."
                .to_owned(),
            (WorkflowMsg::WorkflowUsage, En) => "<code>/workflow export 2</code> sends workflow 2 as a file; \
                 <code>/workflow import</code> followed by a JSON document (or the document sent as a file) adds one; \
                 /workflows lists yours."
                .to_owned(),
            (WorkflowMsg::WorkflowUsage, Fr) => "<code>/workflow export 2</code> envoie le workflow 2 en fichier ; \
                 <code>/workflow import</code> suivi d'un document JSON (ou le document envoyé en fichier) en ajoute un ; \
                 /workflows liste les vôtres."
                .to_owned(),
            (WorkflowMsg::ImportUsage, En) => "Paste the workflow's JSON document after <code>/workflow import</code>, \
                 or send it as a file."
                .to_owned(),
            (WorkflowMsg::ImportUsage, Fr) => "Collez le document JSON du workflow après <code>/workflow import</code>, \
                 ou envoyez-le en fichier."
                .to_owned(),
            (WorkflowMsg::Started { name }, En) => format!("▶️ {} started.", escape(name)),
            (WorkflowMsg::Started { name }, Fr) => format!("▶️ {} lancé.", escape(name)),
            (WorkflowMsg::Enabled { name, active: true }, En) => format!("{} is on.", escape(name)),
            (WorkflowMsg::Enabled { name, active: true }, Fr) => format!("{} est activé.", escape(name)),
            (WorkflowMsg::Enabled { name, active: false }, En) => {
                format!("{} is off: its triggers start nothing until you turn it on.", escape(name))
            }
            (WorkflowMsg::Enabled { name, active: false }, Fr) => format!(
                "{} est désactivé : ses déclencheurs ne lancent rien tant que vous ne le réactivez pas.",
                escape(name)
            ),
            (WorkflowMsg::ConfirmDelete { name }, En) => {
                format!("Delete the workflow <b>{}</b> and its history?", escape(name))
            }
            (WorkflowMsg::ConfirmDelete { name }, Fr) => {
                format!("Supprimer le workflow <b>{}</b> et son historique ?", escape(name))
            }
            (WorkflowMsg::Deleted { name }, En) => format!("🗑 Workflow <b>{}</b> deleted.", escape(name)),
            (WorkflowMsg::Deleted { name }, Fr) => format!("🗑 Workflow <b>{}</b> supprimé.", escape(name)),
            (WorkflowMsg::RunNotNow(status), En) => format!("Nothing to do: this run is {}.", status_word(*status, lang)),
            (WorkflowMsg::RunNotNow(status), Fr) => {
                format!("Rien à faire : cette exécution est {}.", status_word(*status, lang))
            }
            (WorkflowMsg::RunGone, En) => "This run is no longer kept (runs are kept 30 days).".to_owned(),
            (WorkflowMsg::RunGone, Fr) => "Cette exécution n'est plus conservée (30 jours).".to_owned(),
            (WorkflowMsg::Cancelled, En) => "Run cancelled.".to_owned(),
            (WorkflowMsg::Cancelled, Fr) => "Exécution annulée.".to_owned(),
            (WorkflowMsg::Retrying, En) => "Retrying from the failed step.".to_owned(),
            (WorkflowMsg::Retrying, Fr) => "Nouvel essai depuis l'étape en échec.".to_owned(),
            (WorkflowMsg::ExportCaption { name }, En) => {
                format!("{}: paste it back to me (or after /workflow import) to make a copy.", escape(name))
            }
            (WorkflowMsg::ExportCaption { name }, Fr) => {
                format!("{} : recollez-le-moi (ou après /workflow import) pour en faire une copie.", escape(name))
            }
            (WorkflowMsg::HookUrl { name, base, path, signature, number }, _) => {
                hook_url(name, *base, path, *signature, *number, lang)
            }
            (WorkflowMsg::SecretSet { name }, En) => format!(
                "🔐 Signing secret set for <b>{}</b>; I deleted your message. Calls without a valid signature get 401.",
                escape(name)
            ),
            (WorkflowMsg::SecretSet { name }, Fr) => format!(
                "🔐 Secret de signature enregistré pour <b>{}</b> ; j'ai supprimé votre message. Les appels sans signature valide reçoivent 401.",
                escape(name)
            ),
            (WorkflowMsg::ScheduleRefused { every, error }, _) => {
                let why = schedule_problem(error, lang);
                match lang {
                    En => format!(
                        "⚠️ Not saved: the schedule “{}”: {why}. Write it as for a task (<code>every weekday at 8</code>, \
                         <code>every 15 minutes</code>) or as cron (<code>cron 0 8 * * 1-5</code>).",
                        escape(every)
                    ),
                    Fr => format!(
                        "⚠️ Non enregistré : l'horaire « {} » : {why}. Écrivez-le comme pour une tâche \
                         (<code>tous les jours à 8h</code>, <code>toutes les 15 minutes</code>) ou en cron \
                         (<code>cron 0 8 * * 1-5</code>).",
                        escape(every)
                    ),
                }
            }
            (WorkflowMsg::SecretNoHook, En) => "That workflow has no webhook trigger.".to_owned(),
            (WorkflowMsg::SecretNoHook, Fr) => "Ce workflow n'a pas de déclencheur webhook.".to_owned(),
            (WorkflowMsg::SecretVaultOff, En) => {
                "Secrets cannot be kept on this Linklet yet (no encryption key is configured).".to_owned()
            }
            (WorkflowMsg::SecretVaultOff, Fr) => {
                "Les secrets ne peuvent pas encore être conservés sur ce Linklet (aucune clé de chiffrement configurée).".to_owned()
            }
            (WorkflowMsg::SecretUsage, En) => "<code>/workflow secret 2 &lt;secret&gt;</code> in this private chat sets \
                 the secret workflow 2's webhook signatures are checked with."
                .to_owned(),
            (WorkflowMsg::SecretUsage, Fr) => "<code>/workflow secret 2 &lt;secret&gt;</code> dans cette discussion privée \
                 enregistre le secret avec lequel les signatures du webhook du workflow 2 sont vérifiées."
                .to_owned(),
            (WorkflowMsg::ButtonNewHookUrl, En) => "🔗 New webhook URL".to_owned(),
            (WorkflowMsg::ButtonNewHookUrl, Fr) => "🔗 Nouvelle URL de webhook".to_owned(),
            (WorkflowMsg::ButtonApprove, En) => "✅ Approve".to_owned(),
            (WorkflowMsg::ButtonApprove, Fr) => "✅ Approuver".to_owned(),
            (WorkflowMsg::ButtonReject, En) => "❌ Reject".to_owned(),
            (WorkflowMsg::ButtonReject, Fr) => "❌ Refuser".to_owned(),
            (WorkflowMsg::Answered { question, approved: true, by }, En) => {
                format!("❓ {}\n✅ Approved by {}.", escape(question), escape(by))
            }
            (WorkflowMsg::Answered { question, approved: true, by }, Fr) => {
                format!("❓ {}\n✅ Approuvé par {}.", escape(question), escape(by))
            }
            (WorkflowMsg::Answered { question, approved: false, by }, En) => {
                format!("❓ {}\n❌ Rejected by {}.", escape(question), escape(by))
            }
            (WorkflowMsg::Answered { question, approved: false, by }, Fr) => {
                format!("❓ {}\n❌ Refusé par {}.", escape(question), escape(by))
            }
            (WorkflowMsg::AlreadyAnswered, En) => "Already answered, or no longer waiting: nothing changed.".to_owned(),
            (WorkflowMsg::AlreadyAnswered, Fr) => "Déjà répondu, ou plus en attente : rien n'a changé.".to_owned(),
            (WorkflowMsg::ApprovalNotYours, En) => "Only the workflow's owner can answer this.".to_owned(),
            (WorkflowMsg::ApprovalNotYours, Fr) => "Seul le propriétaire du workflow peut répondre.".to_owned(),
            (WorkflowMsg::ButtonCopyUrl, En) => "📋 Copy the URL".to_owned(),
            (WorkflowMsg::ButtonCopyUrl, Fr) => "📋 Copier l'URL".to_owned(),
            (WorkflowMsg::ButtonRun, En) => "▶️ Run".to_owned(),
            (WorkflowMsg::ButtonRun, Fr) => "▶️ Lancer".to_owned(),
            (WorkflowMsg::ButtonEnable, En) => "Turn on".to_owned(),
            (WorkflowMsg::ButtonEnable, Fr) => "Activer".to_owned(),
            (WorkflowMsg::ButtonDisable, En) => "Turn off".to_owned(),
            (WorkflowMsg::ButtonDisable, Fr) => "Désactiver".to_owned(),
            (WorkflowMsg::ButtonHistory, En) => "🕘 History".to_owned(),
            (WorkflowMsg::ButtonHistory, Fr) => "🕘 Historique".to_owned(),
            (WorkflowMsg::ButtonExport, En) => "📤 Export".to_owned(),
            (WorkflowMsg::ButtonExport, Fr) => "📤 Exporter".to_owned(),
            (WorkflowMsg::ButtonDelete, En) => "🗑 Delete".to_owned(),
            (WorkflowMsg::ButtonDelete, Fr) => "🗑 Supprimer".to_owned(),
            (WorkflowMsg::ButtonConfirmDelete, En) => "🗑 Yes, delete".to_owned(),
            (WorkflowMsg::ButtonConfirmDelete, Fr) => "🗑 Oui, supprimer".to_owned(),
            (WorkflowMsg::ButtonBack, En) => "« Back".to_owned(),
            (WorkflowMsg::ButtonBack, Fr) => "« Retour".to_owned(),
            (WorkflowMsg::ButtonRetry, En) => "🔁 Retry from the failed step".to_owned(),
            (WorkflowMsg::ButtonRetry, Fr) => "🔁 Reprendre à l'étape en échec".to_owned(),
            (WorkflowMsg::ButtonRunAgain, En) => "▶️ Run again".to_owned(),
            (WorkflowMsg::ButtonRunAgain, Fr) => "▶️ Relancer".to_owned(),
            (WorkflowMsg::ButtonCancelRun, En) => "⏹ Cancel".to_owned(),
            (WorkflowMsg::ButtonCancelRun, Fr) => "⏹ Annuler".to_owned(),
        }
    }
}

/// What starts a workflow, in a few words.
pub fn trigger_words(trigger: &Trigger, lang: Language) -> String {
    match (trigger, lang) {
        (Trigger::Command { name }, _) => format!("/{}", escape(name)),
        (Trigger::Keyword { phrase }, En) => format!("the keyword “{}”", escape(phrase)),
        (Trigger::Keyword { phrase }, Fr) => format!("le mot-clé « {} »", escape(phrase)),
        (Trigger::Manual, En) => "the Run button".to_owned(),
        (Trigger::Manual, Fr) => "le bouton Lancer".to_owned(),
        (Trigger::Schedule { every }, En) => format!("the schedule “{}”", escape(every)),
        (Trigger::Schedule { every }, Fr) => format!("l'horaire « {} »", escape(every)),
        (Trigger::Webhook { .. }, En) => "its webhook URL".to_owned(),
        (Trigger::Webhook { .. }, Fr) => "son URL de webhook".to_owned(),
    }
}

use Language::{En, Fr};

fn starts(workflow: &Workflow, lang: Language) -> String {
    let triggers: Vec<String> = workflow.definition.triggers.iter().map(|t| trigger_words(t, lang)).collect();
    let run = format!("<code>/run {}</code>", workflow.number.0);
    match (triggers.is_empty(), lang) {
        (true, En) => format!("Start it with {run}."),
        (true, Fr) => format!("Lancez-le avec {run}."),
        (false, En) => format!("Started by {}, or {run}.", triggers.join(", ")),
        (false, Fr) => format!("Lancé par {}, ou {run}.", triggers.join(", ")),
    }
}

fn hook_url(
    name: &str,
    base: Option<&str>,
    path: &str,
    signature: Option<SignatureScheme>,
    number: WorkflowNumber,
    lang: Language,
) -> String {
    let url = match base {
        Some(base) => format!("<code>{}{}</code>", escape(base), escape(path)),
        None => match lang {
            En => format!("<code>&lt;this Linklet's address&gt;{}</code>", escape(path)),
            Fr => format!("<code>&lt;l'adresse de ce Linklet&gt;{}</code>", escape(path)),
        },
    };
    let mut text = match lang {
        En => format!(
            "🔗 Webhook URL of <b>{}</b>:\n{url}\nPOST JSON, a form or text to it: each call starts a run and is \
             answered <code>202</code> with the run's id. I show it only now, so keep it (and keep it secret); \
             <i>New webhook URL</i> in the workflow's menu replaces it and this one stops working.",
            escape(name)
        ),
        Fr => format!(
            "🔗 URL de webhook de <b>{}</b> :\n{url}\nEnvoyez-y du JSON, un formulaire ou du texte en POST : chaque appel \
             lance une exécution et reçoit <code>202</code> avec son identifiant. Je ne la montre que maintenant : \
             gardez-la (et gardez-la secrète) ; <i>Nouvelle URL de webhook</i> dans le menu du workflow la remplace \
             et celle-ci cesse de fonctionner.",
            escape(name)
        ),
    };
    if let Some(scheme) = signature {
        let sender = match scheme {
            SignatureScheme::Github => "GitHub (X-Hub-Signature-256)",
            SignatureScheme::StandardWebhooks => "Standard Webhooks (webhook-signature)",
        };
        text.push_str(&match lang {
            En => format!(
                "\nOnly calls signed the {sender} way are accepted: set the secret with \
                 <code>/workflow secret {} &lt;secret&gt;</code>.",
                number.0
            ),
            Fr => format!(
                "\nSeuls les appels signés à la manière {sender} sont acceptés : enregistrez le secret avec \
                 <code>/workflow secret {} &lt;secret&gt;</code>.",
                number.0
            ),
        });
    }
    text
}

/// Why a schedule was refused, in words.
pub fn schedule_problem(error: &ScheduleError, lang: Language) -> String {
    match (error, lang) {
        (ScheduleError::Unreadable, En) => "I could not read it".to_owned(),
        (ScheduleError::Unreadable, Fr) => "je n'ai pas su le lire".to_owned(),
        (ScheduleError::NotRepeating, En) => "a schedule repeats: say how often".to_owned(),
        (ScheduleError::NotRepeating, Fr) => "un horaire se répète : dites à quelle fréquence".to_owned(),
        (ScheduleError::TooOften(m), En) => format!("your plan allows at most one run every {m} minutes"),
        (ScheduleError::TooOften(m), Fr) => {
            format!("votre formule permet au plus une exécution toutes les {m} minutes")
        }
        (ScheduleError::NeverOccurs, En) => "it never occurs".to_owned(),
        (ScheduleError::NeverOccurs, Fr) => "il ne se produit jamais".to_owned(),
        (ScheduleError::BadCron(detail), _) => format!("cron: {}", escape(detail)),
    }
}

fn problem(p: &Problem, lang: Language) -> String {
    match (p, lang) {
        (Problem::Missing, En) => "is missing".to_owned(),
        (Problem::Missing, Fr) => "manque".to_owned(),
        (Problem::Empty, En) => "is empty".to_owned(),
        (Problem::Empty, Fr) => "est vide".to_owned(),
        (Problem::TooLong(n), En) => format!("is longer than {n} characters"),
        (Problem::TooLong(n), Fr) => format!("dépasse {n} caractères"),
        (Problem::TooMany(n), En) => format!("has more than {n} entries"),
        (Problem::TooMany(n), Fr) => format!("a plus de {n} éléments"),
        (Problem::BadCommandName, En) => "may hold only letters, digits and _".to_owned(),
        (Problem::BadCommandName, Fr) => "ne peut contenir que des lettres, des chiffres et _".to_owned(),
        (Problem::BuiltInCommand, En) => "is one of Linklet's own commands".to_owned(),
        (Problem::BuiltInCommand, Fr) => "est une commande de Linklet".to_owned(),
        (Problem::Duplicate, En) => "is used twice".to_owned(),
        (Problem::Duplicate, Fr) => "est utilisé deux fois".to_owned(),
        (Problem::UnknownKind(kind), En) => format!("is not a kind I know (<code>{}</code>)", escape(kind)),
        (Problem::UnknownKind(kind), Fr) => {
            format!("n'est pas un type que je connais (<code>{}</code>)", escape(kind))
        }
        (Problem::Invalid(why), En) => format!("is not valid: {}", escape(why)),
        (Problem::Invalid(why), Fr) => format!("n'est pas valide : {}", escape(why)),
    }
}

fn status_word(status: RunStatus, lang: Language) -> &'static str {
    match (status, lang) {
        (RunStatus::Queued, En) => "queued",
        (RunStatus::Queued, Fr) => "en attente",
        (RunStatus::Running, En) => "running",
        (RunStatus::Running, Fr) => "en cours",
        (RunStatus::Waiting, En) => "waiting",
        (RunStatus::Waiting, Fr) => "en pause",
        (RunStatus::Succeeded, En) => "succeeded",
        (RunStatus::Succeeded, Fr) => "réussie",
        (RunStatus::Failed, En) => "failed",
        (RunStatus::Failed, Fr) => "en échec",
        (RunStatus::Cancelled, En) => "cancelled",
        (RunStatus::Cancelled, Fr) => "annulée",
    }
}

fn status_mark(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Queued | RunStatus::Running => "⏳",
        RunStatus::Waiting => "⏸",
        RunStatus::Succeeded => "✅",
        RunStatus::Failed => "❌",
        RunStatus::Cancelled => "⏹",
    }
}

fn step_mark(step: &StepRun) -> &'static str {
    match step.status {
        StepStatus::Pending => "·",
        StepStatus::Running => "⏳",
        StepStatus::Waiting => "⏸",
        StepStatus::Succeeded => "✓",
        StepStatus::Failed => "✗",
        StepStatus::Skipped => "–",
    }
}

fn seconds(d: chrono::Duration) -> String {
    let ms = d.num_milliseconds().max(0);
    if ms < 10_000 { format!("{:.1} s", ms as f64 / 1000.0) } else { format!("{} s", ms / 1000) }
}

/// A run's card: a line per step, and how the run stands.
pub fn card(run: &Run, lang: Language, _tz: TimeZone) -> String {
    let mut lines = vec![format!("{} <b>{}</b>", status_mark(run.status), escape(&run.name))];
    for step in &run.steps {
        let mut line = format!("{} {}", step_mark(step), escape(&step.name));
        if let Some(took) = step.duration() {
            line.push_str(&format!(" — {}", seconds(took)));
        }
        if let (StepStatus::Failed | StepStatus::Running, Some(error)) = (step.status, &step.error) {
            line.push_str(&format!("\n   <i>{}</i>", escape(&clip(error, 300))));
        }
        lines.push(line);
    }
    let ending = match (run.status, lang) {
        (RunStatus::Succeeded, En) => format!("Done in {}.", seconds(run.duration().unwrap_or_default())),
        (RunStatus::Succeeded, Fr) => format!("Terminé en {}.", seconds(run.duration().unwrap_or_default())),
        (RunStatus::Failed, _) => {
            let failed = run.failed_step().map(|i| escape(&run.steps[i].name)).unwrap_or_default();
            match lang {
                En => format!("Failed at step <b>{failed}</b>."),
                Fr => format!("Échec à l'étape <b>{failed}</b>."),
            }
        }
        (status, _) => {
            let word = status_word(status, lang);
            let mut word = word.to_owned();
            if let Some(first) = word.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            format!("{word}…")
        }
    };
    lines.push(ending);
    if run.trigger.late {
        lines.push(match lang {
            En => "<i>Late: this scheduled run was missed while Linklet was down.</i>".to_owned(),
            Fr => "<i>En retard : cette exécution prévue a été manquée pendant une panne de Linklet.</i>"
                .to_owned(),
        });
    }
    lines.join("\n")
}

fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(chars).collect();
    clipped.push('…');
    clipped
}

fn menu(workflow: &Workflow, last: Option<&Run>, tz: TimeZone, lang: Language) -> String {
    let d = &workflow.definition;
    let mut lines = vec![format!("⚙️ <b>#{} {}</b>", workflow.number.0, escape(&d.name))];
    if !d.description.is_empty() {
        lines.push(escape(&d.description));
    }
    lines.push(match (workflow.active, lang) {
        (true, En) => "On.".to_owned(),
        (true, Fr) => "Activé.".to_owned(),
        (false, En) => "Off: its triggers start nothing.".to_owned(),
        (false, Fr) => "Désactivé : ses déclencheurs ne lancent rien.".to_owned(),
    });
    lines.push(starts(workflow, lang));
    if let Some(schedule) = workflow.schedule.as_ref().filter(|_| workflow.active) {
        lines.push(match lang {
            En => format!("Next run: {}.", local_time(schedule.next, tz, lang)),
            Fr => format!("Prochaine exécution : {}.", local_time(schedule.next, tz, lang)),
        });
    }
    let steps: Vec<String> = d
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {} <i>({})</i>", i + 1, escape(&s.name), escape(&s.kind)))
        .collect();
    lines.push(steps.join("\n"));
    if let Some(run) = last {
        lines.push(match lang {
            En => format!("Last run: {} {}", status_mark(run.status), local_time(run.created_at, tz, lang)),
            Fr => format!(
                "Dernière exécution : {} {}",
                status_mark(run.status),
                local_time(run.created_at, tz, lang)
            ),
        });
    }
    lines.join("\n")
}

fn history(workflow: &Workflow, runs: &[Run], tz: TimeZone, lang: Language) -> String {
    let title = match lang {
        En => format!("🕘 <b>{}</b>: last runs", escape(workflow.name())),
        Fr => format!("🕘 <b>{}</b> : dernières exécutions", escape(workflow.name())),
    };
    if runs.is_empty() {
        return match lang {
            En => format!("{title}\nNo runs in the last 30 days."),
            Fr => format!("{title}\nAucune exécution ces 30 derniers jours."),
        };
    }
    let lines: Vec<String> = runs
        .iter()
        .enumerate()
        .map(|(i, run)| {
            format!(
                "{}. {} {} — {}",
                i + 1,
                status_mark(run.status),
                local_time(run.created_at, tz, lang),
                escape(&run.trigger.kind)
            )
        })
        .collect();
    format!("{title}\n{}", lines.join("\n"))
}

fn run_detail(run: &Run, tz: TimeZone, lang: Language) -> String {
    let mut lines = vec![card(run, lang, tz)];
    let started = local_time(run.created_at, tz, lang);
    lines.push(match lang {
        En => format!("Started {started} by {}, version {}.", escape(&run.trigger.kind), run.version),
        Fr => format!("Lancée {started} par {}, version {}.", escape(&run.trigger.kind), run.version),
    });
    for step in &run.steps {
        if step.input.is_none() && step.output.is_none() {
            continue;
        }
        lines.push(format!("<b>{}</b>", escape(&step.name)));
        if let Some(input) = &step.input {
            lines.push(format!("→ <code>{}</code>", escape(&clip(&input.to_string(), 600))));
        }
        if let Some(output) = &step.output {
            lines.push(format!("← <code>{}</code>", escape(&clip(&output.to_string(), 600))));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use serde_json::json;

    use super::*;
    use crate::domain::{
        ChatId, TelegramId,
        workflow::{
            BUILT_IN_COMMANDS, Definition, StepDef,
            run::{Fired, Report},
        },
    };
    use crate::presentation::{catalog::COMMANDS, telegram_html::check};

    fn workflow() -> Workflow {
        let step = |name: &str| StepDef {
            name: name.into(),
            kind: "send_message".into(),
            fields: json!({ "text": "a <b> & c" }).as_object().unwrap().clone(),
        };
        Workflow {
            user: TelegramId(1),
            number: WorkflowNumber(2),
            definition: Definition {
                name: "Deploy <prod> & co".into(),
                description: "x < y".into(),
                triggers: vec![
                    Trigger::Command { name: "deploy".into() },
                    Trigger::Keyword { phrase: "<ship>".into() },
                    Trigger::Manual,
                ],
                steps: vec![step("tell"), step("check")],
            },
            active: true,
            version: 3,
            hook: None,
            schedule: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn workflow_texts_are_valid_html_in_both_languages() {
        let w = workflow();
        let at = Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).unwrap();
        let report = Report { chat: ChatId(1), thread: None, card: None, live: true };
        let fired = Fired::new("webhook", json!({ "body": "<x>" }));
        let mut run = Run::queued(w.user, w.number, w.name(), 3, &w.definition.steps, fired, report, at);
        run.status = RunStatus::Failed;
        run.steps[0].status = StepStatus::Succeeded;
        run.steps[0].started_at = Some(at);
        run.steps[0].finished_at = Some(at + chrono::Duration::milliseconds(420));
        run.steps[0].output = Some(json!({ "text": "<b>" }));
        run.steps[1].status = StepStatus::Failed;
        run.steps[1].error = Some("no variable steps.x <y>".into());
        run.finished_at = Some(at + chrono::Duration::seconds(2));
        let error = FieldError::new("steps[0].text", Problem::Invalid("template syntax: <oops>".into()));
        let tz = TimeZone::UTC;
        let runs = [run.clone()];
        for msg in [
            WorkflowMsg::NoWorkflows,
            WorkflowMsg::ListTitle { count: 9, page: 1, pages: 2 },
            WorkflowMsg::Menu { workflow: &w, last: Some(&run), tz },
            WorkflowMsg::History { workflow: &w, runs: &runs, tz },
            WorkflowMsg::History { workflow: &w, runs: &[], tz },
            WorkflowMsg::RunDetail { run: &run, tz },
            WorkflowMsg::Saved { workflow: &w },
            WorkflowMsg::Invalid(&error),
            WorkflowMsg::TooMany { limit: 5 },
            WorkflowMsg::CommandTaken { command: "de<ploy", by: WorkflowNumber(1) },
            WorkflowMsg::DailyRunsUsed { limit: 200, resets_at: at, tz },
            WorkflowMsg::NoSuchWorkflow { input: "<x>" },
            WorkflowMsg::RunUsage,
            WorkflowMsg::WorkflowUsage,
            WorkflowMsg::ImportUsage,
            WorkflowMsg::Started { name: "<x>" },
            WorkflowMsg::Enabled { name: "<x>", active: false },
            WorkflowMsg::ConfirmDelete { name: "<x>" },
            WorkflowMsg::Deleted { name: "<x>" },
            WorkflowMsg::RunNotNow(RunStatus::Succeeded),
            WorkflowMsg::ExportCaption { name: "<x>" },
            WorkflowMsg::HookUrl {
                name: "<x>",
                base: Some("https://a.b"),
                path: "/hooks/abc",
                signature: Some(SignatureScheme::Github),
                number: WorkflowNumber(2),
            },
            WorkflowMsg::HookUrl {
                name: "<x>",
                base: None,
                path: "/hooks/abc",
                signature: None,
                number: WorkflowNumber(2),
            },
            WorkflowMsg::SecretSet { name: "<x>" },
            WorkflowMsg::SecretUsage,
            WorkflowMsg::Answered { question: "<deploy>?", approved: false, by: "A&B" },
            WorkflowMsg::ScheduleRefused { every: "<x>", error: &ScheduleError::BadCron("<y>".into()) },
            WorkflowMsg::ScheduleRefused { every: "x", error: &ScheduleError::TooOften(5) },
        ] {
            for lang in Language::ALL {
                let text = msg.render(lang);
                check(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            }
        }
        let card = card(&run, Language::Fr, tz);
        assert!(card.contains("✓ tell — 0.4 s") && card.contains("✗ check"), "{card}");
        assert!(card.contains("Échec à l'étape <b>check</b>"), "{card}");
    }

    #[test]
    fn every_command_in_help_is_reserved_from_workflows() {
        for command in COMMANDS {
            assert!(BUILT_IN_COMMANDS.contains(&command), "{command}");
        }
    }
}
