//! The messages benchmark's world (bench/messages.sh, the workload Synapse was measured
//! with): 4 networks of 5 members (the case director, the GP, a provider's professional
//! and two parents with gezag), consent for membership and messages given, one
//! conversation each, and an API token for each of the 20 people.

use rondom_db::messages as msgs;
use rondom_db::networks::{self as nets, ACTIVE, NewAnswer, NewMember};
use rondom_db::{AnyConnection, Db, DbError};
use rondom_domain::OrganisationKind;

/// One bench person: (conversation id, token, what they are).
pub type Seat = (String, String, &'static str);

pub fn add(db: &Db, key: &rondom_app::secrets::Secret) -> Result<Vec<Seat>, String> {
    let secrets = rondom_app::secrets::SecretBox::new(key)?;
    db.write_blocking(|c| build(c, &secrets))
        .map_err(|e| format!("the message bench's world could not be made: {e}"))
}

fn org_of(c: &mut AnyConnection, kind: OrganisationKind) -> Result<String, DbError> {
    rondom_db::organisations::list(c)?
        .into_iter()
        .find(|o| o.kind == kind)
        .map(|o| o.id.to_string())
        .ok_or(DbError::NotFound)
}

fn build(
    c: &mut AnyConnection,
    secrets: &rondom_app::secrets::SecretBox,
) -> Result<Vec<Seat>, DbError> {
    let seal = |t: &str| secrets.seal(t).map_err(DbError::Unavailable);
    let team = org_of(c, OrganisationKind::SociaalTeam)?;
    let practice = org_of(c, OrganisationKind::Huisartsenpraktijk)?;
    let provider = org_of(c, OrganisationKind::Zorgaanbieder)?;
    let mut out = Vec::new();
    for n in 0..4 {
        let person = |c: &mut AnyConnection,
                      what: &str,
                      org: Option<(&str, &str)>,
                      family: Option<&str>|
         -> Result<String, DbError> {
            let email = format!("bench.{what}{n}@berichten.example");
            let id = rondom_db::users::create(
                c,
                &rondom_db::users::NewUser {
                    email: &email,
                    name: &format!("Bench {what} {n}"),
                    password_hash: None,
                    family_role: family,
                    is_demo: true,
                },
            )?;
            if let Some((o, role)) = org {
                rondom_db::organisations::add_membership(c, &id, o, role)?;
            }
            Ok(id.to_string())
        };
        let director = person(c, "consulent", Some((&team, "consulent")), None)?;
        let gp = person(c, "huisarts", Some((&practice, "huisarts")), None)?;
        let worker = person(
            c,
            "zorg",
            Some((&provider, "zorgaanbieder_medewerker")),
            None,
        )?;
        let mother = person(c, "moeder", None, Some("ouder_verzorger"))?;
        let father = person(c, "vader", None, Some("ouder_verzorger"))?;
        let child = rondom_db::referrals::create_child(
            c,
            &rondom_db::referrals::NewChild {
                wijk_code: None,
                name_sealed: &seal(&format!("Bench Kind {n}"))?,
                birth_date: rondom_app::dates::today() - chrono::Duration::days(3000),
                gemeente_code: "GM9999",
                bsn_sealed: None,
                created_by: &director,
                match_bsn: None,
                match_name: None,
            },
        )?;
        let pro =
            |user: &'_ str, org: &'_ str, label: &'static str| -> (String, String, &'static str) {
                (user.to_owned(), org.to_owned(), label)
            };
        let professionals = [
            pro(&director, &team, "casusregisseur"),
            pro(&gp, &practice, "huisarts"),
            pro(&worker, &provider, "zorgaanbieder"),
        ];
        let mut members: Vec<NewMember<'_>> = professionals
            .iter()
            .map(|(u, o, label)| NewMember {
                kind: "professional",
                user_id: Some(u),
                organisation_id: Some(o),
                name_sealed: None,
                relation: None,
                gezag: false,
                role_label: label,
                state: ACTIVE,
            })
            .collect();
        for parent in [&mother, &father] {
            members.push(NewMember {
                kind: "family",
                user_id: Some(parent),
                organisation_id: None,
                name_sealed: None,
                relation: Some("ouder"),
                gezag: true,
                role_label: "ouder",
                state: ACTIVE,
            });
        }
        let network = nets::open(c, &child, &director, &team, None, &director, &members)?;
        let all = nets::members(c, &network)?;
        let id_of = |user: &str| {
            all.iter()
                .find(|m| m.user_id.as_deref() == Some(user))
                .map(|m| m.id.to_string())
                .ok_or(DbError::NotFound)
        };
        let today = rondom_app::dates::today();
        for grantee in [&gp, &worker] {
            for parent in [&mother, &father] {
                for category in ["membership", "messages", "documents"] {
                    nets::add_answer(
                        c,
                        &network,
                        &NewAnswer {
                            grantee_id: &id_of(grantee)?,
                            category,
                            by_member_id: &id_of(parent)?,
                            given: true,
                            how: "mondeling",
                            answered_on: today,
                            recorded_by: &director,
                        },
                    )?;
                }
            }
        }
        let (_, wrapped) = secrets.new_data_key().map_err(DbError::Unavailable)?;
        let wrapped = msgs::put_network_key(c, &network, &wrapped)?;
        let key = secrets
            .open_data_key(&wrapped)
            .map_err(DbError::Unavailable)?;
        let title = key.seal("Afspraken").map_err(DbError::Unavailable)?;
        let conv = msgs::create_conversation(c, &network, "network", &title, &director, &[])?;
        for (user, what) in [
            (&director, "consulent"),
            (&gp, "huisarts"),
            (&worker, "zorg"),
            (&mother, "ouder"),
            (&father, "ouder"),
        ] {
            let (value, hash) = rondom_app::auth::new_api_token();
            rondom_db::tokens::create_api_token(c, user, "berichten-bench", &hash)?;
            out.push((conv.to_string(), value, what));
        }
    }
    Ok(out)
}
