//! The network around a child (netwerk, job 4): one per child, opened by the case
//! director from an accepted referral, with the professionals, organisations and family
//! around the child. What a member may see follows the family's consent
//! (`rondom_domain::consent`), asked on every request: withdrawal takes effect on the
//! next request, on every server.
//!
//! `open` opens one, `view` is the one way to what it holds (audited; a person outside
//! it gets "not found"), `family` adds family members, `consent` records the family's
//! answers.

pub mod consent;
pub mod emergency;
pub mod export;
pub mod family;
pub mod family_view;
pub mod help;
pub mod join;
pub mod milestones;
pub mod professionals;

use crate::access::{self, Disclosed};
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use crate::referral::age_on;
use rondom_db::audit::AuditEvent;
use rondom_db::networks::{self as db, ACTIVE, Member, Network, NewMember};
use rondom_db::referrals::Referral;
use rondom_domain::consent::{Category, FamilyMember, Relation, Standing};
use rondom_domain::ids::NetworkId;
use rondom_domain::policy::receives_for;
use rondom_domain::referral::Status;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource, Role};
use std::collections::HashMap;

/// Kinds of member.
pub const PROFESSIONAL: &str = "professional";
pub const ORGANISATION: &str = "organisation";
pub const FAMILY: &str = "family";

/// How far a person reaches into a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The case director who coordinates: members and consent, to arrange them.
    Coordinates,
    /// A member whose membership the family consented to.
    Member,
    /// A member without that consent (yet): that the network exists and who
    /// coordinates it, nothing else.
    ExistsOnly,
}

/// The member this person is in the network, if any: as a person, or through an
/// organisation they work for.
pub(crate) fn membership_of<'a>(who: &impl Principal, members: &'a [Member]) -> Option<&'a Member> {
    membership(who, members)
}

fn membership<'a>(who: &impl Principal, members: &'a [Member]) -> Option<&'a Member> {
    let actor = who.actor();
    members.iter().filter(|m| m.is_active()).find(|m| {
        m.user_id.as_deref() == Some(actor.user_id.as_str())
            || ((m.kind == ORGANISATION || is_guardian_org(m))
                && m.organisation_id
                    .as_deref()
                    .is_some_and(|o| acts_in_care_for(actor, o)))
    })
}

/// A guardian institution (voogdij) in the family's place: its people who work with
/// children act as this family member.
fn is_guardian_org(m: &Member) -> bool {
    m.kind == FAMILY && m.user_id.is_none() && m.organisation_id.is_some()
}

/// Whether this person does the organisation's work with children (an intern
/// begeleider, a provider's professional), not only its administration or policy: an
/// organisation's membership of a network reaches those people, no one else.
pub(crate) fn acts_in_care_for(actor: &rondom_domain::Actor, org: &str) -> bool {
    actor
        .memberships
        .iter()
        .any(|(o, r)| o == org && works_with_children(*r))
}

/// Whether a role does an organisation's work with children (and so may be a network
/// member): not its administration or policy, and not a family role.
pub(crate) fn works_with_children(role: Role) -> bool {
    !matches!(
        role,
        Role::OrganisatieBeheerder
            | Role::Beheerder
            | Role::Beleidsmedewerker
            | Role::OuderVerzorger
            | Role::Jeugdige
    )
}

/// The family members as the consent rules read them.
pub fn family_of(members: &[Member]) -> Vec<FamilyMember> {
    members
        .iter()
        .filter(|m| m.kind == FAMILY && m.is_active())
        .filter_map(|m| {
            Some(FamilyMember {
                id: m.id.to_string(),
                relation: Relation::parse(m.relation.as_deref()?)?,
                gezag: m.gezag,
            })
        })
        .collect()
}

/// Everything a network holds that its rules are computed from, read at once.
#[derive(Clone)]
pub struct Facts {
    pub network: Network,
    pub members: Vec<Member>,
    pub answers: Vec<rondom_db::networks::ConsentAnswer>,
    pub child: rondom_db::referrals::Child,
    /// People with emergency access right now.
    pub emergencies: Vec<(String, chrono::NaiveDateTime)>,
}

pub(crate) async fn facts(svc: &Services, id: &str) -> Result<Option<Facts>, Error> {
    let id = id.to_owned();
    Ok(svc.db.read(move |c| facts_in(c, &id)).await?)
}

/// The facts of a network, read on the caller's connection (with other reads at once).
pub(crate) fn facts_in(
    c: &mut rondom_db::AnyConnection,
    id: &str,
) -> Result<Option<Facts>, rondom_db::DbError> {
    Ok(facts_of(c, &[id.to_owned()])?.pop())
}

/// The facts of several networks in three queries however many there are (a person's
/// list of networks), in the order of `ids`; networks that are not there are left out.
pub(crate) fn facts_of(
    c: &mut rondom_db::AnyConnection,
    ids: &[String],
) -> Result<Vec<Facts>, rondom_db::DbError> {
    let found = db::find_many_with_child_and_emergencies(c, ids)?;
    let mut by_id: HashMap<String, db::NetworkWithEmergencies> =
        found.into_iter().map(|n| (n.0.id.to_string(), n)).collect();
    let mut members = by_network(db::members_of(c, ids)?, |m| m.network_id.to_string());
    let mut answers = by_network(db::answers_of(c, ids)?, |a| a.network_id.to_string());
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(|(network, child, emergencies)| {
            let id = network.id.as_str();
            Facts {
                members: members.remove(id).unwrap_or_default(),
                answers: answers.remove(id).unwrap_or_default(),
                emergencies,
                network,
                child,
            }
        })
        .collect())
}

/// Rows grouped by their network, each group in the rows' order.
fn by_network<T>(rows: Vec<T>, network: impl Fn(&T) -> String) -> HashMap<String, Vec<T>> {
    let mut groups: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        groups.entry(network(&row)).or_default().push(row);
    }
    groups
}

impl Facts {
    /// Where consent stands today for one member and category.
    pub fn standing(&self, grantee: &str, category: Category) -> Standing {
        let answers: Vec<rondom_domain::consent::Answer> = self
            .answers
            .iter()
            .filter(|a| a.grantee_id == grantee && a.category == category.code())
            .map(|a| rondom_domain::consent::Answer {
                by: a.by_member_id.to_string(),
                on: a.answered_on,
                given: a.given,
            })
            .collect();
        rondom_domain::consent::standing(
            self.child.birth_date,
            crate::dates::today(),
            &family_of(&self.members),
            &answers,
        )
    }

    /// Whether this member is family with the say over consent today (by the child's
    /// age and their gezag).
    pub fn decides(&self, member_id: &str) -> bool {
        family_of(&self.members)
            .iter()
            .find(|f| f.id == member_id)
            .is_some_and(|f| {
                rondom_domain::consent::decides(self.child.birth_date, crate::dates::today(), f)
            })
    }

    /// The active family member this person is, if any.
    pub fn family_member(&self, who: &impl Principal) -> Option<&Member> {
        let actor = who.actor();
        self.members.iter().find(|m| {
            m.kind == FAMILY
                && m.is_active()
                && (m.user_id.as_deref() == Some(actor.user_id.as_str())
                    || (is_guardian_org(m)
                        && m.organisation_id
                            .as_deref()
                            .is_some_and(|o| acts_in_care_for(actor, o))))
        })
    }

    /// For a family member with the say: per member they decide about, per category,
    /// whether their own latest answer is yes. Empty for anyone else.
    pub fn own_answers(&self, who: &impl Principal) -> Vec<(String, Category, bool)> {
        let Some(me) = self.family_member(who).filter(|m| self.decides(&m.id)) else {
            return vec![];
        };
        let mut out = Vec::new();
        for m in self
            .members
            .iter()
            .filter(|m| m.is_active() && m.id != me.id && !self.decides(&m.id))
        {
            for c in Category::ALL {
                let yes = self
                    .answers
                    .iter()
                    .filter(|a| {
                        a.grantee_id == m.id && a.by_member_id == me.id && a.category == c.code()
                    })
                    .max_by_key(|a| (a.answered_on, a.recorded_at))
                    .is_some_and(|a| a.given);
                out.push((m.id.to_string(), c, yes));
            }
        }
        out
    }

    /// Whether the child is 12 or over and the youth has not given a single answer yet
    /// (or is not in the network at all): the youth is to be asked.
    pub fn youth_to_ask(&self) -> bool {
        if rondom_domain::consent::Band::on(self.child.birth_date, crate::dates::today())
            == rondom_domain::consent::Band::Under12
        {
            return false;
        }
        let youth = self.members.iter().find(|m| {
            m.kind == FAMILY
                && m.is_active()
                && m.relation.as_deref() == Some(Relation::Jeugdige.code())
        });
        match youth {
            None => true,
            Some(y) => !self.answers.iter().any(|a| a.by_member_id == y.id),
        }
    }

    /// How far this person reaches, or None when they are not in the network.
    pub fn reach(&self, who: &impl Principal) -> Option<Reach> {
        if self.network.coordinator_id == who.actor().user_id.as_str() {
            return Some(Reach::Coordinates);
        }
        let m = membership(who, &self.members)?;
        let decides = self.decides(&m.id);
        let emergency = self
            .emergencies
            .iter()
            .any(|(u, _)| u == who.actor().user_id.as_str());
        Some(
            if decides || emergency || self.standing(&m.id, Category::Membership).holds() {
                Reach::Member
            } else {
                Reach::ExistsOnly
            },
        )
    }
}

/// Logs a look at (or a refused look at) a network, with its child.
pub(crate) async fn record(
    svc: &Services,
    who: &impl Principal,
    action: &str,
    n: &Network,
    outcome: &str,
) -> Result<(), Error> {
    access::record(svc, network_event(who, action, n, outcome)).await
}

/// The same look at several networks, committed together.
pub(crate) async fn record_all(
    svc: &Services,
    who: &impl Principal,
    action: &str,
    networks: &[&Network],
) -> Result<(), Error> {
    let events = networks
        .iter()
        .map(|n| network_event(who, action, n, "allowed"))
        .collect();
    access::record_all(svc, events).await
}

/// The audit entry of an action on a network, about its child.
pub(crate) fn network_event(
    who: &impl Principal,
    action: &str,
    n: &Network,
    outcome: &str,
) -> AuditEvent {
    let e = access::event(
        who,
        action,
        Resource::DirectoryEntry(&n.coordinator_org_id),
        outcome,
    );
    AuditEvent {
        object_type: "network".into(),
        object_id: Some(n.id.to_string()),
        child_id: Some(n.child_id.to_string()),
        subject_org_ids: vec![n.coordinator_org_id.to_string()],
        ..e
    }
}

/// The facts of a network for a person in it (any reach), or "not found" with the
/// refusal logged.
pub(crate) async fn load(
    svc: &Services,
    who: &impl Principal,
    id: &str,
) -> Result<(Facts, Reach), Error> {
    let f = facts(svc, id).await?.ok_or(Error::NotFound)?;
    match f.reach(who) {
        Some(reach) => Ok((f, reach)),
        None => {
            record(svc, who, "network_read", &f.network, "denied").await?;
            Err(Error::NotFound)
        }
    }
}

/// The same, with what the page reads besides the facts (`more`, given the facts) in
/// the same trip to the database. `more` reads before the reach is known: nothing of it
/// is shown unless the caller's own check lets it.
pub(crate) async fn load_with<T, F>(
    svc: &Services,
    who: &impl Principal,
    id: &str,
    more: F,
) -> Result<(Facts, Reach, T), Error>
where
    T: Send + 'static,
    F: FnOnce(&mut rondom_db::AnyConnection, &Facts) -> Result<T, rondom_db::DbError>
        + Send
        + 'static,
{
    let id = id.to_owned();
    let (f, extra) = svc
        .db
        .read(move |c| {
            let Some(f) = facts_in(c, &id)? else {
                return Ok(None);
            };
            let extra = more(c, &f)?;
            Ok(Some((f, extra)))
        })
        .await?
        .ok_or(Error::NotFound)?;
    match f.reach(who) {
        Some(reach) => Ok((f, reach, extra)),
        None => {
            record(svc, who, "network_read", &f.network, "denied").await?;
            Err(Error::NotFound)
        }
    }
}

/// Who may open a network from a referral: its case director, or a consultant or team
/// leader of the team that accepted it.
fn may_open(who: &impl Principal, r: &Referral) -> bool {
    r.case_director_id.as_deref() == Some(who.actor().user_id.as_str())
        || receives_for(who.actor(), &r.to_org_id)
}

/// The network of this referral's child, if there is one (and whether this person may
/// open one while there is none).
pub async fn for_referral(
    svc: &Services,
    who: &impl Principal,
    r: &Referral,
) -> Result<(Option<NetworkId>, bool), Error> {
    let child = r.child_id.to_string();
    let existing = svc
        .db
        .read(move |c| db::of_child(c, &child))
        .await?
        .map(|n| n.id);
    let running = matches!(
        r.status,
        Status::Accepted | Status::InProgress | Status::OnHold
    );
    Ok((
        existing.clone(),
        existing.is_none() && running && may_open(who, r),
    ))
}

/// Opens the child's network from an accepted referral, with the members the referral
/// names: the case director (who coordinates), the referrer, the school, and the
/// providers the team referred on to. Answers the network (the existing one when the
/// child has one already).
pub async fn open(
    svc: &Services,
    who: &impl Principal,
    referral_id: &str,
) -> Result<Checked<NetworkId>, Error> {
    let r = crate::referral::load(svc, who, referral_id, Action::Update).await?;
    if !may_open(who, &r) {
        return Err(Error::NotFound);
    }
    if let (Some(existing), _) = for_referral(svc, who, &r).await? {
        return Ok(Ok(existing));
    }
    if !matches!(
        r.status,
        Status::Accepted | Status::InProgress | Status::OnHold
    ) {
        return Ok(Err(vec![ValidationError::new(
            "netwerk",
            "Een netwerk opent u als de verwijzing is geaccepteerd.",
        )]));
    }
    let coordinator = r
        .case_director_id
        .as_ref()
        .map_or_else(|| who.actor().user_id.clone(), ToString::to_string);
    let opener = who.actor().user_id.clone();
    let rr = r.clone();
    let id = svc
        .db
        .write(move |c| {
            let onward: Vec<Referral> = rondom_db::referrals::onward_of(c, &rr.id)?
                .into_iter()
                .map(|l| l.r)
                .collect();
            let role_of = |c: &mut rondom_db::AnyConnection, user: &str, org: &str| {
                Ok::<_, rondom_db::DbError>(
                    rondom_db::organisations::members(c, org)?
                        .into_iter()
                        .find(|m| m.user_id == user)
                        .map(|m| job(m.role))
                        .unwrap_or("professional"),
                )
            };
            let referrer_role = role_of(c, &rr.referrer_id, &rr.from_org_id)?;
            let mut members = vec![
                NewMember {
                    kind: PROFESSIONAL,
                    user_id: Some(&coordinator),
                    organisation_id: Some(&rr.to_org_id),
                    name_sealed: None,
                    relation: None,
                    gezag: false,
                    role_label: "casusregisseur",
                    state: ACTIVE,
                },
                NewMember {
                    kind: PROFESSIONAL,
                    user_id: Some(&rr.referrer_id),
                    organisation_id: Some(&rr.from_org_id),
                    name_sealed: None,
                    relation: None,
                    gezag: false,
                    role_label: referrer_role,
                    state: ACTIVE,
                },
            ];
            if let Some(school) = &rr.school_id {
                members.push(NewMember {
                    kind: ORGANISATION,
                    user_id: None,
                    organisation_id: Some(school),
                    name_sealed: None,
                    relation: None,
                    gezag: false,
                    role_label: "school",
                    state: ACTIVE,
                });
            }
            for o in onward.iter().filter(|o| o.status != Status::Draft) {
                members.push(NewMember {
                    kind: ORGANISATION,
                    user_id: None,
                    organisation_id: Some(&o.to_org_id),
                    name_sealed: None,
                    relation: None,
                    gezag: false,
                    role_label: "zorgaanbieder",
                    state: ACTIVE,
                });
            }
            // The referrer may be the case director (a team's own referral).
            members.dedup_by(|a, b| a.user_id.is_some() && a.user_id == b.user_id);
            db::open(
                c,
                &rr.child_id,
                &coordinator,
                &rr.to_org_id,
                Some(&rr.id),
                &opener,
                &members,
            )
        })
        .await?;
    let network = facts(svc, &id).await?.ok_or(Error::NotFound)?.network;
    record(svc, who, "network_open", &network, "allowed").await?;
    Ok(Ok(id))
}

/// What a member does for the child, in words, from their role.
pub fn job(role: Role) -> &'static str {
    match role {
        Role::Huisarts => "huisarts",
        Role::Poh => "POH-jeugd",
        Role::Consulent => "consulent sociaal team",
        Role::Teamleider => "teamleider sociaal team",
        Role::ZorgaanbiederMedewerker => "zorgaanbieder",
        Role::School => "intern begeleider",
        Role::Jgz => "jeugdarts",
        _ => "professional",
    }
}

/// A member's name: their account's, the sealed name of a family member without one, or
/// their organisation's; `names` holds people and organisations by id.
pub(crate) fn member_name(svc: &Services, m: &Member, names: &HashMap<String, String>) -> String {
    match (&m.user_id, &m.name_sealed) {
        (Some(u), _) => names.get(u.as_str()).cloned().unwrap_or_default(),
        (None, Some(sealed)) => svc.secrets.open_shown(sealed, "member name"),
        (None, None) => m
            .organisation_id
            .as_deref()
            .and_then(|o| names.get(o).cloned())
            .unwrap_or_default(),
    }
}

/// A member as the network page shows them.
pub struct MemberView {
    pub id: String,
    pub name: String,
    /// "huisarts bij Huisartsenpraktijk De Linde", "ouder (met gezag)".
    pub what: String,
    pub family: bool,
    pub youth: bool,
    pub removed: bool,
    /// Asked to join; waits for the case director.
    pub proposed: bool,
    /// A family member who can log in (invited).
    pub has_account: bool,
    /// An organisation as a whole (a school, a provider), not a person.
    pub organisation: bool,
    /// The case director who coordinates the network.
    pub coordinator: bool,
    /// The organisation the member acts for, when there is one.
    pub organisation_id: Option<String>,
    /// Per category: whether consent holds for this member (professionals and family
    /// members without the say).
    pub consent: Vec<(Category, Standing)>,
    /// The same in words for the page: what they may see, what waits for an answer,
    /// what was refused.
    pub allowed: Vec<&'static str>,
    pub waiting: Vec<&'static str>,
    pub refused: Vec<&'static str>,
}

/// What a network page shows, as far as this person reaches.
pub struct NetworkView {
    pub id: String,
    pub reach: Reach,
    /// Shown from `Member` on; the coordinator's organisation is always shown.
    pub child_name: Option<String>,
    pub child_age: Option<i32>,
    pub coordinator: String,
    pub coordinator_org: String,
    pub referral_id: Option<String>,
    pub members: Vec<MemberView>,
    /// The family members who can answer (for the consent form).
    pub can_answer: Vec<(String, String)>,
    /// The person looking is one of the child's family in this network.
    pub viewer_is_family: bool,
    /// The person looking is the youth themselves (the page says "je").
    pub viewer_is_youth: bool,
    /// The person looking is family with the say over consent: they may admit and take
    /// out professionals.
    pub viewer_decides: bool,
    /// The person looking may open the plan (a professional without the family's consent
    /// for it may not, and is told so instead of being sent to a refusal).
    pub viewer_reads_plan: bool,
    /// The child turned 12 and the youth has not answered yet (or is not in the
    /// network): what was agreed stays in force, nothing new is shared.
    pub youth_to_ask: bool,
    /// For a family member with the say: (member id, category, my answer is yes).
    pub own: Vec<(String, Category, bool)>,
    /// The help around the child (referrals, reason, feedback), where consent allows.
    pub help: Option<help::Help>,
    /// For exchange (FHIR): the child's id and BSN (shown only from `Member` on).
    pub child_id: String,
    pub child_bsn: Option<String>,
    pub coordinator_org_id: String,
}

/// A network as this person may see it; every look is logged with the child.
pub async fn view(
    svc: &Services,
    who: &impl Principal,
    id: &str,
) -> Result<Disclosed<NetworkView>, Error> {
    // The facts, the help and every name on the page in one trip to the database.
    let actor = who.actor().clone();
    let (f, reach, read) = load_with(svc, who, id, move |c, f| {
        let sees = help::sees(f, &crate::message::Quiet(&actor));
        help::read(c, f, sees)
    })
    .await?;
    let (help, names) = help::compute(svc, who, &f, reach, read);
    // Both looks go to the audit writer at once, so they commit together.
    let mut looks = vec![network_event(who, "network_read", &f.network, "allowed")];
    if help.is_some() {
        looks.push(network_event(
            who,
            "network_help_read",
            &f.network,
            "allowed",
        ));
    }
    access::record_all(svc, looks).await?;
    // People and organisations by id (both UUIDs, one map).
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_default();
    let coordinator = name_of(&f.network.coordinator_id);
    let coordinator_org = name_of(&f.network.coordinator_org_id);
    if reach == Reach::ExistsOnly {
        return Ok(Disclosed::logged(NetworkView {
            id: f.network.id.to_string(),
            reach,
            child_name: None,
            child_age: None,
            coordinator,
            coordinator_org,
            referral_id: None,
            members: vec![],
            can_answer: vec![],
            viewer_is_family: f.family_member(who).is_some(),
            viewer_decides: false,
            viewer_reads_plan: false,
            viewer_is_youth: false,
            youth_to_ask: false,
            help: None,
            own: vec![],
            child_id: String::new(),
            child_bsn: None,
            coordinator_org_id: f.network.coordinator_org_id.to_string(),
        }));
    }
    let family = family_of(&f.members);
    let today = crate::dates::today();
    let birth = f.child.birth_date;
    let members: Vec<MemberView> = f
        .members
        .iter()
        .map(|m| {
            let fam = family.iter().find(|x| x.id == m.id.as_str());
            let name = member_name(svc, m, &names);
            let what = match (m.kind.as_str(), fam) {
                (FAMILY, Some(x)) if x.relation == Relation::Jeugdige => "jongere zelf".to_owned(),
                (FAMILY, Some(x)) => format!(
                    "{} ({})",
                    x.relation.label(),
                    if x.gezag { "met gezag" } else { "zonder gezag" }
                ),
                (ORGANISATION, _) => m.role_label.clone(),
                _ => match m.organisation_id.as_deref() {
                    Some(o) => format!("{} bij {}", m.role_label, name_of(o)),
                    None => m.role_label.clone(),
                },
            };
            let decides = fam.is_some_and(|x| rondom_domain::consent::decides(birth, today, x));
            let consent = if decides || !m.is_active() {
                vec![]
            } else {
                Category::ALL
                    .iter()
                    .map(|c| (*c, f.standing(&m.id, *c)))
                    .collect()
            };
            let pick = |want: fn(&Standing) -> bool| -> Vec<&'static str> {
                consent
                    .iter()
                    .filter(|(_, s)| want(s))
                    .map(|(c, _)| c.short())
                    .collect()
            };
            let allowed = pick(Standing::holds);
            let waiting = pick(|s| matches!(s, Standing::Waiting(_)));
            let refused = pick(|s| matches!(s, Standing::Refused));
            MemberView {
                allowed,
                waiting,
                refused,
                id: m.id.to_string(),
                name,
                what,
                family: m.kind == FAMILY,
                youth: fam.is_some_and(|x| x.relation == Relation::Jeugdige),
                removed: m.state == rondom_db::networks::REMOVED,
                proposed: m.state == rondom_db::networks::PROPOSED,
                has_account: m.user_id.is_some(),
                organisation: m.kind == ORGANISATION,
                coordinator: m.user_id.as_deref() == Some(f.network.coordinator_id.as_str()),
                organisation_id: m.organisation_id.as_ref().map(ToString::to_string),
                consent,
            }
        })
        .collect();
    let can_answer = members
        .iter()
        .filter(|m| m.family && !m.removed)
        .map(|m| (m.id.clone(), m.name.clone()))
        .collect();
    let viewer_is_family = f.family_member(who).is_some();
    let viewer_decides = f.family_member(who).is_some_and(|m| f.decides(&m.id));
    let viewer_is_youth = f
        .family_member(who)
        .is_some_and(|m| m.relation.as_deref() == Some(Relation::Jeugdige.code()));
    Ok(Disclosed::logged(NetworkView {
        viewer_reads_plan: crate::plan::readable_by(&f, who, reach),
        help,
        viewer_is_youth,
        viewer_decides,
        youth_to_ask: f.youth_to_ask(),
        own: f.own_answers(who),
        child_id: f.network.child_id.to_string(),
        child_bsn: f
            .child
            .bsn_sealed
            .as_deref()
            .map(|b| svc.secrets.open_shown(b, "bsn")),
        coordinator_org_id: f.network.coordinator_org_id.to_string(),
        viewer_is_family,
        id: f.network.id.to_string(),
        reach,
        child_name: Some(svc.secrets.open_shown(&f.child.name_sealed, "child name")),
        child_age: Some(age_on(birth, today)),
        coordinator,
        coordinator_org,
        referral_id: f.network.referral_id.as_ref().map(ToString::to_string),
        members,
        can_answer,
    }))
}
