//! Emergency access (noodtoegang): when a child may be unsafe (the meldcode), a member of
//! the network may open it without the family's consent, for a day, after giving a
//! reason from the list and in their own words. It is logged as emergency access, the
//! coordinating team's leaders are told at once, and the family sees it in the access
//! log.

use super::{PROFESSIONAL, Reach, load};
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use rondom_db::networks as db;
use rondom_domain::Role;
use rondom_domain::validate::ValidationError;

/// The reasons that allow emergency access: (code, as the form says it).
pub const REASONS: [(&str, &str); 4] = [
    (
        "veiligheid",
        "Zorgen over de veiligheid van het kind (meldcode)",
    ),
    (
        "mishandeling",
        "Vermoeden van huiselijk geweld of kindermishandeling",
    ),
    (
        "crisis",
        "Acute crisis: het kind of de jongere is in gevaar",
    ),
    ("levensgevaar", "Medisch spoed waarbij gegevens nodig zijn"),
];

/// How long emergency access lasts.
pub const HOURS: i64 = 24;

/// Opens the network for this professional member without consent. Only a professional
/// who is in the network and lacks consent needs (or gets) it.
pub async fn open(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    reason: &str,
    text: &str,
) -> Result<Checked<()>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    let user = who.actor().user_id.clone();
    let professional = f.members.iter().any(|m| {
        m.is_active() && m.kind == PROFESSIONAL && m.user_id.as_deref() == Some(user.as_str())
    }) || f.members.iter().any(|m| {
        m.is_active()
            && m.kind == super::ORGANISATION
            && m.organisation_id
                .as_deref()
                .is_some_and(|o| who.actor().is_member_of(o))
    });
    if reach != Reach::ExistsOnly || !professional {
        return Err(Error::Forbidden);
    }
    let mut errors = Vec::new();
    let Some((code, label)) = REASONS.iter().find(|(c, _)| *c == reason.trim()) else {
        errors.push(ValidationError::new("reden", "Kies de reden uit de lijst."));
        return Ok(Err(errors));
    };
    let text = text.trim();
    if text.chars().count() < 10 || text.chars().count() > 1000 {
        errors.push(ValidationError::new(
            "toelichting",
            "Beschrijf in een paar zinnen waarom het nu nodig is (10 tot 1000 tekens).",
        ));
        return Ok(Err(errors));
    }
    let until = rondom_db::now() + chrono::Duration::hours(HOURS);
    let (id, team, reason_text, who_name) = (
        f.network.id.to_string(),
        f.network.coordinator_org_id.to_string(),
        text.to_owned(),
        who.display_name().to_owned(),
    );
    let code = (*code).to_owned();
    let leaders = svc
        .db
        .write(move |c| {
            db::add_emergency(c, &id, &user, &code, &reason_text, until)?;
            let mut mails = Vec::new();
            for m in rondom_db::organisations::members(c, &team)? {
                if m.role != Role::Teamleider || m.disabled {
                    continue;
                }
                rondom_db::consultations::notify(
                    c,
                    &m.user_id,
                    &format!("Noodtoegang tot een netwerk door {who_name}. Bekijk de reden in het overzicht van wie meekeek."),
                    "/netwerken/noodtoegang",
                )?;
                if let Some(u) = rondom_db::users::find(c, &m.user_id)? {
                    mails.push(u.email);
                }
            }
            Ok(mails)
        })
        .await?;
    for to in leaders {
        svc.mail_notice(
            to,
            "Noodtoegang in Rondom",
            "Iemand heeft met noodtoegang een netwerk rond een kind geopend.",
            "Bekijk het in Rondom",
            "/netwerken/noodtoegang",
        );
    }
    let mut e = crate::access::event(
        who,
        "network_emergency_access",
        rondom_domain::Resource::DirectoryEntry(&f.network.coordinator_org_id),
        "allowed",
    );
    e.object_type = "network".into();
    e.object_id = Some(f.network.id.to_string());
    e.child_id = Some(f.network.child_id.to_string());
    e.subject_org_ids = vec![f.network.coordinator_org_id.to_string()];
    e.reason = Some(format!("{label}: {text}"));
    crate::access::record(svc, e).await.map(|()| Ok(()))
}

/// One use of emergency access as the coordinating team's leader reviews it.
pub struct EmergencyLine {
    pub who: String,
    pub organisation: String,
    pub when: String,
    pub until: String,
    pub still_open: bool,
    pub reason: &'static str,
    pub text: String,
    pub case_director: String,
}

/// The emergency access to networks that this team leader's teams coordinate, newest
/// first, so they can review each use with the person and the case director. They see
/// who, when and why, not the network's content; each line is logged with its child.
pub async fn overview(
    svc: &Services,
    who: &impl Principal,
) -> Result<crate::access::Disclosed<Vec<EmergencyLine>>, Error> {
    let teams: Vec<String> = who
        .actor()
        .memberships
        .iter()
        .filter(|(_, r)| *r == Role::Teamleider)
        .map(|(o, _)| o.clone())
        .collect();
    if teams.is_empty() {
        return Err(Error::Forbidden);
    }
    let (uses, people) = svc
        .db
        .read(move |c| {
            let uses = db::emergencies_of(c, &teams, 200)?;
            let mut ids: Vec<String> = uses
                .iter()
                .flat_map(|(u, n)| [u.user_id.to_string(), n.coordinator_id.to_string()])
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let mut people = Vec::new();
            for (id, name) in rondom_db::users::names_of(c, &ids)? {
                let org = rondom_db::users::memberships_of(c, &id)?
                    .into_iter()
                    .next()
                    .map(|m| m.organisation_name)
                    .unwrap_or_default();
                people.push((id, name, org));
            }
            Ok((uses, people))
        })
        .await?;
    let person = |id: &str| {
        people.iter().find(|(p, _, _)| p == id).map_or_else(
            || (String::new(), String::new()),
            |(_, n, o)| (n.clone(), o.clone()),
        )
    };
    let now = rondom_db::now();
    let mut out = Vec::new();
    for (u, n) in uses {
        super::record(svc, who, "network_emergency_review", &n, "allowed").await?;
        let (name, org) = person(&u.user_id);
        out.push(EmergencyLine {
            who: name,
            organisation: org,
            when: crate::dates::datetime(u.opened_at),
            until: crate::dates::datetime(u.until),
            still_open: u.until > now,
            reason: REASONS
                .iter()
                .find(|(c, _)| *c == u.reason_code)
                .map_or("", |(_, l)| l),
            text: u.reason_text,
            case_director: person(&n.coordinator_id).0,
        });
    }
    Ok(crate::access::Disclosed::logged(out))
}
