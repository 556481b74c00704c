//! Consultations (overleg) and in-app notifications. Subjects and messages arrive sealed
//! (encrypted by the use cases) and leave sealed: this crate never sees their text.

use crate::schema::{consultation_messages, consultations, notifications, organisations, users};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rondom_domain::ids::{ConsultationId, OrganisationId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultations)]
pub struct Consultation {
    /// Ids are read as their types: a stored id that is none fails the read.
    pub id: ConsultationId,
    pub practice_id: OrganisationId,
    pub team_id: OrganisationId,
    pub asker_id: UserId,
    pub subject_sealed: String,
    /// Read as a `Status`: a stored value that is none fails the read.
    pub status: rondom_domain::consultation::Status,
    pub assignee_id: Option<UserId>,
    pub due_on: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

/// A consultation with the names a list shows.
#[derive(Debug, Clone)]
pub struct Listed {
    pub c: Consultation,
    pub practice_name: String,
    pub team_name: String,
    pub asker_name: String,
    pub assignee_name: Option<String>,
}

pub struct NewConsultation<'a> {
    pub practice_id: &'a str,
    pub team_id: &'a str,
    pub asker_id: &'a str,
    pub subject_sealed: &'a str,
    pub question_sealed: &'a str,
    pub due_on: NaiveDate,
}

pub fn create(conn: &mut AnyConnection, n: &NewConsultation<'_>) -> Result<String, DbError> {
    let id = new_id();
    let t = now();
    diesel::insert_into(consultations::table)
        .values((
            consultations::id.eq(&id),
            consultations::practice_id.eq(n.practice_id),
            consultations::team_id.eq(n.team_id),
            consultations::asker_id.eq(n.asker_id),
            consultations::subject_sealed.eq(n.subject_sealed),
            consultations::status.eq(rondom_domain::consultation::Status::Open),
            consultations::due_on.eq(n.due_on),
            consultations::created_at.eq(t),
            consultations::updated_at.eq(t),
        ))
        .execute(conn)?;
    add_message(conn, &id, n.asker_id, n.question_sealed)?;
    Ok(id)
}

pub fn add_message(
    conn: &mut AnyConnection,
    consultation_id: &str,
    author_id: &str,
    body_sealed: &str,
) -> Result<(), DbError> {
    diesel::insert_into(consultation_messages::table)
        .values((
            consultation_messages::id.eq(new_id()),
            consultation_messages::consultation_id.eq(consultation_id),
            consultation_messages::author_id.eq(author_id),
            consultation_messages::body_sealed.eq(body_sealed),
            consultation_messages::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets status (and the assignee when given), keeping the rest.
pub fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    status: rondom_domain::consultation::Status,
    assignee_id: Option<&str>,
    answered: bool,
) -> Result<(), DbError> {
    let t = now();
    let n = match assignee_id {
        Some(a) => diesel::update(consultations::table.find(id))
            .set((
                consultations::status.eq(status),
                consultations::assignee_id.eq(a),
                consultations::updated_at.eq(t),
            ))
            .execute(conn)?,
        None => diesel::update(consultations::table.find(id))
            .set((
                consultations::status.eq(status),
                consultations::updated_at.eq(t),
            ))
            .execute(conn)?,
    };
    if answered {
        diesel::update(consultations::table.find(id))
            .set(consultations::answered_at.eq(Some(t)))
            .execute(conn)?;
    }
    if n == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Consultation>, DbError> {
    Ok(consultations::table
        .find(id)
        .select(Consultation::as_select())
        .first(conn)
        .optional()?)
}

/// (author id, author name, sealed body, when), oldest first.
pub fn messages(
    conn: &mut AnyConnection,
    consultation_id: &str,
) -> Result<Vec<(String, String, String, NaiveDateTime)>, DbError> {
    Ok(consultation_messages::table
        .inner_join(users::table)
        .filter(consultation_messages::consultation_id.eq(consultation_id))
        .order(consultation_messages::created_at.asc())
        .select((
            users::id,
            users::name,
            consultation_messages::body_sealed,
            consultation_messages::created_at,
        ))
        .load(conn)?)
}

/// Consultations of some practices (as asker) or some teams (as answerer), newest first.
pub fn list(
    conn: &mut AnyConnection,
    practice_ids: &[String],
    team_ids: &[String],
    limit: i64,
) -> Result<Vec<Listed>, DbError> {
    let rows: Vec<Consultation> = consultations::table
        .filter(
            consultations::practice_id
                .eq_any(practice_ids)
                .or(consultations::team_id.eq_any(team_ids)),
        )
        .order(consultations::created_at.desc())
        .limit(limit)
        .select(Consultation::as_select())
        .load(conn)?;
    with_names(conn, rows)
}

/// What waits for people: the teams' questions not yet answered (deadline first), and
/// the practices' questions the team answered, for the asker to read on (newest first).
/// One statement for both, one for their names.
pub fn waiting(
    conn: &mut AnyConnection,
    practice_ids: &[String],
    team_ids: &[String],
    limit: i64,
) -> Result<(Vec<Listed>, Vec<Listed>), DbError> {
    use rondom_domain::consultation::Status;
    if practice_ids.is_empty() && team_ids.is_empty() {
        return Ok((vec![], vec![]));
    }
    let rows: Vec<Consultation> = consultations::table
        .filter(
            consultations::team_id
                .eq_any(team_ids)
                .and(consultations::status.eq_any([Status::Open, Status::PickedUp]))
                .or(consultations::practice_id
                    .eq_any(practice_ids)
                    .and(consultations::status.eq(Status::Answered))),
        )
        .order((consultations::due_on.asc(), consultations::created_at.asc()))
        .limit(limit * 2)
        .select(Consultation::as_select())
        .load(conn)?;
    let all = with_names(conn, rows)?;
    let (mut answered, mut to_answer): (Vec<Listed>, Vec<Listed>) =
        all.into_iter().partition(|l| {
            l.c.status == Status::Answered && practice_ids.contains(&l.c.practice_id.to_string())
        });
    answered.sort_by_key(|b| std::cmp::Reverse(b.c.updated_at));
    answered.truncate(limit as usize);
    to_answer.truncate(limit as usize);
    Ok((to_answer, answered))
}

/// How many questions wait: the teams' not yet answered, the practices' answered.
pub fn waiting_count(
    conn: &mut AnyConnection,
    practice_ids: &[String],
    team_ids: &[String],
) -> Result<i64, DbError> {
    use rondom_domain::consultation::Status;
    if practice_ids.is_empty() && team_ids.is_empty() {
        return Ok(0);
    }
    Ok(consultations::table
        .filter(
            consultations::team_id
                .eq_any(team_ids)
                .and(consultations::status.eq_any([Status::Open, Status::PickedUp]))
                .or(consultations::practice_id
                    .eq_any(practice_ids)
                    .and(consultations::status.eq(Status::Answered))),
        )
        .count()
        .get_result(conn)?)
}

/// One consultation with its names.
pub fn find_listed(conn: &mut AnyConnection, id: &str) -> Result<Option<Listed>, DbError> {
    let rows: Vec<Consultation> = find(conn, id)?.into_iter().collect();
    Ok(with_names(conn, rows)?.into_iter().next())
}

fn with_names(conn: &mut AnyConnection, rows: Vec<Consultation>) -> Result<Vec<Listed>, DbError> {
    let mut org_ids: Vec<&str> = rows
        .iter()
        .flat_map(|r| [r.practice_id.as_str(), r.team_id.as_str()])
        .collect();
    org_ids.sort();
    org_ids.dedup();
    let orgs: Vec<(String, String)> = organisations::table
        .filter(organisations::id.eq_any(&org_ids))
        .select((organisations::id, organisations::name))
        .load(conn)?;
    let mut user_ids: Vec<&str> = rows
        .iter()
        .flat_map(|r| std::iter::once(r.asker_id.as_str()).chain(r.assignee_id.as_deref()))
        .collect();
    user_ids.sort();
    user_ids.dedup();
    let people: Vec<(String, String)> = users::table
        .filter(users::id.eq_any(&user_ids))
        .select((users::id, users::name))
        .load(conn)?;
    let name = |list: &[(String, String)], id: &str| {
        list.iter()
            .find(|(i, _)| i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|c| Listed {
            practice_name: name(&orgs, &c.practice_id),
            team_name: name(&orgs, &c.team_id),
            asker_name: name(&people, &c.asker_id),
            assignee_name: c.assignee_id.as_deref().map(|a| name(&people, a)),
            c,
        })
        .collect())
}

/// The social teams linked to a practice (through its consultants): (id, name).
pub fn teams_of_practice(
    conn: &mut AnyConnection,
    practice_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    use crate::schema::practice_links;
    let mut teams: Vec<(String, String)> = practice_links::table
        .inner_join(organisations::table.on(organisations::id.eq(practice_links::team_id)))
        .filter(practice_links::practice_id.eq(practice_id))
        .filter(practice_links::accepted_at.is_not_null())
        .select((organisations::id, organisations::name))
        .load(conn)?;
    teams.sort();
    teams.dedup();
    Ok(teams)
}

pub fn notify(
    conn: &mut AnyConnection,
    user_id: &str,
    text: &str,
    link: &str,
) -> Result<(), DbError> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(new_id()),
            notifications::user_id.eq(user_id),
            notifications::text.eq(text),
            notifications::link.eq(link),
            notifications::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Unread notifications, newest first: (id, text, link, when).
pub fn unread(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Vec<(String, String, String, NaiveDateTime)>, DbError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .order(notifications::created_at.desc())
        .limit(20)
        .select((
            notifications::id,
            notifications::text,
            notifications::link,
            notifications::created_at,
        ))
        .load(conn)?)
}

/// Marks as read what points to `link` (opening the page reads the notice).
pub fn mark_read(conn: &mut AnyConnection, user_id: &str, link: &str) -> Result<(), DbError> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::link.eq(link))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}

/// Sets when a consultation and its messages happened (the demo's history).
pub fn backdate(
    conn: &mut AnyConnection,
    id: &str,
    created_at: NaiveDateTime,
    answered_at: Option<NaiveDateTime>,
) -> Result<(), DbError> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::created_at.eq(created_at),
            consultations::updated_at.eq(answered_at.unwrap_or(created_at)),
            consultations::answered_at.eq(answered_at),
        ))
        .execute(conn)?;
    let messages: Vec<String> = consultation_messages::table
        .filter(consultation_messages::consultation_id.eq(id))
        .order(consultation_messages::created_at.asc())
        .select(consultation_messages::id)
        .load(conn)?;
    for (i, m) in messages.iter().enumerate() {
        let at = if i == 0 {
            created_at
        } else {
            answered_at.unwrap_or(created_at) + chrono::Duration::minutes(i as i64)
        };
        diesel::update(consultation_messages::table.find(m))
            .set(consultation_messages::created_at.eq(at))
            .execute(conn)?;
    }
    Ok(())
}

/// Many consultations at once (the region generator).
pub fn insert_bulk(conn: &mut AnyConnection, rows: &[Consultation]) -> Result<(), DbError> {
    for chunk in rows.chunks(500) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(consultations::table)
            .values(chunk.to_vec())
            .execute(c))?;
    }
    Ok(())
}
