//! Reading the audit log: platform admins read everything, organisation admins what
//! concerns one of their own organisations. Reading it is itself logged, in the same
//! transaction as the read.

use crate::access;
use crate::context::{Principal, Services};
use crate::error::Error;
use rondom_db::audit::{self, AuditEntry, AuditFilter};
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_domain::{Action, Resource};
use std::collections::HashMap;

/// What a person asks to see; `organisation` empty means "everything I may see".
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub organisation: String,
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// Only what this person did.
    pub person: Option<String>,
    /// Only what concerns this child.
    pub child: Option<String>,
    pub from: Option<chrono::NaiveDateTime>,
    pub until: Option<chrono::NaiveDateTime>,
    /// Entries before this sequence number (the next page).
    pub before: Option<i64>,
    pub limit: i64,
}

/// One page of the log as this person may see it.
pub struct Page {
    /// The organisation the page is about; None: the whole log (platform admins).
    pub scope: Option<String>,
    pub rows: Vec<Described>,
    /// The people of the organisation (or of the page), to filter on: (id, name).
    pub people: Vec<(String, String)>,
    /// The child filtered on, as the page names it.
    pub child: Option<String>,
    /// The organisations this person may choose from.
    pub organisations: Vec<Organisation>,
    /// The actions that occur in the log, for the filter.
    pub actions: Vec<String>,
}

pub async fn read(svc: &Services, who: &impl Principal, q: Query) -> Result<Page, Error> {
    let actor = who.actor();
    let platform = actor.is_platform_admin();
    let administered: Vec<String> = actor
        .administered_organisations()
        .map(str::to_owned)
        .collect();
    // Organisation admins always look at one of their own organisations.
    let scope = match (q.organisation.trim(), platform) {
        ("", true) => None,
        ("", false) => administered.first().cloned(),
        (o, _) => Some(o.to_owned()),
    };
    let resource = Resource::AuditLog(scope.as_deref());
    access::require(svc, who, Action::Read, resource).await?;
    let filter = AuditFilter {
        organisation_id: scope.clone(),
        action: q.action,
        outcome: q.outcome,
        actor_user_id: q.person,
        child_id: q.child.clone(),
        from: q.from,
        until: q.until,
        ..Default::default()
    };
    let mut read_event = access::event(who, "audit_log_read", resource, "allowed");
    read_event.reason = Some("audit log page".into());
    let (before, limit) = (q.before, q.limit);
    let (scoped, child) = (scope.clone(), q.child);
    let (rows, organisations, actions, names, people) = svc
        .db
        .write(move |c| {
            audit::append(c, &read_event)?;
            let rows = audit::list(c, &filter, before, limit)?;
            let o = if platform {
                orgs::list(c)?
            } else {
                orgs::list_by_ids(c, &administered)?
            };
            let names = Names::read(c, &rows, &o, child.as_deref())?;
            let people = match &scoped {
                Some(org) => orgs::members(c, org)?
                    .into_iter()
                    .map(|m| (m.user_id.to_string(), m.name))
                    .collect(),
                None => vec![],
            };
            Ok((rows, o, audit::distinct_actions(c)?, names, people))
        })
        .await?;
    let children = names.children(svc);
    let mut people = people;
    if people.is_empty() {
        // The whole log: the people on this page.
        for e in &rows {
            if let Some(id) = &e.actor_user_id
                && !people.iter().any(|(p, _)| p == id)
            {
                people.push((id.clone(), e.actor_name.clone()));
            }
        }
    }
    people.sort_by(|a, b| a.1.cmp(&b.1));
    let child = names
        .filtered_child
        .as_ref()
        .and_then(|id| children.get(id).cloned());
    Ok(Page {
        scope,
        rows: rows
            .into_iter()
            .map(|e| describe(e, &names, &children))
            .collect(),
        people,
        child,
        organisations,
        actions,
    })
}

/// One entry as a Dutch reader reads it: what was done in words, to what or whom (an
/// organisation's name, a child's initials and age), not codes and ids.
pub struct Described {
    pub entry: AuditEntry,
    pub action: String,
    pub role: String,
    pub about: String,
    /// The child concerned: (id, initials and age).
    pub child: Option<(String, String)>,
    pub detail: String,
}

/// What the entries on a page name, read in the page's transaction.
struct Names {
    organisations: HashMap<String, String>,
    /// Child id -> (sealed name, birth date).
    children: HashMap<String, (String, chrono::NaiveDate)>,
    /// Referral id -> child id, for the lists an entry names.
    referral_child: HashMap<String, String>,
    filtered_child: Option<String>,
}

/// At most this many children are named per list entry.
const NAMED_PER_LIST: usize = 10;

impl Names {
    fn read(
        c: &mut rondom_db::AnyConnection,
        rows: &[AuditEntry],
        orgs: &[Organisation],
        child: Option<&str>,
    ) -> Result<Self, rondom_db::DbError> {
        let mut organisations: HashMap<String, String> = orgs
            .iter()
            .map(|o| (o.id.to_string(), o.name.clone()))
            .collect();
        let mut referral_child = HashMap::new();
        let mut child_ids: Vec<String> = rows.iter().filter_map(|e| e.child_id.clone()).collect();
        child_ids.extend(child.map(str::to_owned));
        for e in rows {
            let object_org = (e.object_type == "organisation")
                .then_some(&e.object_id)
                .and_then(Option::as_ref);
            for o in [
                &e.subject_org_id,
                &e.other_subject_org_id,
                &e.actor_organisation_id,
            ]
            .into_iter()
            .flatten()
            .chain(object_org)
            {
                if !organisations.contains_key(o)
                    && let Some(found) = orgs::find(c, o)?
                {
                    organisations.insert(o.clone(), found.name);
                }
            }
        }
        // The children the page's lists named, and their entries' own: two statements
        // for the whole page, however many entries name them.
        let mut listed: Vec<String> = rows
            .iter()
            .flat_map(|e| listed_referrals(e).take(NAMED_PER_LIST))
            .map(str::to_owned)
            .collect();
        listed.sort();
        listed.dedup();
        for (r, ch) in rondom_db::referrals::child_ids_of(c, &listed)? {
            child_ids.push(ch.to_string());
            referral_child.insert(r.to_string(), ch.to_string());
        }
        child_ids.sort();
        child_ids.dedup();
        let children: HashMap<String, (String, chrono::NaiveDate)> =
            rondom_db::referrals::children_by_ids(c, &child_ids)?
                .into_iter()
                .map(|ch| (ch.id.to_string(), (ch.name_sealed, ch.birth_date)))
                .collect();
        Ok(Self {
            organisations,
            children,
            referral_child,
            filtered_child: child.map(str::to_owned),
        })
    }

    /// Child id -> "NdV, 12 jaar".
    fn children(&self, svc: &Services) -> HashMap<String, String> {
        let today = crate::dates::today();
        self.children
            .iter()
            .map(|(id, (sealed, birth))| {
                let name = svc.secrets.open_shown(sealed, "child name");
                let label = format!(
                    "{}, {} jaar",
                    crate::today::initials(&name),
                    crate::referral::age_on(*birth, today)
                );
                (id.clone(), label)
            })
            .collect()
    }
}

/// The referral ids a list entry names in its reason ("3 getoond: a,b,c").
fn listed_referrals(e: &AuditEntry) -> impl Iterator<Item = &str> {
    let ids = match (e.action.as_str(), e.reason.as_deref()) {
        ("referral_list_read", Some(r)) => r.split_once(": ").map_or("", |(_, ids)| ids),
        _ => "",
    };
    ids.split(',').filter(|s| !s.is_empty())
}

fn describe(e: AuditEntry, names: &Names, children: &HashMap<String, String>) -> Described {
    let org = |id: &Option<String>| {
        id.as_ref()
            .and_then(|o| names.organisations.get(o))
            .cloned()
    };
    let child = e
        .child_id
        .as_ref()
        .and_then(|id| children.get(id).map(|l| (id.clone(), l.clone())));
    let about = match (e.object_type.as_str(), &child) {
        (_, Some((_, label))) => format!("{} ({label})", object_label(&e.object_type)),
        ("organisation", _) => org(&e.object_id).unwrap_or_else(|| "organisatie".into()),
        (t, None) => {
            let subject = org(&e.subject_org_id);
            match subject {
                Some(s) if t != "user" => format!("{} van {s}", object_label(t)),
                _ => object_label(t).to_owned(),
            }
        }
    };
    let detail = match (e.action.as_str(), e.reason.as_deref()) {
        ("referral_list_read", Some(_)) => {
            let named: Vec<&str> = listed_referrals(&e)
                .take(NAMED_PER_LIST)
                .filter_map(|r| names.referral_child.get(r))
                .filter_map(|ch| children.get(ch))
                .map(String::as_str)
                .collect();
            let total = listed_referrals(&e).count();
            let rest = total.saturating_sub(named.len());
            let mut text = format!("{total} getoond: {}", named.join("; "));
            if rest > 0 {
                text.push_str(&format!(" en {rest} meer"));
            }
            text
        }
        ("referral_transition", Some(r)) => r
            .split(" → ")
            .map(|code| rondom_domain::referral::Status::parse(code).map_or(code, |s| s.label()))
            .collect::<Vec<_>>()
            .join(" → "),
        (_, Some(r)) => r.to_owned(),
        (_, None) => String::new(),
    };
    Described {
        action: action_label(&e.action).to_owned(),
        role: e
            .actor_role
            .as_deref()
            .and_then(rondom_domain::Role::parse)
            .map_or_else(
                || e.actor_role.clone().unwrap_or_default(),
                |r| r.label().to_owned(),
            ),
        about,
        child,
        detail,
        entry: e,
    }
}

fn object_label(object_type: &str) -> &str {
    match object_type {
        "referral" => "verwijzing",
        "consultation" => "overlegvraag",
        "organisation" => "organisatie",
        "user" => "account",
        "session" => "sessie",
        "service" => "aanbod",
        "audit_log" => "auditlog",
        "api_token" => "API-token",
        "referral_agreements" => "verwijskader",
        "attachment" => "bijlage",
        other => other,
    }
}

/// What was done, in Dutch; an action this version does not know keeps its code.
pub fn action_label(code: &str) -> &str {
    match code {
        "api_token_create" => "API-token aangemaakt",
        "api_token_revoke" => "API-token ingetrokken",
        "audit_log_read" => "Auditlog bekeken",
        "consultation_assign" => "Overlegvraag toegewezen",
        "consultation_close" => "Overlegvraag afgesloten",
        "consultation_create" => "Overlegvraag gesteld",
        "consultation_message" => "Bericht bij overlegvraag",
        "consultation_pick_up" => "Overlegvraag opgepakt",
        "consultation_read" => "Overlegvraag ingezien",
        "demo_loaded" => "Demogegevens geladen",
        "directory_import" => "Sociale kaart geïmporteerd",
        "directory_link_accept" => "Koppeling met praktijk geaccepteerd",
        "directory_link_create" => "Koppeling met praktijk gemaakt",
        "directory_link_decline" => "Koppeling met praktijk afgewezen",
        "directory_link_delete" => "Koppeling met praktijk verwijderd",
        "directory_link_hours" => "Spreekuren gewijzigd",
        "directory_location_create" => "Locatie toegevoegd",
        "directory_location_update" => "Locatie gewijzigd",
        "directory_person_update" => "Contactpersoon gewijzigd",
        "directory_profile_update" => "Organisatieprofiel gewijzigd",
        "directory_service_checked" => "Aanbod gecontroleerd",
        "directory_service_create" => "Aanbod toegevoegd",
        "directory_service_delete" => "Aanbod verwijderd",
        "directory_service_update" => "Aanbod gewijzigd",
        "directory_team_save" => "Teamgegevens opgeslagen",
        "login" => "Inloggen",
        "logout" => "Uitgelogd",
        "member_add" => "Lid toegevoegd",
        "member_remove" => "Lid verwijderd",
        "organisation_create" => "Organisatie aangemaakt",
        "organisation_update" => "Organisatie gewijzigd",
        "password_change" => "Wachtwoord gewijzigd",
        "password_reset" => "Wachtwoord opnieuw ingesteld",
        "password_reset_link" | "password_reset_requested" => "Herstellink aangevraagd",
        "referral_agreements_create" => "Verwijskader vastgelegd",
        "referral_attachment_add" => "Bijlage toegevoegd",
        "referral_attachment_read" => "Bijlage geopend",
        "referral_case_director" => "Casusregisseur gewijzigd",
        "referral_create" => "Verwijzing gemaakt",
        "referral_feedback" => "Terugkoppeling gegeven",
        "referral_list_read" => "Kinderen in een lijst getoond",
        "referral_outcome_pass_on" => "Uitkomst doorgestuurd aan de verwijzer",
        "referral_read" => "Verwijzing ingezien",
        "network_open" => "Netwerk rond het kind geopend",
        "network_read" => "Netwerk bekeken",
        "network_emergency_access" => "Noodtoegang zonder toestemming (veiligheid van het kind)",
        "consent_read" => "Toestemming bekeken",
        "network_match" => "Gezien dat er een netwerk rond dit kind is",
        "network_join_ask" => "Gevraagd om mee te doen in het netwerk",
        "network_list_read" => "Netwerk in een overzicht getoond",
        "network_member_add" => "Iemand aan het netwerk toegevoegd",
        "network_member_remove" => "Iemand uit het netwerk gehaald",
        "network_invite" => "Gezinslid uitgenodigd",
        "network_access_log_read" => "Overzicht van wie meekeek bekeken",
        "network_help_read" => "Hulp en terugkoppeling in het netwerk bekeken",
        "network_keep_from_parents" => "Op verzoek van de jongere verborgen voor de ouders",
        "network_show_to_parents" => "Weer zichtbaar gemaakt voor de ouders",
        "network_join_refuse" => "Verzoek om mee te doen geweigerd",
        "conversation_list_read" => "Gesprekken in een overzicht getoond",
        "conversation_start" => "Gesprek begonnen",
        "conversation_read" => "Berichten gelezen",
        "message_send" => "Bericht gestuurd",
        "message_edit" => "Bericht gewijzigd",
        "message_withdraw" => "Bericht ingetrokken",
        "message_change" => "Bericht van een ander proberen te wijzigen",
        "document_share" => "Document gedeeld",
        "document_download" => "Document gedownload",
        "notice_choice" => "Keuze voor e-mail bij berichten gewijzigd",
        "network_emergency_review" => "Noodtoegang nagekeken door de teamleider",
        "consent_record" => "Toestemming vastgelegd namens het gezin",
        "consent_give" => "Toestemming gegeven",
        "consent_withdraw" => "Toestemming ingetrokken",
        "referral_school_read" => "Verwijzing van een leerling ingezien door de school",
        "referral_refer_on" => "Doorverwezen",
        "referral_transition" => "Status van verwijzing gewijzigd",
        "referral_update" => "Verwijzing wijzigen",
        "second_factor_enable" => "Tweestapsverificatie aangezet",
        other => other,
    }
}
