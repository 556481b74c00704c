//! The social team's side of the sociale kaart: each practice's consultant with weekly
//! hours there, the overleglijn, three wijkteams, and what organisations cover.

use super::world::{Organisations, Staff, World};
use super::{GEMEENTE, NEIGHBOUR, slug};
use rand::Rng;
use rondom_db::{AnyConnection, DbError, directory, users};
use rondom_domain::ids::TeamId;

pub(super) fn build(
    c: &mut AnyConnection,
    w: &mut World,
    o: &Organisations,
    staff: &Staff,
) -> Result<(), DbError> {
    let (team, practice_orgs, providers) = (&o.team, &o.practices, &o.providers);
    let consultants = &staff.consultants;
    // Every practice has its own consultant with weekly hours there (issue 3's
    // koppeling), and the team has an overleglijn.
    directory::set_overleglijn(
        c,
        &team.id,
        "0345 700 800",
        "maandag tot en met vrijdag 08:30–17:00",
    )?;
    for (i, practice) in practice_orgs.iter().enumerate() {
        let Some(consultant) = users::find_by_email(c, &consultants[i])? else {
            continue;
        };
        directory::set_phone(c, &consultant.id, &w.g.phone())?;
        let link = directory::link_consultant(c, &practice.id, &team.id, &consultant.id)?;
        let weekday = 1 + (i as i32 % 5);
        let start = if w.g.rng.gen_bool(0.5) {
            9 * 60
        } else {
            13 * 60
        };
        directory::add_hours(c, &link, weekday, start, start + 180)?;
        if w.g.rng.gen_bool(0.5) {
            directory::add_hours(c, &link, 1 + ((weekday + 1) % 5), 9 * 60, 11 * 60 + 30)?;
        }
        if i == 1 {
            // A holiday in two weeks' time.
            let day = w.today + chrono::Duration::days(14);
            directory::add_exception(c, &link, day, Some("vakantie"))?;
        }
    }

    // The social team works in three wijkteams; each consultant is in one.
    let wijkteams = [
        ("Wijkteam Centrum-Noord", "Centrum en Noord", "0345 700 810"),
        (
            "Wijkteam Zuid-Oosterhout",
            "Zuid en Oosterhout",
            "0345 700 820",
        ),
        ("Wijkteam Dorpen", "de dorpen", "0345 700 830"),
    ];
    for (i, (name, covers, phone)) in wijkteams.iter().enumerate() {
        let mut members = Vec::new();
        for (j, email) in consultants.iter().enumerate() {
            if j % wijkteams.len() == i
                && let Some(u) = users::find_by_email(c, email)?
            {
                members.push(u.id.to_string());
            }
        }
        directory::save_team(
            c,
            &directory::Team {
                id: TeamId::trusted(rondom_db::new_id()),
                organisation_id: team.id.clone(),
                name: (*name).into(),
                description: Some(format!(
                    "Consulenten voor gezinnen in {covers}: vragen over opvoeden, school, geld en veiligheid."
                )),
                phone: Some((*phone).into()),
                email: Some(format!("{}@sociaalteam.example", slug(name))),
                last_checked_on: w.today,
            },
            &members,
        )?;
    }
    // What organisations cover as a whole: the municipality, and the region for
    // contracted providers.
    directory::set_organisation_areas(c, &team.id, &[("gemeente".into(), GEMEENTE.into())])?;
    for p in providers {
        directory::set_organisation_areas(
            c,
            &p.id,
            &[
                ("gemeente".into(), GEMEENTE.into()),
                ("gemeente".into(), NEIGHBOUR.into()),
            ],
        )?;
    }
    Ok(())
}
