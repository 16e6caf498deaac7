//! The message catalog: every text a user reads, in English and French.
//!
//! Texts are Telegram HTML; values that come from users are escaped here.

pub mod admin;
pub mod assistant;
pub mod builder;
pub mod connect;
pub mod tasks;
pub mod workflows;

use chrono::{DateTime, Datelike, Utc};

use crate::domain::{Language, Tier, TimeZone, User};
pub use crate::presentation::telegram_html::{escape, plain_text};

/// The commands `/help` lists, in order.
pub const COMMANDS: [&str; 19] = [
    "start",
    "help",
    "settings",
    "profile",
    "task",
    "remind",
    "tasks",
    "done",
    "edit",
    "delete",
    "ask",
    "reset",
    "connect",
    "disconnect",
    "workflows",
    "newworkflow",
    "run",
    "workflow",
    "cancel",
];

/// A text of the catalog, with the values it shows.
#[derive(Debug, Clone)]
pub enum Msg<'a> {
    Welcome {
        first_name: &'a str,
    },
    Help,
    CommandDescription(&'a str),
    UnknownCommand {
        command: &'a str,
    },
    PlainTextNotUnderstood,
    /// `/command@bot` in a private chat, where that bot is not.
    CommandForAnotherBot {
        command: &'a str,
        bot: &'a str,
    },
    NotText,
    /// A command from an anonymous group admin (posting as the group).
    AnonymousSender,
    SettingsMenu {
        language: Language,
        timezone: TimeZone,
    },
    SettingsUsage,
    ChooseLanguage,
    ChooseTimeZone {
        current: TimeZone,
    },
    AskTimeZone,
    /// A newcomer's first question, under the welcome.
    AskTimeZoneFirst,
    /// Several zones fit what was typed.
    PickTimeZone {
        input: &'a str,
    },
    /// A shared location whose zone could not be told.
    LocationNoZone,
    /// A shared location in the zone the user has already.
    LocationSameZone {
        timezone: TimeZone,
        now: DateTime<Utc>,
    },
    /// A shared location in another zone than the user's: set it?
    LocationOffer {
        timezone: TimeZone,
        now: DateTime<Utc>,
    },
    ButtonUseZone {
        timezone: TimeZone,
    },
    /// After a zone change: `count` repeating tasks are on another zone's
    /// clock; the first, `title`, comes at `kept` on that clock and would come
    /// at `moment` on the new one at the same instant.
    FollowZoneQuestion {
        count: usize,
        title: &'a str,
        timezone: TimeZone,
        kept: &'a str,
        moment: &'a str,
    },
    ButtonTimeOfDay {
        time: &'a str,
    },
    ButtonSameMoment {
        time: &'a str,
    },
    /// `count` repeating tasks now keep their time of day in `timezone`.
    ZoneFollowed {
        count: usize,
        timezone: TimeZone,
    },
    /// The repeating tasks keep their instants.
    ZoneMomentsKept,
    /// Under a task confirmed before the user set a zone.
    TimesInUtc,
    ButtonSetTimeZone,
    LanguageSet {
        language: Language,
    },
    /// `/settings language` without a language.
    LanguageUsage,
    LanguageInvalid {
        input: &'a str,
    },
    TimeZoneSet {
        timezone: TimeZone,
        now: DateTime<Utc>,
    },
    TimeZoneInvalid {
        input: &'a str,
    },
    Profile {
        user: &'a User,
    },
    ButtonExpired,
    /// A button pressed by someone other than the user it was made for.
    NotYourButton,
    /// Handling the message failed in a way no retry fixes (a bug): nothing was done.
    Crashed,
    Saved,
    ButtonLanguage,
    ButtonTimeZone,
    ButtonOther,
    ButtonBack,
    TierName(Tier),
    /// Over the rate limit: `limit` updates per `window` seconds; answers resume in `wait` seconds.
    SlowDown {
        limit: u32,
        window: u32,
        wait: i64,
    },
    /// A tap over the taps' limit (a toast: under 200 characters).
    TapsSlowDown {
        wait: i64,
    },
}

impl Msg<'_> {
    pub fn render(&self, lang: Language) -> String {
        use Language::{En, Fr};
        match (self, lang) {
            (Msg::Welcome { first_name }, En) => format!(
                "👋 Hi <b>{}</b>! I'm Linklet, your automation hub on Telegram.\n\n\
                 I keep your tasks and reminders and answer your questions. \
                 Send /help to see every command, and /settings to change your language or time zone.",
                escape(first_name)
            ),
            (Msg::Welcome { first_name }, Fr) => format!(
                "👋 Bonjour <b>{}</b> ! Je suis Linklet, votre centre d'automatisation sur Telegram.\n\n\
                 Je garde vos tâches et rappels et réponds à vos questions. \
                 Envoyez /help pour voir toutes les commandes, et /settings pour changer de langue ou de fuseau horaire.",
                escape(first_name)
            ),
            (Msg::Help, _) => {
                let title = match lang {
                    En => "<b>What I can do</b>",
                    Fr => "<b>Ce que je sais faire</b>",
                };
                let lines: Vec<String> = COMMANDS
                    .iter()
                    .map(|c| format!("/{c} — {}", Msg::CommandDescription(c).render(lang)))
                    .collect();
                format!("{title}\n\n{}", lines.join("\n"))
            }
            (Msg::CommandDescription(command), En) => match *command {
                "start" => "welcome and registration",
                "help" => "this list of commands",
                "settings" => "your language and time zone",
                "profile" => "what Linklet knows about you",
                "task" => "add a task or reminder: /task call mom tomorrow 9am",
                "remind" => "the same as /task",
                "tasks" => "your pending tasks",
                "edit" => "change a task's time: /edit 3 tomorrow 10am",
                "done" => "finish a task: /done 3",
                "delete" => "delete a task: /delete 3",
                "ask" => "ask the assistant: /ask plan my Saturday",
                "reset" => "make the assistant forget our conversation",
                "connect" => "connect GitHub, Notion or n8n (private chat)",
                "disconnect" => "disconnect a service and delete its token",
                "workflows" => "your automations: run, turn on or off, history, export, delete",
                "newworkflow" => "build an automation step by step (private chat)",
                "run" => "run a workflow now: /run 2 or /run Morning summary",
                "workflow" => "import a workflow's JSON document, or export one: /workflow export 2",
                "cancel" => "stop what the bot is waiting for",
                _ => "",
            }
            .to_owned(),
            (Msg::CommandDescription(command), Fr) => match *command {
                "start" => "accueil et inscription",
                "help" => "cette liste de commandes",
                "settings" => "votre langue et votre fuseau horaire",
                "profile" => "ce que Linklet sait de vous",
                "task" => "ajouter une tâche ou un rappel : /task appeler maman demain 9h",
                "remind" => "comme /task",
                "tasks" => "vos tâches en cours",
                "edit" => "changer l'heure d'une tâche : /edit 3 demain 10h",
                "done" => "terminer une tâche : /done 3",
                "delete" => "supprimer une tâche : /delete 3",
                "ask" => "interroger l'assistant : /ask organise mon samedi",
                "reset" => "faire oublier notre conversation à l'assistant",
                "connect" => "connecter GitHub, Notion ou n8n (discussion privée)",
                "disconnect" => "déconnecter un service et supprimer son jeton",
                "workflows" => "vos automatisations : lancer, activer, historique, export, suppression",
                "newworkflow" => "créer une automatisation pas à pas (discussion privée)",
                "run" => "lancer un workflow : /run 2 ou /run Résumé du matin",
                "workflow" => "importer le document JSON d'un workflow, ou en exporter un : /workflow export 2",
                "cancel" => "arrêter ce que le bot attend",
                _ => "",
            }
            .to_owned(),
            (Msg::UnknownCommand { command }, En) => format!(
                "I don't know the command <code>/{}</code>. Send /help to see what I can do.",
                escape(command)
            ),
            (Msg::UnknownCommand { command }, Fr) => format!(
                "Je ne connais pas la commande <code>/{}</code>. Envoyez /help pour voir ce que je sais faire.",
                escape(command)
            ),
            (Msg::PlainTextNotUnderstood, En) => {
                "I only understand commands for now. Send /help to see them.".to_owned()
            }
            (Msg::PlainTextNotUnderstood, Fr) => {
                "Je ne comprends que les commandes pour l'instant. Envoyez /help pour les voir."
                    .to_owned()
            }
            (Msg::CommandForAnotherBot { command, bot }, En) => format!(
                "/{command}@{bot} is addressed to @{bot}, not to me, so I did nothing. Send /{command} \
                 without the @ and I will.",
                command = escape(command),
                bot = escape(bot)
            ),
            (Msg::CommandForAnotherBot { command, bot }, Fr) => format!(
                "/{command}@{bot} s'adresse à @{bot}, pas à moi : je n'ai rien fait. Envoyez /{command} \
                 sans le @ et je m'en occupe.",
                command = escape(command),
                bot = escape(bot)
            ),
            (Msg::NotText, En) => {
                "I can only read text messages for now. Send /help to see what I can do.".to_owned()
            }
            (Msg::NotText, Fr) => {
                "Je ne lis que les messages texte pour l'instant. Envoyez /help pour voir ce que je sais faire."
                    .to_owned()
            }
            (Msg::AnonymousSender, En) => "You are posting as the group, so I cannot tell who you are and \
                 keep nothing for you. Turn off “Remain anonymous” in your admin rights, or write to me \
                 in a private chat."
                .to_owned(),
            (Msg::AnonymousSender, Fr) => "Vous publiez au nom du groupe : je ne sais pas qui vous êtes et \
                 ne peux rien garder pour vous. Désactivez « Rester anonyme » dans vos droits \
                 d'administrateur, ou écrivez-moi en privé."
                .to_owned(),
            (Msg::SettingsMenu { language, timezone }, En) => format!(
                "⚙️ <b>Settings</b>\n\nLanguage: {language}\nTime zone: {timezone}\n\nWhat would you like to change?"
            ),
            (Msg::SettingsMenu { language, timezone }, Fr) => format!(
                "⚙️ <b>Réglages</b>\n\nLangue : {language}\nFuseau horaire : {timezone}\n\nQue voulez-vous changer ?"
            ),
            (Msg::SettingsUsage, En) => "Use /settings alone for the menu, or type a change directly:\n\
                 <code>/settings language fr</code>\n<code>/settings timezone Europe/Paris</code>"
                .to_owned(),
            (Msg::SettingsUsage, Fr) => "Envoyez /settings seul pour le menu, ou tapez directement un changement :\n\
                 <code>/settings language en</code>\n<code>/settings timezone Europe/Paris</code>"
                .to_owned(),
            (Msg::ChooseLanguage, En) => "🌐 Choose your language:".to_owned(),
            (Msg::ChooseLanguage, Fr) => "🌐 Choisissez votre langue :".to_owned(),
            (Msg::ChooseTimeZone { current }, En) => format!(
                "🕒 Your time zone is {current}. Pick one below, or tap <i>Other…</i> to type its name \
                 (for example <code>America/Toronto</code>)."
            ),
            (Msg::ChooseTimeZone { current }, Fr) => format!(
                "🕒 Votre fuseau horaire est {current}. Choisissez-en un ci-dessous, ou touchez <i>Autre…</i> \
                 pour taper son nom (par exemple <code>America/Toronto</code>)."
            ),
            (Msg::AskTimeZone, En) => "Send me your city or your time zone, for example \
                 <code>London</code>, <code>New York</code>, <code>UTC-5</code> or <code>Asia/Tokyo</code>, \
                 or share your location (📎 → Location)."
                .to_owned(),
            (Msg::AskTimeZone, Fr) => "Envoyez-moi votre ville ou votre fuseau horaire, par exemple \
                 <code>Paris</code>, <code>Montréal</code>, <code>UTC+1</code> ou <code>Africa/Dakar</code>, \
                 ou partagez votre position (📎 → Position)."
                .to_owned(),
            (Msg::AskTimeZoneFirst, En) => "🌍 <b>Which time zone are you in?</b> Your reminders come at \
                 your local time once I know it. Tap your city below, type it (<code>Tokyo</code>, \
                 <code>UTC+2</code>…) or share your location (📎 → Location)."
                .to_owned(),
            (Msg::AskTimeZoneFirst, Fr) => "🌍 <b>Dans quel fuseau horaire êtes-vous ?</b> Vos rappels \
                 arriveront à votre heure dès que je le connais. Touchez votre ville ci-dessous, tapez-la \
                 (<code>Genève</code>, <code>UTC+1</code>…) ou partagez votre position (📎 → Position)."
                .to_owned(),
            (Msg::PickTimeZone { input }, En) => {
                format!("🌍 Several time zones fit <code>{}</code>: which is yours?", escape(input))
            }
            (Msg::PickTimeZone { input }, Fr) => {
                format!("🌍 Plusieurs fuseaux correspondent à <code>{}</code> : lequel est le vôtre ?", escape(input))
            }
            (Msg::LocationNoZone, En) => "📍 I could not tell the time zone of that place. Send me your \
                 city instead, for example <code>London</code> or <code>UTC-5</code>."
                .to_owned(),
            (Msg::LocationNoZone, Fr) => "📍 Je n'ai pas trouvé le fuseau horaire de cet endroit. Envoyez-moi \
                 plutôt votre ville, par exemple <code>Paris</code> ou <code>UTC+1</code>."
                .to_owned(),
            (Msg::LocationSameZone { timezone, now }, En) => format!(
                "📍 That place is in {timezone}, your time zone already (it is {} there).",
                clock(*now, *timezone)
            ),
            (Msg::LocationSameZone { timezone, now }, Fr) => format!(
                "📍 Cet endroit est en {timezone}, déjà votre fuseau horaire (il y est {}).",
                clock(*now, *timezone)
            ),
            (Msg::LocationOffer { timezone, now }, En) => format!(
                "📍 That place is in {timezone} (it is {} there). Make it your time zone?",
                clock(*now, *timezone)
            ),
            (Msg::LocationOffer { timezone, now }, Fr) => format!(
                "📍 Cet endroit est en {timezone} (il y est {}). En faire votre fuseau horaire ?",
                clock(*now, *timezone)
            ),
            (Msg::ButtonUseZone { timezone }, En) => format!("✅ Use {timezone}"),
            (Msg::ButtonUseZone { timezone }, Fr) => format!("✅ Passer en {timezone}"),
            (Msg::FollowZoneQuestion { count, title, timezone, kept, moment }, En) => {
                let tasks = if *count == 1 { "a repeating task".to_owned() } else { format!("{count} repeating tasks") };
                format!(
                    "🔁 You have {tasks} on another zone's clock, like <b>{}</b> at {kept}. In {timezone}, \
                     should they keep their time of day ({kept}) or the same moment ({moment})?",
                    escape(title)
                )
            }
            (Msg::FollowZoneQuestion { count, title, timezone, kept, moment }, Fr) => {
                let tasks = if *count == 1 {
                    "une tâche répétée réglée".to_owned()
                } else {
                    format!("{count} tâches répétées réglées")
                };
                format!(
                    "🔁 Vous avez {tasks} sur un autre fuseau, comme <b>{}</b> à {kept}. En {timezone}, \
                     doivent-elles garder leur heure ({kept}) ou le même instant ({moment}) ?",
                    escape(title)
                )
            }
            (Msg::ButtonTimeOfDay { time }, En) => format!("🕗 Same time of day ({time})"),
            (Msg::ButtonTimeOfDay { time }, Fr) => format!("🕗 Même heure ({time})"),
            (Msg::ButtonSameMoment { time }, En) => format!("⏱ Same moment ({time})"),
            (Msg::ButtonSameMoment { time }, Fr) => format!("⏱ Même instant ({time})"),
            (Msg::ZoneFollowed { count: 0, timezone }, En) => {
                format!("✅ Your repeating tasks already keep their time of day in {timezone}.")
            }
            (Msg::ZoneFollowed { count: 0, timezone }, Fr) => {
                format!("✅ Vos tâches répétées gardent déjà leur heure en {timezone}.")
            }
            (Msg::ZoneFollowed { count, timezone }, En) => {
                let tasks = if *count == 1 { "Your repeating task keeps its".to_owned() } else {
                    format!("Your {count} repeating tasks keep their")
                };
                format!("✅ {tasks} time of day in {timezone}. /tasks shows when they come next.")
            }
            (Msg::ZoneFollowed { count, timezone }, Fr) => {
                let tasks = if *count == 1 { "Votre tâche répétée garde son".to_owned() } else {
                    format!("Vos {count} tâches répétées gardent leur")
                };
                format!("✅ {tasks} heure en {timezone}. /tasks montre leur prochaine fois.")
            }
            (Msg::ZoneMomentsKept, En) => "✅ Your repeating tasks keep the same moment; /tasks shows them \
                 at your new local time."
                .to_owned(),
            (Msg::ZoneMomentsKept, Fr) => "✅ Vos tâches répétées gardent le même instant ; /tasks les montre \
                 à votre nouvelle heure locale."
                .to_owned(),
            (Msg::TimesInUtc, En) => {
                "🌍 Times are in UTC for now: I do not know your time zone yet.".to_owned()
            }
            (Msg::TimesInUtc, Fr) => {
                "🌍 Les heures sont en UTC pour l'instant : je ne connais pas encore votre fuseau horaire.".to_owned()
            }
            (Msg::ButtonSetTimeZone, En) => "🌍 Set my time zone".to_owned(),
            (Msg::ButtonSetTimeZone, Fr) => "🌍 Choisir mon fuseau".to_owned(),
            (Msg::LanguageSet { language }, En) => format!("✅ Language set to {language}."),
            (Msg::LanguageSet { language }, Fr) => format!("✅ Langue réglée sur {language}."),
            (Msg::LanguageUsage, En) => "Which language? <code>/settings language en</code> (English) or \
                 <code>/settings language fr</code> (Français)."
                .to_owned(),
            (Msg::LanguageUsage, Fr) => "Quelle langue ? <code>/settings language en</code> (English) ou \
                 <code>/settings language fr</code> (Français)."
                .to_owned(),
            (Msg::LanguageInvalid { input }, En) => format!(
                "I don't speak <code>{}</code> yet. Choose <code>en</code> (English) or <code>fr</code> (Français).",
                escape(input)
            ),
            (Msg::LanguageInvalid { input }, Fr) => format!(
                "Je ne parle pas encore <code>{}</code>. Choisissez <code>en</code> (English) ou <code>fr</code> (Français).",
                escape(input)
            ),
            (Msg::TimeZoneSet { timezone, now }, En) => format!(
                "✅ Time zone set to {timezone} (it is {} there now).",
                clock(*now, *timezone)
            ),
            (Msg::TimeZoneSet { timezone, now }, Fr) => format!(
                "✅ Fuseau horaire réglé sur {timezone} (il y est {}).",
                clock(*now, *timezone)
            ),
            (Msg::TimeZoneInvalid { input }, En) => format!(
                "I could not find a time zone for <code>{}</code>. Send a city (<code>London</code>, \
                 <code>New York</code>), an offset (<code>UTC-5</code>) or a zone name \
                 (<code>Asia/Tokyo</code>), or pick one in /settings.",
                escape(input)
            ),
            (Msg::TimeZoneInvalid { input }, Fr) => format!(
                "Je n'ai pas trouvé de fuseau horaire pour <code>{}</code>. Envoyez une ville \
                 (<code>Paris</code>, <code>Montréal</code>), un décalage (<code>UTC+1</code>) ou un nom de \
                 fuseau (<code>Africa/Dakar</code>), ou choisissez-en un dans /settings.",
                escape(input)
            ),
            (Msg::Profile { user }, _) => profile(user, lang),
            (Msg::ButtonExpired, En) => "This button is no longer valid.".to_owned(),
            (Msg::SlowDown { limit, window, wait }, En) => format!(
                "⏳ That is more than {limit} messages in {window} s: I did not handle your last message, \
                 and I will not handle the ones you send in the next {wait} s. \
                 Send it again after that and I will."
            ),
            (Msg::SlowDown { limit, window, wait }, Fr) => format!(
                "⏳ Cela fait plus de {limit} messages en {window} s : je n'ai pas traité votre dernier message, \
                 ni ceux que vous enverrez dans les {wait} prochaines secondes. \
                 Renvoyez-le ensuite et je m'en occupe."
            ),
            (Msg::TapsSlowDown { wait }, En) => {
                format!("⏳ Too many taps: this one did nothing. Tap again in {wait} s.")
            }
            (Msg::TapsSlowDown { wait }, Fr) => {
                format!("⏳ Trop d'appuis : celui-ci n'a rien fait. Réessayez dans {wait} s.")
            }
            (Msg::ButtonExpired, Fr) => "Ce bouton n'est plus valide.".to_owned(),
            (Msg::NotYourButton, En) => "This button belongs to someone else's message.".to_owned(),
            (Msg::NotYourButton, Fr) => "Ce bouton appartient au message de quelqu'un d'autre.".to_owned(),
            (Msg::Crashed, En) => {
                "Sorry, something went wrong on my side with that message and it was not handled. \
                 Try again differently, or later."
                    .to_owned()
            }
            (Msg::Crashed, Fr) => {
                "Désolé, un problème de mon côté a empêché de traiter ce message. \
                 Réessayez autrement, ou plus tard."
                    .to_owned()
            }
            (Msg::Saved, En) => "Saved".to_owned(),
            (Msg::Saved, Fr) => "Enregistré".to_owned(),
            (Msg::ButtonLanguage, En) => "🌐 Language".to_owned(),
            (Msg::ButtonLanguage, Fr) => "🌐 Langue".to_owned(),
            (Msg::ButtonTimeZone, En) => "🕒 Time zone".to_owned(),
            (Msg::ButtonTimeZone, Fr) => "🕒 Fuseau horaire".to_owned(),
            (Msg::ButtonOther, En) => "Other…".to_owned(),
            (Msg::ButtonOther, Fr) => "Autre…".to_owned(),
            (Msg::ButtonBack, En) => "« Back".to_owned(),
            (Msg::ButtonBack, Fr) => "« Retour".to_owned(),
            (Msg::TierName(Tier::Free), En) => "Free".to_owned(),
            (Msg::TierName(Tier::Free), Fr) => "Gratuit".to_owned(),
            (Msg::TierName(Tier::Pro), _) => "Pro".to_owned(),
        }
    }
}

fn profile(user: &User, lang: Language) -> String {
    let tier = Msg::TierName(user.tier).render(lang);
    let username = user.username.as_deref().map_or_else(|| "—".to_owned(), |u| format!("@{}", escape(u)));
    let since = long_date(user.created_at, user.tz(), lang);
    let language = user.lang();
    let (chosen, from_telegram) = match lang {
        Language::En => ("chosen in /settings", "from Telegram"),
        Language::Fr => ("choisie dans /settings", "d'après Telegram"),
    };
    let source = if user.language.is_some() { chosen } else { from_telegram };
    let tz = user.tz();
    let name = escape(&user.first_name);
    let id = user.id.0;
    match lang {
        Language::En => format!(
            "👤 <b>Your profile</b>\n\nName: {name}\nUsername: {username}\nTelegram id: <code>{id}</code>\n\
             Plan: {tier}\nLanguage: {language} ({source})\nTime zone: {tz}\nMember since: {since}"
        ),
        Language::Fr => format!(
            "👤 <b>Votre profil</b>\n\nNom : {name}\nNom d'utilisateur : {username}\nIdentifiant Telegram : <code>{id}</code>\n\
             Formule : {tier}\nLangue : {language} ({source})\nFuseau horaire : {tz}\nMembre depuis le {since}"
        ),
    }
}

/// The time of day at `now` in `tz`: `08:00`.
pub fn clock(now: DateTime<Utc>, tz: TimeZone) -> String {
    now.with_timezone(&tz.tz()).format("%H:%M").to_string()
}

/// A date as people write it: "November 26, 2026" or "26 novembre 2026".
pub fn long_date(at: DateTime<Utc>, tz: TimeZone, lang: Language) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let local = at.with_timezone(&tz.tz());
    let month = local.month0() as usize;
    match lang {
        Language::En => format!("{} {}, {}", EN[month], local.day(), local.year()),
        Language::Fr if local.day() == 1 => format!("1er {} {}", FR[month], local.year()),
        Language::Fr => format!("{} {} {}", local.day(), FR[month], local.year()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::domain::TelegramId;

    fn user() -> User {
        User {
            id: TelegramId(42),
            username: Some("ada".into()),
            first_name: "Ada <Lovelace>".into(),
            language_code: Some("fr".into()),
            language: None,
            timezone: TimeZone::parse("Europe/Paris").ok(),
            tier: Tier::Free,
            awaiting: None,
            blocked_at: None,
            banned_at: None,
            workflow_triggers: Vec::new(),
            created_at: Utc.with_ymd_and_hms(2026, 11, 26, 23, 30, 0).unwrap(),
            updated_at: Utc::now(),
        }
    }

    fn every_message(user: &User) -> Vec<Msg<'_>> {
        let tz = TimeZone::UTC;
        vec![
            Msg::Welcome { first_name: "Ada" },
            Msg::Help,
            Msg::UnknownCommand { command: "frobnicate" },
            Msg::PlainTextNotUnderstood,
            Msg::NotText,
            Msg::SettingsMenu { language: Language::En, timezone: tz },
            Msg::SettingsUsage,
            Msg::ChooseLanguage,
            Msg::ChooseTimeZone { current: tz },
            Msg::AskTimeZone,
            Msg::LanguageSet { language: Language::Fr },
            Msg::LanguageInvalid { input: "de" },
            Msg::TimeZoneSet { timezone: tz, now: Utc::now() },
            Msg::TimeZoneInvalid { input: "Mars" },
            Msg::Profile { user },
            Msg::ButtonExpired,
            Msg::NotYourButton,
            Msg::Crashed,
            Msg::LanguageUsage,
            Msg::Saved,
            Msg::ButtonLanguage,
            Msg::ButtonTimeZone,
            Msg::ButtonOther,
            Msg::ButtonBack,
            Msg::TierName(Tier::Free),
            Msg::SlowDown { limit: 30, window: 60, wait: 42 },
            Msg::AskTimeZoneFirst,
            Msg::PickTimeZone { input: "UTC+1" },
            Msg::TimesInUtc,
            Msg::ButtonSetTimeZone,
            Msg::TapsSlowDown { wait: 42 },
            Msg::LocationNoZone,
            Msg::CommandForAnotherBot { command: "task", bot: "OtherBot" },
            Msg::AnonymousSender,
            Msg::LocationSameZone { timezone: tz, now: Utc::now() },
            Msg::LocationOffer { timezone: tz, now: Utc::now() },
            Msg::ButtonUseZone { timezone: tz },
            Msg::FollowZoneQuestion {
                count: 2,
                title: "stretch",
                timezone: tz,
                kept: "08:00",
                moment: "09:00",
            },
            Msg::ButtonTimeOfDay { time: "08:00" },
            Msg::ButtonSameMoment { time: "09:00" },
            Msg::ZoneFollowed { count: 0, timezone: tz },
            Msg::ZoneFollowed { count: 2, timezone: tz },
            Msg::ZoneMomentsKept,
        ]
    }

    #[test]
    fn every_text_exists_in_both_languages_and_differs() {
        let user = user();
        for msg in every_message(&user) {
            let en = msg.render(Language::En);
            let fr = msg.render(Language::Fr);
            assert!(!en.trim().is_empty() && !fr.trim().is_empty(), "{msg:?}");
            assert_ne!(en, fr, "{msg:?} is not translated");
        }
    }

    #[test]
    fn every_command_has_a_description_in_both_languages() {
        for command in COMMANDS {
            for lang in Language::ALL {
                assert!(!Msg::CommandDescription(command).render(lang).is_empty(), "{command}");
            }
        }
    }

    #[test]
    fn plain_text_drops_tags_and_decodes_entities() {
        assert_eq!(plain_text("<b>Hi</b> &lt;Ada&gt; &amp;amp;"), "Hi <Ada> &amp;");
    }

    #[test]
    fn user_values_are_escaped() {
        let user = user();
        let text = Msg::Profile { user: &user }.render(Language::En);
        assert!(text.contains("Ada &lt;Lovelace&gt;"));
        assert!(!text.contains("<Lovelace>"));
        let unknown = Msg::UnknownCommand { command: "<b>x" }.render(Language::En);
        assert!(unknown.contains("/&lt;b&gt;x"));
    }

    #[test]
    fn profile_shows_member_since_in_the_users_zone_and_language() {
        let user = user();
        let fr = Msg::Profile { user: &user }.render(Language::Fr);
        // 23:30 UTC on the 26th is already the 27th in Paris.
        assert!(fr.contains("Membre depuis le 27 novembre 2026"), "{fr}");
        assert!(fr.contains("Formule : Gratuit"));
        assert!(fr.contains("Français (d'après Telegram)"));
    }
}
