//! A year of referrals in the demo municipality: from every practice to the social team
//! (and a few directly to specialised care), in every state, with feedback, case
//! directors, onward referrals to the providers, and some overdue. Also the municipality's
//! referral agreements in two versions. Everything about the children is fictional and
//! stored sealed like real data.

use chrono::{NaiveDate, NaiveDateTime};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_db::referrals as db;
use rondom_db::{AnyConnection, DbError, users};
use rondom_domain::Role;
use rondom_domain::agreements::{Agreements, Recipient, Step};
use rondom_domain::ids::{OrganisationId, ServiceId, UserId};
use rondom_domain::referral::Urgency;

mod bulk;
mod stories;
pub use bulk::bulk;
use stories::Practice;

pub struct Cast<'a> {
    pub gemeente_code: &'a str,
    pub gemeente: &'a Organisation,
    pub practices: &'a [Organisation],
    pub gps: &'a [String],
    pub consultants: &'a [String],
    pub team: &'a Organisation,
    pub providers: &'a [Organisation],
    pub schools: &'a [Organisation],
}

/// (problem areas, urgency, reason, help given, what next). Fictional, written for the demo.
const CASES: &[(&str, Urgency, &str, &str, &str)] = &[
    (
        "opvoeding,gedrag",
        Urgency::Regulier,
        "Ouders lopen vast in de opvoeding; veel conflicten thuis sinds de geboorte van een broertje. Ouders willen hulp.",
        "Zes gesprekken opvoedondersteuning thuis; ouders hanteren nu vaste afspraken en een beloningssysteem.",
        "Afgesloten; ouders weten het team te vinden als het opnieuw vastloopt.",
    ),
    (
        "psychisch,school",
        Urgency::Regulier,
        "Somberheid en terugtrekken, verzuim op school. Jongere wil zelf hulp. Gesprek gevoerd met ouders.",
        "Doorverwezen naar de jeugd-GGZ; twaalf behandelgesprekken, school begeleidt de terugkeer.",
        "Nacontrole bij de huisarts over drie maanden.",
    ),
    (
        "financien,opvoeding",
        Urgency::Regulier,
        "Gezin met schulden en veel stress; ouders vragen hulp bij geld en bij de opvoeding.",
        "Budgetcoaching gestart, schuldhulp aangevraagd; kinderen via het fonds op sport.",
        "Budgetcoach blijft betrokken tot de schuldregeling rond is.",
    ),
    (
        "ontwikkeling",
        Urgency::Regulier,
        "Vertraagde spraak-taalontwikkeling en onrust in de groep. Onderzoek gewenst.",
        "Onderzoek door de orthopedagoog; advies aan ouders en school over taalstimulering.",
        "School voert het handelingsplan uit; evaluatie over een half jaar.",
    ),
    (
        "veiligheid,opvoeding",
        Urgency::Spoed,
        "Zorgen over de veiligheid thuis na een melding van school. Overleg gehad met Veilig Thuis; snel contact nodig.",
        "Veiligheidsplan met ouders opgesteld; gezinsbegeleiding twee keer per week.",
        "Casusregisseur blijft betrokken; evaluatie met Veilig Thuis over zes weken.",
    ),
    (
        "gedrag,school",
        Urgency::Regulier,
        "Driftbuien thuis en op school, school overweegt schorsing. Ouders en school vragen samen om hulp.",
        "Gedragstraining voor het kind en oudergesprekken; school gebruikt dezelfde aanpak.",
        "Afgesloten; intern begeleider volgt de afspraken.",
    ),
    (
        "psychisch",
        Urgency::Spoed,
        "Ernstige angstklachten, kan niet meer naar school. Huisarts vraagt spoedbeoordeling.",
        "Spoedintake binnen een week, behandeling voor angst gestart.",
        "Behandeling loopt door bij de jeugd-GGZ.",
    ),
    (
        "sociaal,psychisch",
        Urgency::Regulier,
        "Eenzaam, weinig contact met leeftijdsgenoten, gepest. Ouders zoeken iets in de wijk.",
        "Aangemeld bij de meidengroep en het jongerenwerk; twee gesprekken met de consulent.",
        "Geen vervolg nodig.",
    ),
];

/// A BSN that passes the 11-check.
fn fake_bsn(rng: &mut ChaCha8Rng) -> String {
    loop {
        let mut d: Vec<i64> = (0..8).map(|_| rng.gen_range(0..10)).collect();
        d[0] = rng.gen_range(1..10);
        let s: i64 = d
            .iter()
            .zip([9i64, 8, 7, 6, 5, 4, 3, 2])
            .map(|(x, w)| x * w)
            .sum();
        let last = s % 11;
        if last < 10 {
            d.push(last);
            return d.iter().map(|x| x.to_string()).collect();
        }
    }
}

/// How far a demo referral got.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Draft,
    Waiting,
    Seen,
    Accepted,
    Running,
    OnHold,
    RunningOnward,
    Completed,
    CompletedOnward,
    Rejected,
    Cancelled,
    Failed,
}

/// Every practice gets one referral per fate, so each state shows up in every practice's
/// list; the order also sets their age (see `stories`).
const FATES: [Fate; 14] = [
    Fate::Completed,
    Fate::CompletedOnward,
    Fate::Completed,
    Fate::Rejected,
    Fate::Completed,
    Fate::Cancelled,
    Fate::Failed,
    Fate::RunningOnward,
    Fate::Running,
    Fate::OnHold,
    Fate::Accepted,
    Fate::Seen,
    Fate::Waiting,
    Fate::Draft,
];

/// One version of the agreements as stored: (id, effective from, rules).
type Version = (String, NaiveDate, Agreements);

/// What all the demo referrals share.
struct Scene<'a> {
    secrets: &'a rondom_app::secrets::SecretBox,
    cast: &'a Cast<'a>,
    today: NaiveDate,
    now: NaiveDateTime,
    /// Oldest first.
    versions: Vec<Version>,
    /// Per provider in `cast.providers`, the staff member who acts for it.
    provider_staff: Vec<Option<UserId>>,
    /// (service, provider, service name).
    specialised: Vec<(ServiceId, OrganisationId, String)>,
}

impl Scene<'_> {
    /// Everything about the children is stored sealed like real data.
    fn seal(&self, text: &str) -> Result<String, DbError> {
        self.secrets
            .seal(text)
            .map_err(|e| DbError::Unavailable(format!("sealing demo text: {e}")))
    }

    /// The version in force on `day`; days before the first version get the first.
    fn agreements_on(&self, day: NaiveDate) -> Version {
        self.versions
            .iter()
            .rev()
            .find(|(_, from, _)| *from <= day)
            .cloned()
            .unwrap_or_else(|| self.versions[0].clone())
    }

    /// Urgent psychological cases go straight to specialised care, the rest to the team.
    fn destination(
        &self,
        urgency: Urgency,
        areas: &str,
        k: usize,
    ) -> (OrganisationId, Option<ServiceId>) {
        let direct = urgency == Urgency::Spoed && areas.starts_with("psychisch");
        if direct && !self.specialised.is_empty() {
            let s = &self.specialised[k % self.specialised.len()];
            (s.1.clone(), Some(s.0.clone()))
        } else {
            (self.cast.team.id.clone(), None)
        }
    }

    /// The staff member who acts for `org`, if it is one of the providers and has one.
    fn staff_of(&self, org: &OrganisationId) -> Option<UserId> {
        self.cast
            .providers
            .iter()
            .position(|p| p.id == *org)
            .and_then(|p| self.provider_staff[p].clone())
    }
}

pub fn build(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    secrets: &rondom_app::secrets::SecretBox,
    cast: &Cast<'_>,
) -> Result<usize, DbError> {
    let today = rondom_app::dates::today();
    let now = rondom_db::now();
    let versions = agreement_versions(c, cast, today)?;
    let provider_staff = provider_staff(c, cast)?;
    let specialised = specialised_services(c, cast)?;
    let scene = Scene {
        secrets,
        cast,
        today,
        now,
        versions,
        provider_staff,
        specialised,
    };
    let mut count = 0;
    for (i, org) in cast.practices.iter().enumerate() {
        let (Some(gp), Some(consultant)) = (
            users::find_by_email(c, &cast.gps[i])?,
            users::find_by_email(c, &cast.consultants[i % cast.consultants.len()])?,
        ) else {
            continue;
        };
        let practice = Practice {
            index: i,
            org,
            gp: &gp,
            consultant: &consultant,
        };
        for (k, fate) in FATES.iter().enumerate() {
            count += stories::tell(c, rng, &scene, &practice, k, *fate)?;
        }
    }
    Ok(count)
}

/// Stores the municipality's agreements; answers the versions, oldest first.
fn agreement_versions(
    c: &mut AnyConnection,
    cast: &Cast<'_>,
    today: NaiveDate,
) -> Result<Vec<Version>, DbError> {
    let admin = orgs::members(c, &cast.gemeente.id)?
        .into_iter()
        .find(|m| m.role == Role::OrganisatieBeheerder)
        .map(|m| m.user_id)
        .ok_or(DbError::NotFound)?;

    // Two versions of the agreements: the first from a year and a half ago, the second
    // (shorter acceptance term, two feedback moments, the school named in a referral
    // hears of acceptance and completion) from four months ago.
    let first = Agreements {
        accept_days: 10,
        feedback_days: vec![40],
        ..Agreements::default()
    };
    let mut second = Agreements {
        accept_days: 5,
        feedback_days: vec![20, 60],
        ..Agreements::default()
    };
    for (step, who) in &mut second.inform {
        if matches!(step, Step::Accepted | Step::Completed) {
            who.push(Recipient::School);
        }
    }
    let second_from = today - chrono::Duration::days(120);
    let mut versions = Vec::new();
    for (rules, from, note) in [
        (
            &first,
            today - chrono::Duration::days(540),
            "Eerste afspraken uit het convenant huisartsen – sociaal team.",
        ),
        (
            &second,
            second_from,
            "Na evaluatie: sneller accepteren, twee vaste terugkoppelmomenten, en de school hoort van acceptatie en afronding.",
        ),
    ] {
        let id = db::insert_agreements(
            c,
            &db::NewAgreements {
                gemeente_code: cast.gemeente_code,
                effective_from: from,
                rules,
                note: Some(note),
                created_by: &admin,
            },
        )?;
        versions.push((id, from, rules.clone()));
    }
    Ok(versions)
}

/// Per provider in `cast.providers`, the staff member who acts for it (if any).
fn provider_staff(c: &mut AnyConnection, cast: &Cast<'_>) -> Result<Vec<Option<UserId>>, DbError> {
    cast.providers
        .iter()
        .map(|p| {
            orgs::members(c, &p.id).map(|ms| {
                ms.into_iter()
                    .find(|m| m.role == Role::ZorgaanbiederMedewerker)
                    .map(|m| m.user_id)
            })
        })
        .collect::<Result<_, _>>()
}

/// The providers' specialised services: (service, provider, service name).
fn specialised_services(
    c: &mut AnyConnection,
    cast: &Cast<'_>,
) -> Result<Vec<(ServiceId, OrganisationId, String)>, DbError> {
    Ok(rondom_db::directory::all_services(c)?
        .into_iter()
        .filter(|s| {
            s.category == "specialistisch"
                && cast.providers.iter().any(|p| p.id == s.organisation_id)
        })
        .map(|s| (s.id, s.organisation_id, s.name))
        .collect())
}
