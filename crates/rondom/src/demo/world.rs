//! The demo's world while it is built: the seeded generator, today's
//! date, and the organisations and people made so far (counted for the summary).

use super::data::*;
use super::{DemoLogin, GEMEENTE, Gen, email_for, job_title, slug};
use chrono::NaiveDate;
use rand::Rng;
use rondom_app::directory::hsds::import::round6;
use rondom_db::organisations::{self as orgs, District, Organisation, OrganisationInput};
use rondom_db::{AnyConnection, DbError, directory, users};
use rondom_domain::ids::{LocationId, OrganisationId};
use rondom_domain::{OrganisationKind, Role};
use std::collections::HashMap;

/// (code, name, centre). Postcodes follow `Gen::postcode`: two numbers per wijk.
pub(super) const DISTRICTS: [(&str, &str, (f64, f64)); 5] = [
    ("WK999901", "Centrum", (52.1000, 5.6000)),
    ("WK999902", "Noord", (52.1160, 5.6050)),
    ("WK999903", "Zuid", (52.0840, 5.5980)),
    ("WK999904", "Oosterhout", (52.1020, 5.6330)),
    ("WK999905", "Dorpen", (52.1350, 5.6700)),
];

/// The practices: (name, district, has a POH-jeugd).
const PRACTICES: [(&str, usize, bool); 6] = [
    ("Huisartsenpraktijk De Linde", 0, true),
    ("Gezondheidscentrum Noord", 1, true),
    ("Huisartsen Zuiderpark", 2, false),
    ("Huisartsenpraktijk Oosterhout", 3, true),
    ("Huisartsenpraktijk Het Dorp", 4, false),
    ("Medisch Centrum Stationsplein", 0, false),
];

pub(super) struct World<'p> {
    pub g: Gen,
    pub today: NaiveDate,
    /// Each organisation's main location, for services and nearness.
    pub location_of: HashMap<OrganisationId, LocationId>,
    pub password_hash: &'p str,
    pub org_count: usize,
    pub user_count: usize,
    pub logins: Vec<DemoLogin>,
}

/// The organisations of the demo municipality.
pub(super) struct Organisations {
    pub platform: Organisation,
    pub gemeente: Organisation,
    pub team: Organisation,
    pub jgz: Organisation,
    pub practices: Vec<Organisation>,
    /// With accounts (the first two); `more_schools` are in the sociale kaart only.
    pub schools: [Organisation; 2],
    pub more_schools: Vec<Organisation>,
    pub providers: Vec<Organisation>,
    /// The wider offer of the region (`EXTRA_PROVIDERS`), directory only.
    pub extra: Vec<Organisation>,
}

/// The e-mail addresses of the people others work with: a GP per practice, the
/// consultants (the first of each practice's link).
pub(super) struct Staff {
    pub gps: Vec<String>,
    pub consultants: Vec<String>,
}

impl<'p> World<'p> {
    pub fn new(g: Gen, password_hash: &'p str) -> Self {
        Self {
            g,
            today: chrono::Utc::now().date_naive(),
            location_of: HashMap::new(),
            password_hash,
            org_count: 0,
            user_count: 0,
            logins: Vec::new(),
        }
    }

    /// An organisation with its main location and a checked profile.
    pub fn org(
        &mut self,
        c: &mut AnyConnection,
        name: &str,
        kind: OrganisationKind,
        district: usize,
        agb: Option<String>,
    ) -> Result<Organisation, DbError> {
        let w = self;
        let (street, house_number) = w.g.street();
        let city = if district == 4 {
            "Voorbeeld-Dorp"
        } else {
            "Voorbeeld"
        };
        let input = OrganisationInput {
            name: name.into(),
            kind,
            agb_code: agb,
            gemeente_code: GEMEENTE.into(),
            wijk_code: Some(DISTRICTS[district].0.into()),
            street,
            house_number,
            postcode: w.g.postcode(district),
            city: city.into(),
            phone: Some(w.g.phone()),
            email: Some(format!("info@{}.example", slug(name))),
        };
        w.org_count += 1;
        let org = orgs::create(c, &input)?;
        let centre = DISTRICTS[district].2;
        let location = directory::Location {
            id: LocationId::trusted(rondom_db::new_id()),
            organisation_id: org.id.clone(),
            name: format!("{} ({})", org.name, DISTRICTS[district].1),
            street: org.street.clone(),
            house_number: org.house_number.clone(),
            postcode: org.postcode.clone(),
            city: org.city.clone(),
            country: "NL".into(),
            latitude: Some(round6(centre.0 + w.g.rng.gen_range(-0.006..0.006))),
            longitude: Some(round6(centre.1 + w.g.rng.gen_range(-0.009..0.009))),
            last_checked_on: w.today,
        };
        directory::insert_location(c, &location)?;
        w.location_of.insert(org.id.clone(), location.id);
        orgs::set_profile(
            c,
            &org.id,
            None,
            Some(&format!("https://www.{}.example", slug(name))),
            Some(w.today),
        )?;
        Ok(org)
    }

    /// A professional of `org` with these roles; answers the e-mail address.
    pub fn person(
        &mut self,
        c: &mut AnyConnection,
        org: &Organisation,
        roles: &[Role],
    ) -> Result<String, DbError> {
        let w = self;
        let name = w.g.name();
        let email = email_for(&name, &org.name);
        let id = users::create(
            c,
            &users::NewUser {
                email: &email,
                name: &name,
                password_hash: Some(w.password_hash),
                family_role: None,
                is_demo: true,
            },
        )?;
        for r in roles {
            orgs::add_membership(c, &id, &org.id, r.as_str())?;
        }
        let mut days: Vec<i32> = (1..=5).filter(|_| w.g.rng.gen_bool(0.75)).collect();
        if days.is_empty() {
            days.push(2);
        }
        directory::set_person_profile(
            c,
            &id,
            roles.first().map(|r| job_title(*r)),
            &days,
            Some(w.today),
        )?;
        w.user_count += 1;
        Ok(email)
    }

    /// One of the logins `serve --demo` prints.
    pub fn login(&mut self, role: &'static str, email: String, org: &Organisation) {
        self.logins.push(DemoLogin {
            role,
            email,
            organisation: org.name.clone(),
        });
    }
}

/// The five wijken of the municipality, with their postcodes and centres.
pub(super) fn districts(c: &mut AnyConnection) -> Result<(), DbError> {
    for (i, (code, name, (lat, lon))) in DISTRICTS.iter().enumerate() {
        let first = 9990 + 2 * i;
        orgs::upsert_district(
            c,
            &District {
                code: (*code).into(),
                gemeente_code: GEMEENTE.into(),
                name: (*name).into(),
                postcodes: Some(format!("{first}-{}", first + 1)),
                latitude: Some(*lat),
                longitude: Some(*lon),
            },
        )?;
    }
    Ok(())
}

/// Every organisation, in a fixed order (the generator's draws depend on it).
pub(super) fn organisations(
    c: &mut AnyConnection,
    w: &mut World,
) -> Result<Organisations, DbError> {
    let platform = w.org(
        c,
        "Rondom Platformbeheer",
        OrganisationKind::Platform,
        0,
        None,
    )?;
    let gemeente = w.org(c, "Gemeente Voorbeeld", OrganisationKind::Gemeente, 0, None)?;
    let team = w.org(
        c,
        "Sociaal Team Voorbeeld",
        OrganisationKind::SociaalTeam,
        0,
        None,
    )?;
    let jgz = w.org(c, "JGZ Voorbeeld", OrganisationKind::Jgz, 1, None)?;
    let mut practice_orgs = Vec::new();
    for (name, district, _) in PRACTICES {
        let agb = w.g.agb("01");
        practice_orgs.push(w.org(
            c,
            name,
            OrganisationKind::Huisartsenpraktijk,
            district,
            Some(agb),
        )?);
    }
    let schools = [
        w.org(
            c,
            "Basisschool De Regenboog",
            OrganisationKind::School,
            1,
            None,
        )?,
        w.org(c, "Voorbeeld College", OrganisationKind::School, 2, None)?,
    ];
    // More schools of the municipality, in the directory only (no accounts yet).
    let mut more_schools = Vec::new();
    for (name, district) in [
        ("Basisschool De Klimop", 3),
        ("Kindcentrum Het Dorp", 4),
        ("Speciaal Onderwijs De Wissel", 0),
    ] {
        more_schools.push(w.org(c, name, OrganisationKind::School, district, None)?);
    }
    let mut providers = Vec::new();
    for (name, district) in [
        ("Jeugd-GGZ Horizon", 0),
        ("Orthopedagogisch Centrum De Brug", 2),
        ("Gezinsbegeleiding Kompas", 3),
    ] {
        let agb = w.g.agb("98");
        providers.push(w.org(
            c,
            name,
            OrganisationKind::Zorgaanbieder,
            district,
            Some(agb),
        )?);
    }

    // The wider offer of the region: contracted providers and welfare organisations, each
    // with its own services (directory only, no accounts yet).
    let mut extra = Vec::new();
    for (name, district, _) in EXTRA_PROVIDERS {
        let agb = w.g.agb("98");
        extra.push(w.org(
            c,
            name,
            OrganisationKind::Zorgaanbieder,
            *district,
            Some(agb),
        )?);
    }
    Ok(Organisations {
        platform,
        gemeente,
        team,
        jgz,
        practices: practice_orgs,
        schools,
        more_schools,
        providers,
        extra,
    })
}

/// The people of every organisation with an account, and the logins shown at start.
pub(super) fn staff(
    c: &mut AnyConnection,
    w: &mut World,
    o: &Organisations,
) -> Result<Staff, DbError> {
    let Organisations {
        platform,
        gemeente,
        team,
        jgz,
        practices: practice_orgs,
        schools,
        providers,
        ..
    } = o;
    let practices = PRACTICES;
    let e = w.person(c, platform, &[Role::Beheerder])?;
    w.login("platformbeheerder", e, platform);
    let e = w.person(
        c,
        gemeente,
        &[Role::Beleidsmedewerker, Role::OrganisatieBeheerder],
    )?;
    w.login("beleidsmedewerker", e, gemeente);
    w.person(c, gemeente, &[Role::Beleidsmedewerker])?;

    let e = w.person(c, team, &[Role::Teamleider, Role::OrganisatieBeheerder])?;
    w.login("teamleider", e, team);
    let mut consultants = Vec::new();
    for i in 0..7 {
        let e = w.person(c, team, &[Role::Consulent])?;
        consultants.push(e.clone());
        if i == 0 {
            w.login("consulent", e, team);
        }
    }
    let e = w.person(c, jgz, &[Role::Jgz, Role::OrganisatieBeheerder])?;
    w.login("jeugdarts (JGZ)", e, jgz);
    w.person(c, jgz, &[Role::Jgz])?;

    let mut gps = Vec::new();
    for (i, (p, (_, _, has_poh))) in practice_orgs.iter().zip(practices).enumerate() {
        let e = w.person(c, p, &[Role::Huisarts, Role::OrganisatieBeheerder])?;
        gps.push(e.clone());
        if i == 0 {
            w.login("huisarts", e, p);
        }
        w.person(c, p, &[Role::Huisarts])?;
        if has_poh {
            let e = w.person(c, p, &[Role::Poh])?;
            if i == 0 {
                w.login("POH-jeugd", e, p);
            }
        }
    }
    for (i, s) in schools.iter().enumerate() {
        let e = w.person(c, s, &[Role::School, Role::OrganisatieBeheerder])?;
        if i == 0 {
            w.login("intern begeleider", e, s);
        }
    }
    for (i, p) in providers.iter().enumerate() {
        let e = w.person(
            c,
            p,
            &[Role::ZorgaanbiederMedewerker, Role::OrganisatieBeheerder],
        )?;
        if i == 0 {
            w.login("zorgaanbieder", e, p);
        }
        w.person(c, p, &[Role::ZorgaanbiederMedewerker])?;
    }
    Ok(Staff { gps, consultants })
}
