//! Referrals as lists show them: the general filter, the inbox's fixed-shape queues on
//! their covering indexes, and (PostgreSQL) the team overview in one statement.

use super::{Referral, listed_query};
use crate::schema::{children, organisations, referrals, users};
use crate::{AnyConnection, DbError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rondom_domain::ids::UserId;
use rondom_domain::referral::Status;
use std::collections::HashMap;

/// The onward referrals made from this one.
pub fn onward_of(conn: &mut AnyConnection, parent_id: &str) -> Result<Vec<Listed>, DbError> {
    let rows = listed_query!()
        .filter(referrals::parent_id.eq(parent_id))
        .order(referrals::created_at.asc())
        .load(conn)?;
    with_names(conn, rows)
}

/// A referral as lists show it: with the child's sealed name and birth date, and the
/// names of the organisations and people.
#[derive(Debug, Clone)]
pub struct Listed {
    pub r: Referral,
    pub child_name_sealed: String,
    pub child_birth_date: NaiveDate,
    pub from_name: String,
    pub to_name: String,
    pub referrer_name: String,
    pub case_director_name: Option<String>,
}

type Joined = (Referral, String, NaiveDate);

/// The status a receiver never sees: a draft is its referrer's alone until it is sent.
/// Every query of this module that finds referrals by their receiving organisation
/// (the general filter, the fixed-shape queues, the overview) carries
/// `status <> 'draft'` next to that organisation, whatever status, deadline or person
/// the filter names besides; a test lists every filter combination through the API.
const DRAFT: Status = Status::Draft;

/// Which referrals an inbox section holds.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Referrals sent by these organisations.
    pub from_orgs: Vec<String>,
    /// Referrals received by these organisations.
    pub to_orgs: Vec<String>,
    /// Only these statuses (empty: all).
    pub statuses: Vec<Status>,
    /// Only with a deadline on or before this day (yyyy-mm-dd).
    pub due_before: Option<NaiveDate>,
    /// Only with a deadline on or after this day.
    pub due_after: Option<NaiveDate>,
    /// Only these referrals' case director.
    pub case_director: Option<String>,
    /// Order by deadline (work queues) instead of newest first.
    pub by_due: bool,
    pub limit: i64,
    pub offset: i64,
}

macro_rules! filtered {
    ($q:expr, $f:expr) => {{
        let f: &Filter = $f;
        let mut q = $q;
        // A draft is the referrer's alone: receivers never list it, whatever else the
        // filter names (see `DRAFT`).
        q = match (f.from_orgs.is_empty(), f.to_orgs.is_empty()) {
            (false, false) => q.filter(
                referrals::from_org_id
                    .eq_any(f.from_orgs.clone())
                    .or(referrals::to_org_id
                        .eq_any(f.to_orgs.clone())
                        .and(referrals::status.ne(DRAFT))),
            ),
            // One organisation (the common case) as an equality, so that the index is
            // read in the order asked for and the scan stops at the limit.
            (false, true) if f.from_orgs.len() == 1 => {
                q.filter(referrals::from_org_id.eq(f.from_orgs[0].clone()))
            }
            (false, true) => q.filter(referrals::from_org_id.eq_any(f.from_orgs.clone())),
            (true, false) if f.to_orgs.len() == 1 => q
                .filter(referrals::to_org_id.eq(f.to_orgs[0].clone()))
                .filter(referrals::status.ne(DRAFT)),
            (true, false) => q
                .filter(referrals::to_org_id.eq_any(f.to_orgs.clone()))
                .filter(referrals::status.ne(DRAFT)),
            // Nobody's inbox: nothing.
            (true, true) => q.filter(referrals::id.eq("")),
        };
        match f.statuses.as_slice() {
            [] => {}
            [one] => q = q.filter(referrals::status.eq(one.clone())),
            many => q = q.filter(referrals::status.eq_any(many.to_vec())),
        }
        if let Some(d) = &f.due_before {
            q = q.filter(referrals::due_on.le(d.clone()));
        }
        if let Some(d) = &f.due_after {
            q = q.filter(referrals::due_on.ge(d.clone()));
        }
        if let Some(cd) = &f.case_director {
            q = q.filter(referrals::case_director_id.eq(cd.clone()));
        }
        q
    }};
}

/// The first `limit` referrals to this organisation in deadline order among these
/// statuses (with a deadline on or before `due_before` when given), as ids. Each status
/// is one range of the covering (organisation, status, deadline) index, read on the
/// index alone; the ranges are merged here. Several statuses in one statement made
/// PostgreSQL's generic plan sort every matching referral of the organisation.
pub fn ids_by_due(
    conn: &mut AnyConnection,
    org: &str,
    statuses: &[Status],
    due_before: Option<NaiveDate>,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    use referrals::dsl as r;
    let mut found: Vec<(Option<NaiveDate>, NaiveDateTime, String)> = Vec::new();
    for status in statuses.iter().filter(|s| **s != DRAFT) {
        let q = r::referrals
            .filter(r::to_org_id.eq(org))
            .filter(r::status.eq(*status))
            .into_boxed();
        let q = match due_before {
            Some(d) => q.filter(r::due_on.le(d)),
            None => q,
        };
        found.extend(
            q.order((r::due_on.asc(), r::created_at.asc()))
                .select((r::due_on, r::created_at, r::id))
                .limit(limit.clamp(1, 500))
                .load::<(Option<NaiveDate>, NaiveDateTime, String)>(conn)?,
        );
    }
    // Merged with NULL deadlines last. Within one status the engines order NULL
    // differently (SQLite first, PostgreSQL last): a status with more than `limit`
    // referrals, some without a deadline, may contribute different ones on each.
    found.sort_by(|a, b| (a.0.is_none(), a.0, a.1, &a.2).cmp(&(b.0.is_none(), b.0, b.1, &b.2)));
    found.truncate(usize::try_from(limit.clamp(1, 500)).unwrap_or(0));
    Ok(found.into_iter().map(|(_, _, id)| id).collect())
}

/// These referrals as lists show them, in the order of `ids`, read in one query with
/// the names looked up once.
pub fn listed_of(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<Listed>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<Joined> = listed_query!()
        .filter(crate::in_list(referrals::id, ids))
        .load(conn)?;
    let mut named: HashMap<String, Listed> = with_names(conn, rows)?
        .into_iter()
        .map(|l| (l.r.id.to_string(), l))
        .collect();
    Ok(ids.iter().filter_map(|id| named.remove(id)).collect())
}

/// One page of an inbox section.
pub fn list(conn: &mut AnyConnection, f: &Filter) -> Result<Vec<Listed>, DbError> {
    let q = filtered!(listed_query!().into_boxed(), f);
    let q = if f.by_due {
        q.order((referrals::due_on.asc(), referrals::created_at.asc()))
    } else {
        q.order(referrals::created_at.desc())
    };
    let rows: Vec<Joined> = q
        .limit(f.limit.clamp(1, 500))
        .offset(f.offset.max(0))
        .load(conn)?;
    with_names(conn, rows)
}

/// The referrals that name one of these schools, newest change first (never a draft):
/// what the school may hear of them is decided by the verwijskader, in the app.
pub fn naming_school(
    conn: &mut AnyConnection,
    schools: &[String],
    limit: i64,
) -> Result<Vec<Listed>, DbError> {
    if schools.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<Joined> = listed_query!()
        .filter(referrals::school_id.eq_any(schools.to_vec()))
        .filter(referrals::status.ne(DRAFT))
        .order(referrals::updated_at.desc())
        .limit(limit.clamp(1, 500))
        .load(conn)?;
    with_names(conn, rows)
}

/// Several inbox sections at once: for each, how many referrals it holds (up to its
/// filter's limit) and the first `show` of them. The ids are found on the indexes
/// alone; only the rows shown are read whole, in one query for all sections, with the
/// names looked up once.
pub fn list_sections(
    conn: &mut AnyConnection,
    filters: &[Filter],
    show: usize,
) -> Result<Vec<(usize, Vec<Listed>)>, DbError> {
    // One statement saves PostgreSQL seven round trips. On SQLite, where a statement
    // is a function call, the compound query measured slower than its parts (A/B: 941
    // against 1,064 views/s for one connection), so it keeps one query per section.
    let combined = match conn {
        AnyConnection::Postgresql(_) => team_overview(conn, filters),
        AnyConnection::Sqlite(_) => None,
    };
    let found = match combined {
        Some(found) => found?,
        None => each_section(conn, filters)?,
    };
    rows_of_sections(conn, found, show)
}

/// The ids of each section, one query per section.
fn each_section(conn: &mut AnyConnection, filters: &[Filter]) -> Result<Vec<Vec<String>>, DbError> {
    let mut found: Vec<Vec<String>> = Vec::with_capacity(filters.len());
    for f in filters {
        if let Some(ids) = queue_ids(conn, f) {
            found.push(ids?);
            continue;
        }
        let q = filtered!(referrals::table.select(referrals::id).into_boxed(), f);
        let q = if f.by_due {
            q.order((referrals::due_on.asc(), referrals::created_at.asc()))
        } else {
            q.order(referrals::created_at.desc())
        };
        found.push(
            q.limit(f.limit.clamp(1, 500))
                .offset(f.offset.max(0))
                .load(conn)?,
        );
    }
    Ok(found)
}

/// The first `show` rows of each section, read whole in one query for all sections,
/// with the names looked up once.
fn rows_of_sections(
    conn: &mut AnyConnection,
    found: Vec<Vec<String>>,
    show: usize,
) -> Result<Vec<(usize, Vec<Listed>)>, DbError> {
    let mut wanted: Vec<&str> = found
        .iter()
        .flat_map(|ids| ids.iter().take(show).map(String::as_str))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let rows: Vec<Joined> = listed_query!()
        .filter(referrals::id.eq_any(&wanted))
        .load(conn)?;
    let named = with_names(conn, rows)?;
    Ok(found
        .iter()
        .map(|ids| {
            let shown = ids
                .iter()
                .take(show)
                .filter_map(|id| named.iter().find(|l| &l.r.id == id).cloned())
                .collect();
            (ids.len(), shown)
        })
        .collect())
}

/// How many referrals wait for these receiving organisations to act: new, opened but not
/// yet accepted, or past their term.
pub fn waiting_count(
    conn: &mut AnyConnection,
    receiving: &[String],
    today: NaiveDate,
) -> Result<i64, DbError> {
    if receiving.is_empty() {
        return Ok(0);
    }
    Ok(referrals::table
        .filter(referrals::to_org_id.eq_any(receiving))
        .filter(referrals::status.ne(DRAFT))
        .filter(
            referrals::status
                .eq_any([Status::Requested, Status::Received])
                .or(referrals::due_on.lt(today)),
        )
        .count()
        .get_result(conn)?)
}

/// How many running referrals each case director of `org` has: (user id, count).
pub fn caseload(conn: &mut AnyConnection, org: &str) -> Result<Vec<(UserId, i64)>, DbError> {
    let rows: Vec<(Option<UserId>, i64)> = referrals::table
        .filter(referrals::to_org_id.eq(org))
        .filter(referrals::status.eq_any([Status::Accepted, Status::InProgress, Status::OnHold]))
        .filter(referrals::case_director_id.is_not_null())
        .group_by(referrals::case_director_id)
        .select((referrals::case_director_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}

/// A receiving organisation's overview in one statement: late, new, to pick up, due
/// soon, the person's own cases (three running statuses) and, when it refers too, its
/// own referrals. The eight index ranges are joined by UNION ALL, each tagged with its
/// section, so a view costs one round trip for its queues instead of eight; as a typed
/// query it stays prepared. Written for both engines, used on PostgreSQL. Each range keeps its own order and limit,
/// so each section holds exactly what its own query would. None for any other set of
/// filters (`sections_for` makes this one).
fn team_overview(
    conn: &mut AnyConnection,
    filters: &[Filter],
) -> Option<Result<Vec<Vec<String>>, DbError>> {
    use diesel::sql_types::Integer;
    use referrals::dsl as r;
    let (late, new, pick_up, soon, mine, sent) = match filters {
        [a, b, c, d, e] => (a, b, c, d, e, None),
        [a, b, c, d, e, f] => (a, b, c, d, e, Some(f)),
        _ => return None,
    };
    let [org] = late.to_orgs.as_slice() else {
        return None;
    };
    let lim = late.limit.clamp(1, 500);
    if filters
        .iter()
        .any(|f| f.limit.clamp(1, 500) != lim || f.offset > 0)
    {
        return None;
    }
    // A queue of `org`'s, in deadline order: (statuses, after, before, case director).
    type Shape<'f> = (
        &'f [Status],
        Option<&'f NaiveDate>,
        Option<&'f NaiveDate>,
        Option<&'f String>,
    );
    fn queue<'f>(f: &'f Filter, org: &str) -> Option<Shape<'f>> {
        (f.from_orgs.is_empty() && matches!(f.to_orgs.as_slice(), [o] if o == org) && f.by_due)
            .then_some((
                f.statuses.as_slice(),
                f.due_after.as_ref(),
                f.due_before.as_ref(),
                f.case_director.as_ref(),
            ))
    }
    let (Some(([], None, Some(late_before), None)), Some(([new_status], None, None, None))) =
        (queue(late, org), queue(new, org))
    else {
        return None;
    };
    let (
        Some(([pick_status], None, None, None)),
        Some(([], Some(soon_after), Some(soon_before), None)),
        Some(([run_a, run_b, run_c], None, None, Some(director))),
    ) = (queue(pick_up, org), queue(soon, org), queue(mine, org))
    else {
        return None;
    };
    // Without referrals of its own, the last range looks for an organisation that
    // cannot exist (ids are UUIDs), so that the statement keeps one shape.
    let sent_org = match sent {
        None => "",
        Some(f) => match (f.from_orgs.as_slice(), f.to_orgs.is_empty(), queue_free(f)) {
            ([o], true, true) if !f.by_due => o.as_str(),
            _ => return None,
        },
    };
    let by_due = (r::due_on.asc(), r::created_at.asc());
    let cols = |tag: i32| (tag.into_sql::<Integer>(), r::due_on, r::created_at, r::id);
    let in_status = |status: &Status, tag: i32| {
        r::referrals
            .filter(r::to_org_id.eq(org.clone()))
            .filter(r::status.ne(DRAFT))
            .filter(r::status.eq(*status))
            .order(by_due)
            .select(cols(tag))
            .limit(lim)
    };
    let mine_in = |status: &Status| {
        r::referrals
            .filter(r::case_director_id.eq(director.clone()))
            .filter(r::status.eq(*status))
            .filter(r::to_org_id.eq(org.clone()))
            .filter(r::status.ne(DRAFT))
            .order(by_due)
            .select(cols(4))
            .limit(lim)
    };
    let query = r::referrals
        .filter(r::to_org_id.eq(org.clone()))
        .filter(r::status.ne(DRAFT))
        .filter(r::due_on.le(*late_before))
        .order(by_due)
        .select(cols(0))
        .limit(lim)
        .union_all(in_status(new_status, 1))
        .union_all(in_status(pick_status, 2))
        .union_all(
            r::referrals
                .filter(r::to_org_id.eq(org.clone()))
                .filter(r::status.ne(DRAFT))
                .filter(r::due_on.ge(*soon_after))
                .filter(r::due_on.le(*soon_before))
                .order(by_due)
                .select(cols(3))
                .limit(lim),
        )
        .union_all(mine_in(run_a))
        .union_all(mine_in(run_b))
        .union_all(mine_in(run_c))
        .union_all(
            r::referrals
                .filter(r::from_org_id.eq(sent_org.to_owned()))
                .order(r::created_at.desc())
                .select(cols(5))
                .limit(lim),
        );
    type Found = (i32, Option<NaiveDate>, NaiveDateTime, String);
    let rows: Vec<Found> = match crate::on_backend!(&mut *conn, |c| query.load(c)) {
        Ok(rows) => rows,
        Err(e) => return Some(Err(e.into())),
    };
    let mut sections: Vec<Vec<Found>> = vec![Vec::new(); filters.len()];
    for row in rows {
        if let Some(section) = usize::try_from(row.0)
            .ok()
            .and_then(|i| sections.get_mut(i))
        {
            section.push(row);
        }
    }
    // UNION ALL promises no order across or within its parts: each section is sorted
    // here as its own query would have it (no deadline sorts first in SQLite, last in
    // PostgreSQL), then cut at the limit (my cases came from three ranges).
    let nulls_first = matches!(conn, AnyConnection::Sqlite(_));
    for (i, section) in sections.iter_mut().enumerate() {
        if i == 5 {
            section.sort_by_key(|row| std::cmp::Reverse(row.2));
        } else {
            section.sort_by_key(|row| (row.1.is_some() == nulls_first, row.1, row.2));
        }
        section.truncate(lim as usize);
    }
    Some(Ok(sections
        .into_iter()
        .map(|s| s.into_iter().map(|row| row.3).collect())
        .collect()))
}

/// No status, deadline or case-director condition.
fn queue_free(f: &Filter) -> bool {
    f.statuses.is_empty()
        && f.due_after.is_none()
        && f.due_before.is_none()
        && f.case_director.is_none()
}

/// The work queues of one organisation as fixed-shape queries on the concrete
/// connection, so that both engines keep them prepared (a boxed query is planned anew
/// every time). None for any other filter, which takes the general path.
fn queue_ids(conn: &mut AnyConnection, f: &Filter) -> Option<Result<Vec<String>, DbError>> {
    use referrals::dsl as r;
    let (lim, off) = (f.limit.clamp(1, 500), f.offset.max(0));
    let by_due = (r::due_on.asc(), r::created_at.asc());
    let plain = f.case_director.is_none();
    // The ids of a filtered range, in deadline order, one page of them.
    macro_rules! ids {
        ($conn:expr, $q:expr) => {
            crate::on_backend!($conn, |c| $q
                .order(by_due)
                .select(r::id)
                .limit(lim)
                .offset(off)
                .load(c))
        };
    }
    let run = |conn: &mut AnyConnection| -> Result<Vec<String>, DbError> {
        let result = match (
            f.from_orgs.as_slice(),
            f.to_orgs.as_slice(),
            f.statuses.as_slice(),
            &f.due_after,
            &f.due_before,
            &f.case_director,
        ) {
            // Late: a deadline before today (only open referrals have one).
            ([], [org], [], None, Some(before), None) if plain => {
                ids!(
                    &mut *conn,
                    r::referrals
                        .filter(r::to_org_id.eq(org))
                        .filter(r::status.ne(DRAFT))
                        .filter(r::due_on.le(before))
                )
            }
            // Due soon: a deadline in a range.
            ([], [org], [], Some(after), Some(before), None) if plain => {
                ids!(
                    &mut *conn,
                    r::referrals
                        .filter(r::to_org_id.eq(org))
                        .filter(r::status.ne(DRAFT))
                        .filter(r::due_on.ge(after))
                        .filter(r::due_on.le(before))
                )
            }
            // New, or to pick up: one status.
            ([], [org], [status], None, None, None) if plain => {
                ids!(
                    &mut *conn,
                    r::referrals
                        .filter(r::to_org_id.eq(org))
                        .filter(r::status.ne(DRAFT))
                        .filter(r::status.eq(status))
                )
            }
            // Several statuses (running ones), of one case director or all: one
            // ordered index range per status, merged here, each stopped at the limit.
            ([], [org], statuses, None, None, director) if statuses.len() > 1 => {
                let mut merged: Vec<(Option<NaiveDate>, NaiveDateTime, String)> = Vec::new();
                for status in statuses {
                    let part: Vec<(Option<NaiveDate>, NaiveDateTime, String)> = match director {
                        Some(d) => crate::on_backend!(&mut *conn, |c| r::referrals
                            .filter(r::case_director_id.eq(d))
                            .filter(r::status.eq(status))
                            .filter(r::to_org_id.eq(org))
                            .filter(r::status.ne(DRAFT))
                            .order(by_due)
                            .select((r::due_on, r::created_at, r::id))
                            .limit(lim + off)
                            .load(c))?,
                        None => crate::on_backend!(&mut *conn, |c| r::referrals
                            .filter(r::to_org_id.eq(org))
                            .filter(r::status.ne(DRAFT))
                            .filter(r::status.eq(status))
                            .order(by_due)
                            .select((r::due_on, r::created_at, r::id))
                            .limit(lim + off)
                            .load(c))?,
                    };
                    merged.extend(part);
                }
                // The engines' order: no deadline sorts first in SQLite, last in PostgreSQL.
                let nulls_first = matches!(conn, AnyConnection::Sqlite(_));
                merged.sort_by(|x, y| {
                    let key = |v: &(Option<NaiveDate>, NaiveDateTime, String)| {
                        (v.0.is_some() == nulls_first, v.0, v.1)
                    };
                    key(x).cmp(&key(y))
                });
                Ok(merged
                    .into_iter()
                    .skip(off as usize)
                    .take(lim as usize)
                    .map(|v| v.2)
                    .collect())
            }
            // Sent: newest first.
            ([org], [], [], None, None, None) if plain && !f.by_due => {
                crate::on_backend!(&mut *conn, |c| r::referrals
                    .filter(r::from_org_id.eq(org))
                    .order(r::created_at.desc())
                    .select(r::id)
                    .limit(lim)
                    .offset(off)
                    .load(c))
            }
            _ => return Err(DbError::NotFound),
        };
        Ok(result?)
    };
    let shaped = matches!((f.from_orgs.len(), f.to_orgs.len()), (0, 1) | (1, 0))
        && f.by_due == f.from_orgs.is_empty();
    if !shaped {
        return None;
    }
    match run(conn) {
        Err(DbError::NotFound) => None,
        other => Some(other),
    }
}

pub fn find_listed(conn: &mut AnyConnection, id: &str) -> Result<Option<Listed>, DbError> {
    Ok(listed_of(conn, &[id.to_owned()])?.pop())
}

fn with_names(conn: &mut AnyConnection, rows: Vec<Joined>) -> Result<Vec<Listed>, DbError> {
    let mut org_ids: Vec<&str> = rows
        .iter()
        .flat_map(|(r, _, _)| [r.from_org_id.as_str(), r.to_org_id.as_str()])
        .collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let orgs: Vec<(String, String)> = organisations::table
        .filter(crate::in_list(organisations::id, &org_ids))
        .select((organisations::id, organisations::name))
        .load(conn)?;
    let mut user_ids: Vec<&str> = rows
        .iter()
        .flat_map(|(r, _, _)| {
            std::iter::once(r.referrer_id.as_str()).chain(r.case_director_id.as_deref())
        })
        .collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let people: Vec<(String, String)> = users::table
        .filter(crate::in_list(users::id, &user_ids))
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
        .map(|(r, child_name_sealed, child_birth_date)| Listed {
            from_name: name(&orgs, &r.from_org_id),
            to_name: name(&orgs, &r.to_org_id),
            referrer_name: name(&people, &r.referrer_id),
            case_director_name: r.case_director_id.as_deref().map(|c| name(&people, c)),
            child_name_sealed,
            child_birth_date,
            r,
        })
        .collect())
}
