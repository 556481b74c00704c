//! The one place that decides who may do what. Handlers ask `authorize(actor, action,
//! resource)` and act on the answer; they never compare roles themselves. Later
//! capabilities (children, referrals, networks) add resources here, so the rules stay
//! readable side by side.

use crate::role::{OrganisationKind, Role};

/// The person acting, with every role they hold and where they hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    /// (organisation id, role) pairs from the person's memberships.
    pub memberships: Vec<(String, Role)>,
    /// Family role held without an organisation.
    pub family_role: Option<Role>,
    /// (organisation id, kind) of each organisation the person works in: what the menu
    /// offers depends on it (a practice's team, a municipality's agreements).
    pub kinds: Vec<(String, OrganisationKind)>,
}

impl Actor {
    pub fn is_platform_admin(&self) -> bool {
        self.memberships.iter().any(|(_, r)| *r == Role::Beheerder)
    }

    pub fn has_role_in(&self, organisation_id: &str, role: Role) -> bool {
        self.memberships
            .iter()
            .any(|(o, r)| o == organisation_id && *r == role)
    }

    pub fn is_member_of(&self, organisation_id: &str) -> bool {
        self.memberships.iter().any(|(o, _)| o == organisation_id)
    }

    /// Organisations whose members this person manages.
    pub fn administered_organisations(&self) -> impl Iterator<Item = &str> {
        self.memberships
            .iter()
            .filter(|(_, r)| *r == Role::OrganisatieBeheerder)
            .map(|(o, _)| o.as_str())
    }

    pub fn roles(&self) -> impl Iterator<Item = Role> + '_ {
        self.memberships
            .iter()
            .map(|(_, r)| *r)
            .chain(self.family_role)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Create,
    Update,
    /// Manage who belongs to an organisation and in which role.
    ManageMembers,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::ManageMembers => "manage_members",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// The list of all organisations in the installation (platform administration).
    Organisations,
    /// One organisation's administration page and settings.
    Organisation(&'a str),
    /// The audit log, whole (`None`) or limited to what members of one organisation did.
    AuditLog(Option<&'a str>),
    /// A person's own account (password, second factor, API tokens).
    Account(&'a str),
    /// The social-team consultants linked to a general practice, their hours there and
    /// how to reach the team ("Mijn team").
    PracticeTeam(&'a str),
    /// The sociale kaart: organisations, people and the offer.
    Directory,
    /// What one organisation publishes in the sociale kaart (its profile, locations and
    /// services): only that organisation's admins change it.
    DirectoryEntry(&'a str),
    /// A consultation question (overleg) from a practice to a social team: the practice's
    /// GPs and POHs and the team's consultants and team leaders take part.
    Consultation { practice: &'a str, team: &'a str },
    /// A social team's queue of consultation questions.
    ConsultationQueue(&'a str),
    /// Asking a consultation question on behalf of a practice.
    ConsultationFrom(&'a str),
    /// A referral from one organisation (`from`) to another (`to`): the referring side's
    /// GPs, POHs, JGZ doctors or consultants, and the receiving side's consultants, team
    /// leaders or provider staff take part. Nobody else, platform admins included.
    Referral { from: &'a str, to: &'a str },
    /// Making a referral on behalf of an organisation.
    ReferralFrom(&'a str),
    /// One organisation's referrals (sent and received).
    ReferralInbox(&'a str),
    /// A municipality's referral agreements (verwijskader): the municipality's own admins
    /// set them; every professional may read them.
    ReferralAgreements(&'a str),
    /// The stuurinformatie of an organisation: a municipality's for its beleidsmedewerkers,
    /// a social team's for its team leaders, a practice's for its GPs and POHs. Aggregates
    /// only; platform admins get nothing.
    Stuurinformatie(&'a str),
}

impl Resource<'_> {
    /// The organisations whose data this is: their admins see every attempt on it in
    /// their own audit view, refused ones by outsiders included.
    pub fn subject_organisations(&self) -> Vec<&str> {
        match *self {
            Self::Organisations | Self::Directory | Self::Account(_) | Self::AuditLog(None) => {
                vec![]
            }
            Self::Organisation(o)
            | Self::AuditLog(Some(o))
            | Self::PracticeTeam(o)
            | Self::DirectoryEntry(o)
            | Self::ConsultationQueue(o)
            | Self::ConsultationFrom(o)
            | Self::ReferralFrom(o)
            | Self::ReferralInbox(o)
            | Self::ReferralAgreements(o)
            | Self::Stuurinformatie(o) => vec![o],
            Self::Consultation { practice, team } => vec![practice, team],
            Self::Referral { from, to } => vec![from, to],
        }
    }

    pub fn object_type(&self) -> &'static str {
        match self {
            Self::Organisations | Self::Organisation(_) => "organisation",
            Self::AuditLog(_) => "audit_log",
            Self::Account(_) => "user",
            Self::PracticeTeam(_) => "practice_team",
            Self::Directory => "directory",
            Self::DirectoryEntry(_) => "directory_entry",
            Self::Consultation { .. } | Self::ConsultationFrom(_) => "consultation",
            Self::ConsultationQueue(_) => "consultation_queue",
            Self::Referral { .. } | Self::ReferralFrom(_) => "referral",
            Self::ReferralInbox(_) => "referral_inbox",
            Self::ReferralAgreements(_) => "referral_agreements",
            Self::Stuurinformatie(_) => "stuurinformatie",
        }
    }

    pub fn object_id(&self) -> Option<&str> {
        match self {
            Self::Organisations | Self::AuditLog(None) | Self::Directory => None,
            Self::Organisation(id)
            | Self::AuditLog(Some(id))
            | Self::Account(id)
            | Self::PracticeTeam(id)
            | Self::DirectoryEntry(id)
            | Self::ConsultationQueue(id)
            | Self::ConsultationFrom(id)
            | Self::ReferralFrom(id)
            | Self::ReferralInbox(id)
            | Self::ReferralAgreements(id)
            | Self::Stuurinformatie(id) => Some(id),
            Self::Consultation { .. } | Self::Referral { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Self::Allow
    }
}

fn allow_if(cond: bool) -> Decision {
    if cond {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

pub fn authorize(actor: &Actor, action: Action, resource: Resource<'_>) -> Decision {
    let platform = actor.is_platform_admin();
    match (resource, action) {
        (Resource::Organisations, Action::Read | Action::Create) => allow_if(platform),
        (Resource::Organisations, _) => Decision::Deny,
        (Resource::Organisation(id), Action::Read | Action::Update | Action::ManageMembers) => {
            allow_if(platform || actor.has_role_in(id, Role::OrganisatieBeheerder))
        }
        (Resource::Organisation(_), Action::Create) => allow_if(platform),
        (Resource::AuditLog(None), Action::Read) => allow_if(platform),
        (Resource::AuditLog(Some(id)), Action::Read) => {
            allow_if(platform || actor.has_role_in(id, Role::OrganisatieBeheerder))
        }
        (Resource::AuditLog(_), _) => Decision::Deny,
        (Resource::Account(id), Action::Read | Action::Update) => allow_if(actor.user_id == id),
        (Resource::Account(_), _) => Decision::Deny,
        // Everyone working in the practice sees its team; so do platform admins.
        (Resource::PracticeTeam(id), Action::Read) => allow_if(platform || actor.is_member_of(id)),
        (Resource::PracticeTeam(id), Action::Update) => {
            allow_if(platform || actor.has_role_in(id, Role::OrganisatieBeheerder))
        }
        (Resource::PracticeTeam(_), _) => Decision::Deny,
        // Every professional may look things up; families see their own network later.
        (Resource::Directory, Action::Read) => allow_if(!actor.memberships.is_empty()),
        (Resource::Directory, _) => Decision::Deny,
        // Not even platform admins: an organisation answers for its own entries.
        (Resource::DirectoryEntry(id), Action::Update | Action::Create) => {
            allow_if(actor.has_role_in(id, Role::OrganisatieBeheerder))
        }
        (Resource::DirectoryEntry(_), Action::Read) => allow_if(!actor.memberships.is_empty()),
        (Resource::DirectoryEntry(_), _) => Decision::Deny,
        (Resource::Consultation { practice, team }, Action::Read | Action::Update) => {
            allow_if(asks_for(actor, practice) || answers_for(actor, team))
        }
        (Resource::Consultation { .. }, _) => Decision::Deny,
        (Resource::ConsultationQueue(team), Action::Read) => allow_if(answers_for(actor, team)),
        (Resource::ConsultationQueue(_), _) => Decision::Deny,
        (Resource::ConsultationFrom(practice), Action::Create) => {
            allow_if(asks_for(actor, practice))
        }
        (Resource::ConsultationFrom(_), _) => Decision::Deny,
        (Resource::Referral { from, to }, Action::Read | Action::Update) => {
            allow_if(refers_for(actor, from) || receives_for(actor, to))
        }
        (Resource::Referral { .. }, _) => Decision::Deny,
        (Resource::ReferralFrom(org), Action::Create) => allow_if(refers_for(actor, org)),
        (Resource::ReferralFrom(_), _) => Decision::Deny,
        (Resource::ReferralInbox(org), Action::Read) => {
            allow_if(refers_for(actor, org) || receives_for(actor, org))
        }
        (Resource::ReferralInbox(_), _) => Decision::Deny,
        (Resource::ReferralAgreements(org), Action::Create | Action::Update) => {
            allow_if(actor.has_role_in(org, Role::OrganisatieBeheerder))
        }
        (Resource::ReferralAgreements(_), Action::Read) => allow_if(!actor.memberships.is_empty()),
        (Resource::ReferralAgreements(_), _) => Decision::Deny,
        (Resource::Stuurinformatie(org), Action::Read) => allow_if(steers(actor, org)),
        (Resource::Stuurinformatie(_), _) => Decision::Deny,
    }
}

/// Refers children on behalf of this organisation: its GPs and POHs, JGZ doctors, and
/// a social team's consultants and team leaders (who refer on to specialised care).
pub fn refers_for(actor: &Actor, org: &str) -> bool {
    [
        Role::Huisarts,
        Role::Poh,
        Role::Jgz,
        Role::Consulent,
        Role::Teamleider,
    ]
    .into_iter()
    .any(|r| actor.has_role_in(org, r))
}

/// Takes referrals in on behalf of this organisation: a social team's consultants and
/// team leaders, a provider's staff.
pub fn receives_for(actor: &Actor, org: &str) -> bool {
    [
        Role::Consulent,
        Role::Teamleider,
        Role::ZorgaanbiederMedewerker,
    ]
    .into_iter()
    .any(|r| actor.has_role_in(org, r))
}

/// Asks the social team on behalf of this organisation (the overleglijn) and reads its
/// questions: a practice's GPs and POHs, a school's intern begeleider, a JGZ doctor.
pub fn asks_for(actor: &Actor, org: &str) -> bool {
    [Role::Huisarts, Role::Poh, Role::School, Role::Jgz]
        .into_iter()
        .any(|r| actor.has_role_in(org, r))
}

/// A consultant or team leader of this social team: picks up and answers its questions.
pub fn answers_for(actor: &Actor, team: &str) -> bool {
    actor.has_role_in(team, Role::Consulent) || actor.has_role_in(team, Role::Teamleider)
}

/// A team leader of this social team: sees the team's caseload per consultant, its
/// waiting list and what is past its term.
pub fn leads_team(actor: &Actor, team: &str) -> bool {
    actor.has_role_in(team, Role::Teamleider)
}

/// Reads the stuurinformatie of this organisation: a beleidsmedewerker of a
/// municipality, a team leader of a social team, a GP or POH of a practice (each only
/// in an organisation of that kind).
pub fn steers(actor: &Actor, org: &str) -> bool {
    let kind = actor.kinds.iter().find(|(o, _)| o == org).map(|(_, k)| *k);
    match kind {
        Some(OrganisationKind::Gemeente) => actor.has_role_in(org, Role::Beleidsmedewerker),
        Some(OrganisationKind::SociaalTeam) => actor.has_role_in(org, Role::Teamleider),
        Some(OrganisationKind::Huisartsenpraktijk) => {
            actor.has_role_in(org, Role::Huisarts) || actor.has_role_in(org, Role::Poh)
        }
        _ => false,
    }
}

/// The organisations where `may` holds for this actor, each once, in membership order.
/// A school's pupil-care staff hear of the referrals that name their school, at the
/// steps the verwijskader informs the school of: who helps and how far it is, never the
/// referral itself.
pub fn informed_as_school(actor: &Actor, school: &str) -> bool {
    actor.has_role_in(school, Role::School)
}

pub fn organisations_where(actor: &Actor, may: fn(&Actor, &str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (o, _) in &actor.memberships {
        if may(actor, o) && !out.contains(o) {
            out.push(o.clone());
        }
    }
    out
}

/// What a person finds in the menu: decided here, from what the policy lets them do, so
/// that no page shows a way in that the policy would refuse (nor hides one it allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Works for an organisation (a professional), rather than for a family.
    pub professional: bool,
    /// Asks the social team questions (overleg) or answers them.
    pub consults: bool,
    /// Refers children, or takes referrals in.
    pub refers: bool,
    /// Runs an organisation's affairs, or the platform.
    pub administers: bool,
    /// May read an audit log (the whole one, or an organisation's).
    pub reads_audit: bool,
    /// Works in a general practice: "Mijn team" (its consultant, the overleglijn).
    pub in_practice: bool,
    /// Works for a municipality, whose referral agreements (verwijskader) it keeps.
    pub in_municipality: bool,
    /// Works in a school's pupil care, which hears of its pupils' referrals.
    pub hears_of_pupils: bool,
    /// Reads stuurinformatie (a municipality's, a team's or a practice's figures).
    pub steers: bool,
}

pub fn capabilities(actor: &Actor) -> Capabilities {
    let administers_some = actor.administered_organisations().next().is_some();
    let any = |may: fn(&Actor, &str) -> bool| actor.memberships.iter().any(|(o, _)| may(actor, o));
    Capabilities {
        professional: !actor.memberships.is_empty(),
        consults: any(asks_for) || any(answers_for),
        refers: any(refers_for) || any(receives_for),
        administers: actor.is_platform_admin() || administers_some,
        reads_audit: administers_some
            || authorize(actor, Action::Read, Resource::AuditLog(None)).is_allowed(),
        in_practice: actor
            .kinds
            .iter()
            .any(|(_, k)| *k == OrganisationKind::Huisartsenpraktijk),
        in_municipality: actor.kinds.iter().any(|(_, k)| k.is_municipality()),
        hears_of_pupils: any(informed_as_school),
        steers: any(steers),
    }
}

/// Whether a social team's link to a practice holds at once. A link puts the team in the
/// practice's Rondom (its Mijn team, the teams it asks and refers to, and so the
/// practice's referrals), so the practice must agree; where the team serves the
/// practice's own municipality (its seat, or a municipality in its werkgebied) that
/// agreement is the municipality's arrangement, and the practice is only told. Anywhere
/// else the practice's admin accepts first.
pub fn link_holds_at_once(
    practice_gemeente: &str,
    team_gemeente: &str,
    team_werkgebied_gemeenten: &[&str],
) -> bool {
    practice_gemeente == team_gemeente || team_werkgebied_gemeenten.contains(&practice_gemeente)
}

#[cfg(test)]
mod tests;
