//! Teams inside organisations and the areas an organisation covers.

use super::bump_version;
use crate::schema::{memberships, organisation_areas, team_members, teams, users};
use crate::{AnyConnection, DbError, new_id};
use chrono::NaiveDate;
use diesel::prelude::*;
use rondom_domain::ids::{OrganisationId, TeamId};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = teams)]
#[diesel(treat_none_as_null = true)]
pub struct Team {
    pub id: TeamId,
    pub organisation_id: OrganisationId,
    pub name: String,
    pub description: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub last_checked_on: NaiveDate,
}

/// A team with its members: (user id, name).
#[derive(Debug, Clone)]
pub struct TeamWithMembers {
    pub team: Team,
    pub members: Vec<(String, String)>,
}

pub fn teams_of(
    conn: &mut AnyConnection,
    organisation_id: &str,
) -> Result<Vec<TeamWithMembers>, DbError> {
    let list: Vec<Team> = teams::table
        .filter(teams::organisation_id.eq(organisation_id))
        .order(teams::name.asc())
        .select(Team::as_select())
        .load(conn)?;
    let ids: Vec<&str> = list.iter().map(|t| t.id.as_str()).collect();
    let members: Vec<(String, String, String)> = team_members::table
        .inner_join(users::table)
        .filter(team_members::team_id.eq_any(&ids))
        .filter(users::disabled.eq(false))
        .filter(diesel::dsl::exists(
            memberships::table
                .filter(memberships::user_id.eq(users::id))
                .filter(memberships::organisation_id.eq(organisation_id)),
        ))
        .order(users::name.asc())
        .select((team_members::team_id, users::id, users::name))
        .load(conn)?;
    Ok(list
        .into_iter()
        .map(|team| TeamWithMembers {
            members: members
                .iter()
                .filter(|m| m.0 == team.id)
                .map(|m| (m.1.clone(), m.2.clone()))
                .collect(),
            team,
        })
        .collect())
}

pub fn find_team(conn: &mut AnyConnection, id: &str) -> Result<Option<TeamWithMembers>, DbError> {
    let Some(team) = teams::table
        .find(id)
        .select(Team::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let members = team_members::table
        .inner_join(users::table)
        .filter(team_members::team_id.eq(id))
        .filter(users::disabled.eq(false))
        .filter(diesel::dsl::exists(
            memberships::table
                .filter(memberships::user_id.eq(users::id))
                .filter(memberships::organisation_id.eq(&team.organisation_id)),
        ))
        .order(users::name.asc())
        .select((users::id, users::name))
        .load(conn)?;
    Ok(Some(TeamWithMembers { team, members }))
}

/// Inserts or replaces a team and its members.
pub fn save_team(conn: &mut AnyConnection, team: &Team, members: &[String]) -> Result<(), DbError> {
    let exists = teams::table
        .find(&team.id)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        diesel::update(teams::table.find(&team.id))
            .set(team.clone())
            .execute(conn)?;
    } else {
        diesel::insert_into(teams::table)
            .values(team.clone())
            .execute(conn)?;
    }
    diesel::delete(team_members::table.filter(team_members::team_id.eq(&team.id))).execute(conn)?;
    for m in members {
        diesel::insert_into(team_members::table)
            .values((
                team_members::team_id.eq(&team.id),
                team_members::user_id.eq(m),
            ))
            .execute(conn)?;
    }
    bump_version(conn)
}

/// The teams a person is in: (organisation id, team name).
pub fn teams_of_person(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(team_members::table
        .inner_join(teams::table)
        .filter(team_members::user_id.eq(user_id))
        .order(teams::name.asc())
        .select((teams::organisation_id, teams::name))
        .load(conn)?)
}

/// The areas of the given organisations (all when `None`): (organisation id, kind, code).
pub fn organisation_areas(
    conn: &mut AnyConnection,
    organisation_ids: Option<&[String]>,
) -> Result<Vec<(String, String, String)>, DbError> {
    let mut q = organisation_areas::table
        .select((
            organisation_areas::organisation_id,
            organisation_areas::kind,
            organisation_areas::code,
        ))
        .order((
            organisation_areas::organisation_id.asc(),
            organisation_areas::id.asc(),
        ))
        .into_boxed();
    if let Some(ids) = organisation_ids {
        q = q.filter(organisation_areas::organisation_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}

/// Replaces an organisation's areas: (kind, code) pairs, already checked.
pub fn set_organisation_areas(
    conn: &mut AnyConnection,
    organisation_id: &str,
    areas: &[(String, String)],
) -> Result<(), DbError> {
    diesel::delete(
        organisation_areas::table.filter(organisation_areas::organisation_id.eq(organisation_id)),
    )
    .execute(conn)?;
    for (kind, code) in areas {
        diesel::insert_into(organisation_areas::table)
            .values((
                organisation_areas::id.eq(new_id()),
                organisation_areas::organisation_id.eq(organisation_id),
                organisation_areas::kind.eq(kind),
                organisation_areas::code.eq(code),
            ))
            .execute(conn)?;
    }
    bump_version(conn)
}
