//! The network around a child (netwerk), its members and the family's consent answers.
//! Names of family members without an account arrive sealed by the use cases and leave
//! sealed; consent answers are only ever added (a withdrawal is a later answer).

use crate::schema::{
    children, consent_answers, emergency_access, network_members, network_milestones, networks,
    not_for_parents,
};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rondom_domain::ids::{ChildId, MemberId, NetworkId, OrganisationId, ReferralId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = networks)]
pub struct Network {
    pub id: NetworkId,
    pub child_id: ChildId,
    pub coordinator_id: UserId,
    pub coordinator_org_id: OrganisationId,
    pub referral_id: Option<ReferralId>,
    pub opened_by: UserId,
    pub opened_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = network_members)]
pub struct Member {
    pub id: MemberId,
    pub network_id: NetworkId,
    pub kind: String,
    pub user_id: Option<UserId>,
    pub organisation_id: Option<OrganisationId>,
    pub name_sealed: Option<String>,
    pub relation: Option<String>,
    pub gezag: bool,
    pub role_label: String,
    pub state: String,
    pub added_by: UserId,
    pub added_at: NaiveDateTime,
    pub removed_by: Option<UserId>,
    pub removed_at: Option<NaiveDateTime>,
}

impl Member {
    pub fn is_active(&self) -> bool {
        self.state == ACTIVE
    }
}

/// A member's states: proposed (waiting for the family), active, removed.
pub const PROPOSED: &str = "proposed";
pub const ACTIVE: &str = "active";
pub const REMOVED: &str = "removed";

/// A new member, as the use case decided it.
pub struct NewMember<'a> {
    pub kind: &'a str,
    pub user_id: Option<&'a str>,
    pub organisation_id: Option<&'a str>,
    pub name_sealed: Option<&'a str>,
    pub relation: Option<&'a str>,
    pub gezag: bool,
    pub role_label: &'a str,
    pub state: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consent_answers)]
pub struct ConsentAnswer {
    pub id: String,
    pub network_id: NetworkId,
    pub grantee_id: MemberId,
    pub category: String,
    pub by_member_id: MemberId,
    pub given: bool,
    pub how: String,
    pub answered_on: NaiveDate,
    pub recorded_by: UserId,
    pub recorded_at: NaiveDateTime,
}

pub struct NewAnswer<'a> {
    pub grantee_id: &'a str,
    pub category: &'a str,
    pub by_member_id: &'a str,
    pub given: bool,
    pub how: &'a str,
    pub answered_on: NaiveDate,
    pub recorded_by: &'a str,
}

/// Opens a network with its first members, in the caller's transaction; answers its id.
/// A child has one network: a second is refused (`Conflict`).
pub fn open(
    conn: &mut AnyConnection,
    child_id: &str,
    coordinator_id: &str,
    coordinator_org_id: &str,
    referral_id: Option<&str>,
    opened_by: &str,
    members: &[NewMember<'_>],
) -> Result<NetworkId, DbError> {
    if of_child(conn, child_id)?.is_some() {
        return Err(DbError::Conflict("network".into()));
    }
    let id = new_id();
    diesel::insert_into(networks::table)
        .values((
            networks::id.eq(&id),
            networks::child_id.eq(child_id),
            networks::coordinator_id.eq(coordinator_id),
            networks::coordinator_org_id.eq(coordinator_org_id),
            networks::referral_id.eq(referral_id),
            networks::opened_by.eq(opened_by),
            networks::opened_at.eq(now()),
        ))
        .execute(conn)?;
    for m in members {
        add_member(conn, &id, m, opened_by)?;
    }
    Ok(NetworkId::trusted(id))
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Network>, DbError> {
    Ok(networks::table
        .find(id)
        .select(Network::as_select())
        .first(conn)
        .optional()?)
}

/// Several networks with their children, in one query (a list of a person's networks).
pub fn find_many_with_child(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<(Network, crate::referrals::Child)>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(networks::table
        .inner_join(children::table.on(children::id.eq(networks::child_id)))
        .filter(crate::in_list(networks::id, ids))
        .select((Network::as_select(), crate::referrals::Child::as_select()))
        .load(conn)?)
}

pub fn of_child(conn: &mut AnyConnection, child_id: &str) -> Result<Option<Network>, DbError> {
    Ok(networks::table
        .filter(networks::child_id.eq(child_id))
        .select(Network::as_select())
        .first(conn)
        .optional()?)
}

pub fn add_member(
    conn: &mut AnyConnection,
    network_id: &str,
    m: &NewMember<'_>,
    added_by: &str,
) -> Result<MemberId, DbError> {
    let id = new_id();
    diesel::insert_into(network_members::table)
        .values((
            network_members::id.eq(&id),
            network_members::network_id.eq(network_id),
            network_members::kind.eq(m.kind),
            network_members::user_id.eq(m.user_id),
            network_members::organisation_id.eq(m.organisation_id),
            network_members::name_sealed.eq(m.name_sealed),
            network_members::relation.eq(m.relation),
            network_members::gezag.eq(m.gezag),
            network_members::role_label.eq(m.role_label),
            network_members::state.eq(m.state),
            network_members::added_by.eq(added_by),
            network_members::added_at.eq(now()),
        ))
        .execute(conn)?;
    // Live streams: the person added (if they have an account) starts hearing of it.
    crate::messages::event(
        conn,
        network_id,
        None,
        None,
        m.user_id,
        crate::messages::MEMBERSHIP,
    )?;
    Ok(MemberId::trusted(id))
}

/// Every member, removed ones included (the family sees who was there), oldest first.
pub fn members(conn: &mut AnyConnection, network_id: &str) -> Result<Vec<Member>, DbError> {
    Ok(network_members::table
        .filter(network_members::network_id.eq(network_id))
        .order((network_members::added_at.asc(), network_members::id.asc()))
        .select(Member::as_select())
        .load(conn)?)
}

/// The members of several networks, in one query, each network's in the order of
/// `members`.
pub fn members_of(
    conn: &mut AnyConnection,
    network_ids: &[String],
) -> Result<Vec<Member>, DbError> {
    if network_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(network_members::table
        .filter(crate::in_list(network_members::network_id, network_ids))
        .order((
            network_members::network_id.asc(),
            network_members::added_at.asc(),
            network_members::id.asc(),
        ))
        .select(Member::as_select())
        .load(conn)?)
}

/// Sets a member's state (active, removed); a removal records who and when.
pub fn set_state(
    conn: &mut AnyConnection,
    member_id: &str,
    state: &str,
    by: &str,
) -> Result<(), DbError> {
    let removed = state == REMOVED;
    diesel::update(network_members::table.find(member_id))
        .set((
            network_members::state.eq(state),
            network_members::removed_by.eq(removed.then_some(by)),
            network_members::removed_at.eq(removed.then(now)),
        ))
        .execute(conn)?;
    let (network, user): (String, Option<String>) = network_members::table
        .find(member_id)
        .select((network_members::network_id, network_members::user_id))
        .first(conn)?;
    crate::messages::event(
        conn,
        &network,
        None,
        None,
        user.as_deref(),
        crate::messages::MEMBERSHIP,
    )?;
    Ok(())
}

/// Links a member to the account that will act as them (a family member invited).
pub fn set_member_user(
    conn: &mut AnyConnection,
    member_id: &str,
    user_id: &str,
) -> Result<(), DbError> {
    diesel::update(network_members::table.find(member_id))
        .set(network_members::user_id.eq(user_id))
        .execute(conn)?;
    let network: String = network_members::table
        .find(member_id)
        .select(network_members::network_id)
        .first(conn)?;
    crate::messages::event(
        conn,
        &network,
        None,
        None,
        Some(user_id),
        crate::messages::MEMBERSHIP,
    )?;
    Ok(())
}

/// The networks a person may be an active member of: by user, or through an organisation
/// that is a member as a whole (the app decides whether their role counts); newest first.
pub fn of_member(
    conn: &mut AnyConnection,
    user_id: &str,
    organisations: &[String],
) -> Result<Vec<Network>, DbError> {
    let ids = member_network_ids(conn, user_id, organisations)?;
    Ok(networks::table
        .filter(crate::in_list(networks::id, ids))
        .select(Network::as_select())
        // Ids are time-ordered: the later of two opened at once comes first, every time.
        .order((networks::opened_at.desc(), networks::id.desc()))
        .load(conn)?)
}

/// The ids of the newest `limit` of those networks (a case director is in a thousand:
/// a list shows the newest, without reading every network's row). Two statements on
/// purpose: with the member rows as a subquery of this one, PostgreSQL's generic plan
/// (the statement is kept prepared) guesses a person's member rows from the average,
/// which case directors in thousands of networks inflate, and hashes them against a
/// scan of every network: 44 ms for a parent in one of 100,000 (the start page went
/// from 5 ms to 180 ms at p50 under load), against two index lookups now.
pub fn newest_of_member(
    conn: &mut AnyConnection,
    user_id: &str,
    organisations: &[String],
    limit: i64,
) -> Result<Vec<String>, DbError> {
    let ids = member_network_ids(conn, user_id, organisations)?;
    Ok(networks::table
        .filter(crate::in_list(networks::id, ids))
        .select(networks::id)
        // Ids are time-ordered: the later of two opened at once comes first, every time.
        .order((networks::opened_at.desc(), networks::id.desc()))
        .limit(limit)
        .load(conn)?)
}

/// These networks as they stand, each with whether this person may be a member of it:
/// as a person, or through one of these organisations (as a whole, or as a guardian
/// institution). One where that is false has no such member row, so the person does
/// not reach it (unless they coordinate it); one where it is true may still not be
/// reached (the member removed, the role not one that works with children): the caller
/// decides on the network's facts. One statement: an agenda asks this of 30 networks.
pub fn find_many_maybe_member(
    conn: &mut AnyConnection,
    network_ids: &[String],
    user_id: &str,
    organisations: &[String],
) -> Result<Vec<(Network, bool)>, DbError> {
    if network_ids.is_empty() {
        return Ok(vec![]);
    }
    let member =
        network_members::table
            .filter(network_members::network_id.eq(networks::id))
            .filter(network_members::user_id.eq(user_id).or(
                network_members::user_id.is_null().and(crate::in_list(
                    network_members::organisation_id,
                    organisations,
                )),
            ));
    Ok(networks::table
        .filter(crate::in_list(networks::id, network_ids))
        .select((Network::as_select(), diesel::dsl::exists(member)))
        .load(conn)?)
}

fn member_network_ids(
    conn: &mut AnyConnection,
    user_id: &str,
    organisations: &[String],
) -> Result<Vec<String>, DbError> {
    // Two indexed lookups rather than one OR, which would read every member row; as one
    // UNION ALL of the two (each branch planned on its own index), one round trip.
    let by_person = network_members::table
        .filter(network_members::user_id.eq(user_id))
        .filter(network_members::state.eq(ACTIVE))
        .select(network_members::network_id);
    if organisations.is_empty() {
        return Ok(by_person.load(conn)?);
    }
    // An organisation as a whole, or a guardian institution in the family's place.
    let by_organisation = network_members::table
        .filter(crate::in_list(
            network_members::organisation_id,
            organisations,
        ))
        .filter(network_members::user_id.is_null())
        .filter(crate::in_list(
            network_members::kind,
            ["organisation", "family"],
        ))
        .filter(network_members::state.eq(ACTIVE))
        .select(network_members::network_id);
    // The multi-engine connection has no UNION; each engine's own connection has.
    Ok(crate::on_backend!(conn, |c| by_person
        .union_all(by_organisation)
        .load::<String>(c))?)
}

pub fn add_answer(
    conn: &mut AnyConnection,
    network_id: &str,
    a: &NewAnswer<'_>,
) -> Result<(), DbError> {
    diesel::insert_into(consent_answers::table)
        .values((
            consent_answers::id.eq(new_id()),
            consent_answers::network_id.eq(network_id),
            consent_answers::grantee_id.eq(a.grantee_id),
            consent_answers::category.eq(a.category),
            consent_answers::by_member_id.eq(a.by_member_id),
            consent_answers::given.eq(a.given),
            consent_answers::how.eq(a.how),
            consent_answers::answered_on.eq(a.answered_on),
            consent_answers::recorded_by.eq(a.recorded_by),
            consent_answers::recorded_at.eq(now()),
        ))
        .execute(conn)?;
    // What members may see changed: open streams look again.
    crate::messages::event(
        conn,
        network_id,
        None,
        None,
        None,
        crate::messages::MEMBERSHIP,
    )?;
    Ok(())
}

/// Every consent answer of a network, oldest first.
pub fn answers(conn: &mut AnyConnection, network_id: &str) -> Result<Vec<ConsentAnswer>, DbError> {
    Ok(consent_answers::table
        .filter(consent_answers::network_id.eq(network_id))
        .order((
            consent_answers::recorded_at.asc(),
            consent_answers::id.asc(),
        ))
        .select(ConsentAnswer::as_select())
        .load(conn)?)
}

/// The consent answers of several networks, in one query, each network's in the order
/// of `answers`.
pub fn answers_of(
    conn: &mut AnyConnection,
    network_ids: &[String],
) -> Result<Vec<ConsentAnswer>, DbError> {
    if network_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(consent_answers::table
        .filter(crate::in_list(consent_answers::network_id, network_ids))
        .order((
            consent_answers::network_id.asc(),
            consent_answers::recorded_at.asc(),
            consent_answers::id.asc(),
        ))
        .select(ConsentAnswer::as_select())
        .load(conn)?)
}

pub fn find_answer(conn: &mut AnyConnection, id: &str) -> Result<Option<ConsentAnswer>, DbError> {
    Ok(consent_answers::table
        .find(id)
        .select(ConsentAnswer::as_select())
        .first(conn)
        .optional()?)
}

/// Records emergency access for a person until `until`.
pub fn add_emergency(
    conn: &mut AnyConnection,
    network_id: &str,
    user_id: &str,
    reason_code: &str,
    reason_text: &str,
    until: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(emergency_access::table)
        .values((
            emergency_access::id.eq(new_id()),
            emergency_access::network_id.eq(network_id),
            emergency_access::user_id.eq(user_id),
            emergency_access::reason_code.eq(reason_code),
            emergency_access::reason_text.eq(reason_text),
            emergency_access::opened_at.eq(now()),
            emergency_access::until.eq(until),
        ))
        .execute(conn)?;
    Ok(())
}

/// These networks with their children and the emergency access that holds now in each
/// (user, until): one statement (a left join; emergency access is rare, so a network
/// nearly always comes once). What every check of access to a network starts from.
pub fn find_many_with_child_and_emergencies(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<NetworkWithEmergencies>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<(Network, crate::referrals::Child, Option<Emergency>)> = networks::table
        .inner_join(children::table.on(children::id.eq(networks::child_id)))
        .left_join(
            emergency_access::table.on(emergency_access::network_id
                .eq(networks::id)
                .and(emergency_access::until.gt(now()))),
        )
        .filter(crate::in_list(networks::id, ids))
        .order(networks::id.asc())
        .select((
            Network::as_select(),
            crate::referrals::Child::as_select(),
            (emergency_access::user_id, emergency_access::until).nullable(),
        ))
        .load(conn)?;
    let rows = rows.into_iter().map(|(n, child, e)| ((n, child), e));
    Ok(crate::fold_left_join(rows, |a, b| a.0.id == b.0.id)
        .into_iter()
        .map(|((n, child), emergencies)| (n, child, emergencies))
        .collect())
}

/// Emergency access to a network that holds now: (user, until).
pub type Emergency = (String, NaiveDateTime);

/// A network, its child, and the emergency access that holds now.
pub type NetworkWithEmergencies = (Network, crate::referrals::Child, Vec<Emergency>);

/// The networks around other children recognised as this one: the same BSN, or the same
/// name and birth date (compared as keyed hashes).
pub fn recognised(conn: &mut AnyConnection, child_id: &str) -> Result<Vec<Network>, DbError> {
    let Some((bsn, name)) = children::table
        .find(child_id)
        .select((children::match_bsn, children::match_name))
        .first::<(Option<String>, Option<String>)>(conn)
        .optional()?
    else {
        return Ok(vec![]);
    };
    if bsn.is_none() && name.is_none() {
        return Ok(vec![]);
    }
    let same: Vec<String> = children::table
        .filter(children::id.ne(child_id))
        .filter(
            children::match_bsn
                .eq(bsn.unwrap_or_default())
                .or(children::match_name.eq(name.unwrap_or_default())),
        )
        .select(children::id)
        .load(conn)?;
    if same.is_empty() {
        return Ok(vec![]);
    }
    Ok(networks::table
        .filter(crate::in_list(networks::child_id, same))
        .select(Network::as_select())
        .load(conn)?)
}

/// Marks an item as not for the parents (idempotent).
pub fn mark_not_for_parents(
    conn: &mut AnyConnection,
    network_id: &str,
    kind: &str,
    item_id: &str,
    by: &str,
) -> Result<(), DbError> {
    let exists = not_for_parents::table
        .find((network_id, kind, item_id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        diesel::insert_into(not_for_parents::table)
            .values((
                not_for_parents::network_id.eq(network_id),
                not_for_parents::item_kind.eq(kind),
                not_for_parents::item_id.eq(item_id),
                not_for_parents::marked_by.eq(by),
                not_for_parents::marked_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Takes the mark off again.
pub fn unmark_not_for_parents(
    conn: &mut AnyConnection,
    network_id: &str,
    kind: &str,
    item_id: &str,
) -> Result<(), DbError> {
    diesel::delete(not_for_parents::table.find((network_id, kind, item_id))).execute(conn)?;
    Ok(())
}

/// The items of a network marked as not for the parents: (kind, item id).
pub fn not_for_parents(
    conn: &mut AnyConnection,
    network_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(not_for_parents::table
        .filter(not_for_parents::network_id.eq(network_id))
        .select((not_for_parents::item_kind, not_for_parents::item_id))
        .load(conn)?)
}

/// One use of emergency access, for the coordinating team's leader.
#[derive(Debug, Clone, Queryable)]
pub struct EmergencyUse {
    pub user_id: UserId,
    pub reason_code: String,
    pub reason_text: String,
    pub opened_at: NaiveDateTime,
    pub until: NaiveDateTime,
}

/// Emergency access to the networks these organisations coordinate, newest first, each
/// with its network.
pub fn emergencies_of(
    conn: &mut AnyConnection,
    coordinator_orgs: &[String],
    limit: i64,
) -> Result<Vec<(EmergencyUse, Network)>, DbError> {
    Ok(emergency_access::table
        .inner_join(networks::table.on(networks::id.eq(emergency_access::network_id)))
        .filter(networks::coordinator_org_id.eq_any(coordinator_orgs))
        .order(emergency_access::opened_at.desc())
        .limit(limit)
        .select((
            (
                emergency_access::user_id,
                emergency_access::reason_code,
                emergency_access::reason_text,
                emergency_access::opened_at,
                emergency_access::until,
            ),
            Network::as_select(),
        ))
        .load(conn)?)
}

/// A referral's parties: (referral, child, from organisation, referrer, to organisation).
pub type Parties = (ReferralId, ChildId, OrganisationId, UserId, OrganisationId);

/// Referrals whose child has no network yet, newest first, for the load tests' bulk
/// networks.
pub fn without_network(conn: &mut AnyConnection, limit: i64) -> Result<Vec<Parties>, DbError> {
    use crate::schema::referrals;
    Ok(referrals::table
        .left_join(networks::table.on(networks::child_id.eq(referrals::child_id)))
        .filter(networks::id.is_null())
        .filter(referrals::parent_id.is_null())
        .order(referrals::created_at.desc())
        .limit(limit)
        .select((
            referrals::id,
            referrals::child_id,
            referrals::from_org_id,
            referrals::referrer_id,
            referrals::to_org_id,
        ))
        .load(conn)?)
}

/// Writes many networks with their members and answers in few statements (load
/// tests). Ids must be new; each child may have one network.
pub fn insert_bulk(
    conn: &mut AnyConnection,
    nets: &[Network],
    members: &[Member],
    answers: &[ConsentAnswer],
) -> Result<(), DbError> {
    for chunk in nets.chunks(1000) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(networks::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in members.chunks(1000) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(network_members::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in answers.chunks(1000) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(consent_answers::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Refreshes the planner's statistics after a bulk insert; outside any transaction.
pub fn analyze(conn: &mut AnyConnection) -> Result<(), DbError> {
    let sql = match conn {
        AnyConnection::Sqlite(_) => "ANALYZE",
        AnyConnection::Postgresql(_) => {
            "VACUUM ANALYZE networks, network_members, consent_answers, audit_log, plans, plan_versions, plan_actions"
        }
    };
    diesel::sql_query(sql).execute(conn)?;
    Ok(())
}

/// Networks whose child was born in `[from, to]`, with the birth date: the candidates
/// for a birthday notice.
pub fn born_between(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Network, NaiveDate)>, DbError> {
    Ok(networks::table
        .inner_join(children::table.on(children::id.eq(networks::child_id)))
        .filter(children::birth_date.between(from, to))
        .select((Network::as_select(), children::birth_date))
        .load(conn)?)
}

/// Records that a network's child reached an age; false when it was recorded before
/// (by this or another server).
pub fn note_milestone(
    conn: &mut AnyConnection,
    network_id: &str,
    age: i32,
) -> Result<bool, DbError> {
    let done = network_milestones::table
        .find((network_id, age))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if done {
        return Ok(false);
    }
    diesel::insert_into(network_milestones::table)
        .values((
            network_milestones::network_id.eq(network_id),
            network_milestones::age.eq(age),
            network_milestones::noticed_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(true)
}
