//! Case meetings (casuïstiekoverleg, job 4): a team leader or case director schedules a
//! meeting with team members, the linked POH or GP and others; the agenda is built from
//! the work (plans whose evaluation is due, referrals late or on hold, agreements past
//! their date) and the cases participants bring in. An item about a child shows the
//! child only to those who reach the child's network (or may read the referral);
//! everyone else sees it anonymised, and the organiser sees for whom. Parents invited to
//! their own child's item see that item only. The chair records per item the discussion,
//! the decisions and the actions; the actions land in the child's plan as a new version
//! marked as from the meeting, and the family is told. Every look at an item's child is
//! logged.

use crate::access::Disclosed;
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use crate::message::Quiet;
use crate::network::{self, Facts, Reach, member_name};
use crate::referral::age_on;
use rondom_db::meetings::{self as db, Item, Meeting, MeetingRecord};
use rondom_db::referrals::Listed;
use rondom_domain::meeting::{
    DecidedAction, ItemKind, Minutes, Schedule, check_schedule, with_decided_actions,
};
use rondom_domain::plan::Plan;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Actor, Resource, Role, authorize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How far ahead an evaluation date puts a network on the agenda.
const EVALUATION_AHEAD_DAYS: i64 = 14;
/// Most suggestions of each kind.
const SUGGESTIONS: i64 = 15;
/// How old the suggestions may be when another server changed the work (a change on
/// this server is seen at once). They are a to-do list that moves in days, and reading
/// them is eleven queries over the team's work: every 2 s, as the session cache, it was
/// the slowest agenda of every few hundred and held up the ones beside it.
pub(crate) const SUGGESTIONS_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(15);

/// The teams this person may organise a meeting for: as team leader or consultant.
pub fn organising_teams(actor: &Actor) -> Vec<String> {
    actor
        .memberships
        .iter()
        .filter(|(o, r)| {
            matches!(r, Role::Teamleider | Role::Consulent)
                && actor.kinds.iter().any(|(k, kind)| {
                    k == o && *kind == rondom_domain::OrganisationKind::SociaalTeam
                })
        })
        .map(|(o, _)| o.clone())
        .collect()
}

fn leads(actor: &Actor, team: &str) -> bool {
    actor
        .memberships
        .iter()
        .any(|(o, r)| o == team && *r == Role::Teamleider)
}

/// A meeting in a list.
pub struct MeetingLine {
    pub id: String,
    pub title: String,
    pub when: String,
    pub place: String,
    pub held: bool,
    pub past: bool,
}

fn line(m: &Meeting) -> MeetingLine {
    MeetingLine {
        id: m.id.clone(),
        title: m.title.clone(),
        when: crate::dates::datetime(m.starts_at),
        place: m.place.clone(),
        held: m.state == db::HELD,
        past: m.starts_at < rondom_db::now(),
    }
}

/// The meetings this person is in, newest first (titles and times only: no child).
pub async fn mine(svc: &Services, who: &impl Principal) -> Result<Vec<MeetingLine>, Error> {
    let user = who.actor().user_id.clone();
    let teams: Vec<String> = who
        .actor()
        .memberships
        .iter()
        .filter(|(_, r)| *r == Role::Teamleider)
        .map(|(o, _)| o.clone())
        .collect();
    let found = svc
        .db
        .read(move |c| db::of_person(c, &user, &teams, 100))
        .await?;
    Ok(found.iter().map(line).collect())
}

/// Someone who can be asked to a team's meeting: (user id, name, what they do).
pub struct Candidate {
    pub user_id: String,
    pub name: String,
    pub what: String,
}

/// Who can be asked to a team's meeting: the team's people who work with children, and
/// the GPs and POHs of the practices the team is linked with.
pub async fn candidates(
    svc: &Services,
    who: &impl Principal,
    team: &str,
) -> Result<Vec<Candidate>, Error> {
    if !organising_teams(who.actor()).iter().any(|t| t == team) {
        return Err(Error::Forbidden);
    }
    let team = team.to_owned();
    let today = crate::dates::today();
    Ok(svc
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for m in rondom_db::organisations::members(c, &team)? {
                if network::works_with_children(m.role) {
                    out.push(Candidate {
                        user_id: m.user_id.to_string(),
                        name: m.name.clone(),
                        what: network::job(m.role).to_owned(),
                    });
                }
            }
            let mut practices: Vec<(String, String)> = Vec::new();
            for l in rondom_db::directory::links_of_team(c, &team, today)? {
                if l.in_force && !practices.iter().any(|(p, _)| *p == l.practice_id.as_str()) {
                    practices.push((l.practice_id.to_string(), l.practice_name.clone()));
                }
            }
            for (p, name) in practices {
                for m in rondom_db::organisations::members(c, &p)? {
                    if matches!(m.role, Role::Huisarts | Role::Poh) {
                        out.push(Candidate {
                            user_id: m.user_id.to_string(),
                            name: m.name.clone(),
                            what: format!("{} bij {name}", network::job(m.role)),
                        });
                    }
                }
            }
            out.dedup_by(|a, b| a.user_id == b.user_id);
            Ok(out)
        })
        .await?)
}

/// A meeting to schedule, as typed.
pub struct NewMeeting {
    pub team: String,
    pub title: String,
    /// yyyy-mm-ddThh:mm, local time (the date-and-time field).
    pub starts_at: String,
    pub place: String,
    pub video_link: String,
    pub participants: Vec<String>,
    /// Others from the sociale kaart, by the e-mail address of their Rondom account.
    pub others: Vec<String>,
}

fn parse_local(s: &str) -> Option<chrono::NaiveDateTime> {
    let s = s.trim();
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%d-%m-%Y %H:%M"))
        .ok()
}

/// Schedules a meeting; the organiser chairs it and takes part. Answers its id.
pub async fn schedule(
    svc: &Services,
    who: &impl Principal,
    input: &NewMeeting,
) -> Result<Checked<String>, Error> {
    let candidates = candidates(svc, who, &input.team).await?;
    // Others: professionals who work with children, found by their address.
    let emails: Vec<String> = input
        .others
        .iter()
        .flat_map(|o| o.split([',', ';', ' ', '\n']))
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    let local = parse_local(&input.starts_at);
    let mut errors = check_schedule(
        &Schedule {
            title: &input.title,
            starts_at: local,
            place: &input.place,
            video_link: &input.video_link,
            participants: input.participants.len() + emails.len(),
        },
        crate::dates::to_local(rondom_db::now()),
    );
    if !input.starts_at.trim().is_empty() && local.is_none() {
        errors.retain(|e| e.field != "wanneer");
        errors.push(ValidationError::new(
            "wanneer",
            "Dit is geen datum met tijd. Schrijf bijvoorbeeld 2027-01-14T14:00.",
        ));
    }
    if input
        .participants
        .iter()
        .any(|p| !candidates.iter().any(|c| c.user_id == *p))
    {
        errors.push(ValidationError::new(
            "deelnemers",
            "Kies deelnemers uit de lijst.",
        ));
    }
    let found = svc
        .db
        .read({
            let emails = emails.clone();
            move |c| {
                let mut out = Vec::new();
                for e in &emails {
                    let Some(u) = rondom_db::users::find_by_email(c, e)? else {
                        out.push((e.clone(), None));
                        continue;
                    };
                    let works = rondom_db::users::memberships_of(c, &u.id)?
                        .iter()
                        .any(|m| network::works_with_children(m.role));
                    out.push((e.clone(), works.then(|| u.id.to_string())));
                }
                Ok(out)
            }
        })
        .await?;
    let mut others = Vec::new();
    for (e, user) in found {
        match user {
            Some(u) => others.push(u),
            None => errors.push(ValidationError::new(
                "anderen",
                format!("{e} is geen hulpverlener met een account in Rondom. Kijk het adres na in de sociale kaart."),
            )),
        }
    }
    let (Some(local), true) = (local, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let me = who.actor().user_id.clone();
    let mut participants = input.participants.clone();
    participants.extend(others);
    if !participants.contains(&me) {
        participants.push(me.clone());
    }
    participants.sort();
    participants.dedup();
    let video = input.video_link.trim();
    let m = Meeting {
        id: rondom_db::new_id(),
        team_org_id: input.team.clone(),
        title: input.title.trim().to_owned(),
        starts_at: crate::dates::to_utc(local),
        place: input.place.trim().to_owned(),
        video_link: (!video.is_empty()).then(|| video.to_owned()),
        chair_id: me.clone(),
        state: db::PLANNED.into(),
        created_by: me,
        created_at: rondom_db::now(),
    };
    let id = m.id.clone();
    let link = format!("/overleggen/{id}");
    let told: Vec<String> = participants
        .iter()
        .filter(|p| **p != m.chair_id)
        .cloned()
        .collect();
    let mails = svc
        .db
        .write(move |c| {
            db::create(c, &m, &participants)?;
            let mut mails = Vec::new();
            for p in &told {
                rondom_db::consultations::notify(
                    c,
                    p,
                    "U bent uitgenodigd voor een casuïstiekoverleg.",
                    &link,
                )?;
                if let Some(u) = rondom_db::users::find(c, p)? {
                    mails.push(u.email);
                }
            }
            Ok(mails)
        })
        .await?;
    let mut e = crate::access::event(
        who,
        "meeting_schedule",
        Resource::Organisation(&input.team),
        "allowed",
    );
    e.object_type = "meeting".into();
    e.object_id = Some(id.clone());
    crate::access::record(svc, e).await?;
    for to in mails {
        svc.mail_notice(
            to,
            "Uitnodiging casuïstiekoverleg",
            "U bent uitgenodigd voor een casuïstiekoverleg in Rondom.",
            "Bekijk de agenda",
            &format!("/overleggen/{id}"),
        );
    }
    Ok(Ok(id))
}

/// This person's seat at a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seat {
    /// Chairs it, scheduled it, or leads its team: arranges the agenda, records minutes.
    Organiser,
    Participant,
    /// A family member invited to these items only.
    Guest(Vec<String>),
}

fn seat_of(actor: &Actor, r: &MeetingRecord) -> Option<Seat> {
    let me = actor.user_id.as_str();
    let m = &r.meeting;
    if m.chair_id == me || m.created_by == me || leads(actor, &m.team_org_id) {
        return Some(Seat::Organiser);
    }
    if r.participants.iter().any(|p| p == me) {
        return Some(Seat::Participant);
    }
    let mine: Vec<String> = r
        .guests
        .iter()
        .filter(|(_, u, _)| u == me)
        .map(|(i, _, _)| i.clone())
        .collect();
    (!mine.is_empty()).then_some(Seat::Guest(mine))
}

/// Whether this person sees an item's child: they reach its network (or, for a referral
/// of a child without one, may read the referral).
fn sees_child(
    who: &impl Principal,
    item: &Item,
    facts: &HashMap<String, Facts>,
    referrals: &HashMap<String, Listed>,
) -> bool {
    if let Some(f) = item.network_id.as_deref().and_then(|n| facts.get(n)) {
        return matches!(f.reach(who), Some(Reach::Coordinates | Reach::Member));
    }
    if let Some(r) = item.referral_id.as_deref().and_then(|r| referrals.get(r)) {
        return authorize(
            who.actor(),
            Action::Read,
            Resource::Referral {
                from: &r.r.from_org_id,
                to: &r.r.to_org_id,
            },
        )
        .is_allowed();
    }
    false
}

/// Whether this person is the case director of the item's network (who may record its
/// minutes and invite its family, besides the organiser).
fn coordinates(who: &impl Principal, item: &Item, facts: &HashMap<String, Facts>) -> bool {
    item.network_id
        .as_deref()
        .and_then(|n| facts.get(n))
        .is_some_and(|f| f.network.coordinator_id.as_str() == who.actor().user_id)
}

/// An item's minutes as shown.
pub struct MinutesView {
    pub discussion: String,
    pub decisions: String,
    pub actions: Vec<String>,
    pub plan_version: Option<i32>,
    pub recorded: String,
}

/// One agenda item, as this person may see it.
pub struct ItemView {
    pub id: String,
    pub position: i32,
    pub why: &'static str,
    /// The child's name and age, or "een kind van 8 jaar" when anonymised.
    pub child: String,
    pub anonymous: bool,
    pub case_director: String,
    pub network_id: Option<String>,
    pub referral_id: Option<String>,
    pub question: Option<String>,
    pub minutes: Option<MinutesView>,
    /// For the organiser: the participants for whom this item is anonymous.
    pub anonymous_for: Vec<String>,
    /// The organiser records minutes (with actions when they see the child's plan).
    pub may_record: bool,
    pub with_plan: bool,
    /// For the minutes form: the plan's goals (key, title) and who may own an action.
    pub goals: Vec<(String, String)>,
    pub owners: Vec<(String, String)>,
    /// Family members with an account the organiser may invite: (member id, name).
    pub invitable: Vec<(String, String)>,
    pub guests: Vec<String>,
}

/// Something the work suggests for the agenda.
pub struct Suggestion {
    pub kind: ItemKind,
    pub network_id: Option<String>,
    pub referral_id: Option<String>,
    pub child: String,
    pub why: String,
    /// The child is named (this person reaches them); else "Een kind van N jaar".
    pub named: bool,
}

/// A meeting as this person may see it.
pub struct MeetingView {
    pub id: String,
    pub title: String,
    pub when: String,
    /// yyyy-mm-dd of the meeting (for "over twee weken").
    pub place: String,
    pub video_link: Option<String>,
    pub chair: String,
    pub team: String,
    pub held: bool,
    pub seat: Seat,
    pub participants: Vec<String>,
    pub items: Vec<ItemView>,
    /// Items this person sees anonymised.
    pub anonymous_items: usize,
    /// For the organiser of a planned meeting.
    pub suggestions: Vec<Suggestion>,
    /// Networks this person may bring in: (network id, child).
    pub my_cases: Vec<(String, String)>,
}

/// What a meeting's page is computed from, read at once.
struct Loaded {
    r: MeetingRecord,
    seat: Seat,
    facts: HashMap<String, Facts>,
    referrals: HashMap<String, Listed>,
    names: HashMap<String, String>,
    /// The latest plan version of each item's network: (its number, the plan).
    plans: HashMap<String, (i32, Plan)>,
}

async fn load(svc: &Services, who: &impl Principal, id: &str) -> Result<Loaded, Error> {
    Ok(load_for(svc, who, id, false).await?.0)
}

/// What the page of a meeting reads besides its agenda, in the same trip.
#[derive(Default)]
struct Extra {
    /// For the organiser: the participants' memberships (for whom an item is anonymous).
    others: Arc<Vec<(String, rondom_db::users::Membership)>>,
    /// For the organiser of a planned meeting: what the work suggests.
    suggested: Option<Arc<Suggested>>,
    /// For a participant of a planned meeting: the networks they are in, newest first
    /// (the cases they could bring in; their facts are in `Loaded::facts`).
    mine: Vec<String>,
    /// The suggested networks with their children. Their facts are in `Loaded::facts`
    /// only where this person may be a member: the others they do not reach (or
    /// coordinate, which the network says), so their consent need not be read.
    glances: Vec<(rondom_db::networks::Network, rondom_db::referrals::Child)>,
}

/// The work a team's agenda is suggested from (their networks' facts are in
/// `Loaded::facts`). The same for everyone who organises the meeting, and read by
/// eleven queries over the team's work: kept (`Services::agenda_work`) while the
/// organiser and their co-organisers reload the agenda. Who sees a child by name is
/// decided on every request from facts read then (for a referral, from its sending and
/// receiving organisation, which never change once it is sent).
pub(crate) struct Suggested {
    evaluations: Vec<(String, chrono::NaiveDate)>,
    overdue: Vec<(String, i64)>,
    late: Vec<Listed>,
    held: Vec<Listed>,
    /// The children of the networks in `evaluations` and `overdue`, by network.
    children: HashMap<String, rondom_db::referrals::Child>,
}

enum Found {
    Missing,
    Refused(Box<MeetingRecord>),
    Seated(Box<Read>),
}

struct Read {
    r: MeetingRecord,
    seat: Seat,
    facts: Vec<Facts>,
    referrals: Vec<Listed>,
    names: Vec<(String, String)>,
    versions: Vec<rondom_db::plans::PlanVersion>,
    extra: Extra,
}

/// The meeting with everything its agenda is computed from, and with `page` what its
/// page shows besides: one trip to the database, however many kinds of thing it holds
/// (each trip is a hop to a blocking thread and, on PostgreSQL, round trips).
async fn load_for(
    svc: &Services,
    who: &impl Principal,
    id: &str,
    page: bool,
) -> Result<(Loaded, Extra), Error> {
    let mid = id.to_owned();
    let actor = who.actor().clone();
    let work_key = format!("{id}/{}", crate::dates::today());
    let (kept, taken) = svc.agenda_work.current(&svc.db, &work_key);
    let kept_work = kept.is_some();
    let db = svc.db.clone();
    let memberships = svc.participant_memberships.clone();
    let found = svc
        .db
        .read(move |c| {
            let Some(r) = db::find(c, &mid)? else {
                return Ok(Found::Missing);
            };
            let Some(seat) = seat_of(&actor, &r) else {
                return Ok(Found::Refused(Box::new(r)));
            };
            let planned = r.meeting.state == db::PLANNED;
            let orgs: Vec<String> = actor.memberships.iter().map(|(o, _)| o.clone()).collect();
            let mut extra = Extra::default();
            if page && seat == Seat::Organiser {
                extra.others = participants_memberships(&db, &memberships, c, &r.participants)?;
                if planned {
                    extra.suggested = Some(match kept {
                        Some(s) => s,
                        None => Arc::new(suggested(c, &r)?),
                    });
                }
            }
            if page && planned && !matches!(seat, Seat::Guest(_)) {
                extra.mine = rondom_db::networks::newest_of_member(c, &actor.user_id, &orgs, 50)?;
            }
            let networks: Vec<String> = r
                .items
                .iter()
                .filter_map(|i| i.network_id.clone())
                .collect();
            let mut wanted = networks.clone();
            if let Some(s) = &extra.suggested {
                let mut ids: Vec<String> = s
                    .evaluations
                    .iter()
                    .map(|(n, _)| n.clone())
                    .chain(s.overdue.iter().map(|(n, _)| n.clone()))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                // The networks are read fresh (who coordinates decides who sees the
                // child by name); their children come with the suggestions.
                let found =
                    rondom_db::networks::find_many_maybe_member(c, &ids, &actor.user_id, &orgs)?;
                for (n, maybe) in found {
                    let id = n.id.to_string();
                    if maybe && n.coordinator_id.as_str() != actor.user_id {
                        wanted.push(id.clone());
                    }
                    if let Some(child) = s.children.get(&id) {
                        extra.glances.push((n, child.clone()));
                    }
                }
            }
            wanted.extend(extra.mine.iter().cloned());
            let mut seen = HashSet::new();
            wanted.retain(|n| seen.insert(n.clone()));
            let facts = network::facts_of(c, &wanted)?;
            let item_referrals: Vec<String> = r
                .items
                .iter()
                .filter_map(|i| i.referral_id.clone())
                .collect();
            let referrals = rondom_db::referrals::listed_of(c, &item_referrals)?;
            let mut people: Vec<String> = r.participants.clone();
            people.push(r.meeting.chair_id.clone());
            people.extend(r.items.iter().filter_map(|i| i.recorded_by.clone()));
            let mut named_orgs = vec![r.meeting.team_org_id.clone()];
            for f in facts
                .iter()
                .filter(|f| networks.iter().any(|n| n == f.network.id.as_str()))
            {
                named_orgs.extend(
                    f.members
                        .iter()
                        .filter_map(|m| m.organisation_id.as_ref().map(ToString::to_string)),
                );
                people.extend(
                    f.members
                        .iter()
                        .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
                        .chain(std::iter::once(f.network.coordinator_id.to_string())),
                );
            }
            people.extend(
                referrals
                    .iter()
                    .filter_map(|l| l.r.case_director_id.as_ref().map(ToString::to_string)),
            );
            let names = rondom_db::users::names_with_organisations(c, &people, &named_orgs)?;
            let versions = rondom_db::plans::latest_of(c, &networks)?;
            Ok(Found::Seated(Box::new(Read {
                r,
                seat,
                facts,
                referrals,
                names,
                versions,
                extra,
            })))
        })
        .await?;
    let read = match found {
        Found::Missing => return Err(Error::NotFound),
        Found::Refused(r) => {
            let mut e = crate::access::event(
                who,
                "meeting_read",
                Resource::Organisation(&r.meeting.team_org_id),
                "denied",
            );
            e.object_type = "meeting".into();
            e.object_id = Some(r.meeting.id.clone());
            crate::access::record(svc, e).await?;
            return Err(Error::NotFound);
        }
        Found::Seated(read) => *read,
    };
    if let (false, Some(s)) = (kept_work, &read.extra.suggested) {
        svc.agenda_work.store(&work_key, taken, s.clone());
    }
    let mut plans = HashMap::new();
    for v in read.versions {
        let text = svc
            .secrets
            .open(&v.content_sealed)
            .map_err(Error::internal)?;
        let p: Plan = serde_json::from_str(&text).map_err(Error::internal)?;
        plans.insert(v.network_id, (v.number, p));
    }
    Ok((
        Loaded {
            seat: read.seat,
            facts: read
                .facts
                .into_iter()
                .map(|f| (f.network.id.to_string(), f))
                .collect(),
            referrals: read
                .referrals
                .into_iter()
                .map(|l| (l.r.id.to_string(), l))
                .collect(),
            names: read.names.into_iter().collect(),
            plans,
            r: read.r,
        },
        read.extra,
    ))
}

/// The memberships of a meeting's participants (for whom an item is anonymous), from
/// what this server read a moment ago while nothing they are made of has changed
/// (memberships and organisations are announced like sessions, see `FreshCache`).
fn participants_memberships(
    db: &rondom_db::Db,
    cache: &crate::fresh::FreshCache<Vec<(String, rondom_db::users::Membership)>>,
    c: &mut rondom_db::AnyConnection,
    participants: &[String],
) -> Result<Arc<Vec<(String, rondom_db::users::Membership)>>, rondom_db::DbError> {
    let mut key: Vec<&str> = participants.iter().map(String::as_str).collect();
    key.sort_unstable();
    let key = key.join(",");
    let (kept, taken) = cache.current(db, &key);
    if let Some(kept) = kept {
        return Ok(kept);
    }
    let read = Arc::new(rondom_db::users::memberships_of_many(c, participants)?);
    cache.store(&key, taken, read.clone());
    Ok(read)
}

/// What the work suggests for a team's meeting, read on the caller's connection.
fn suggested(
    c: &mut rondom_db::AnyConnection,
    r: &MeetingRecord,
) -> Result<Suggested, rondom_db::DbError> {
    let team = r.meeting.team_org_id.clone();
    let day = crate::dates::to_local(r.meeting.starts_at).date();
    let today = crate::dates::today();
    let evaluations = db::evaluations_due(
        c,
        &team,
        day + chrono::Duration::days(EVALUATION_AHEAD_DAYS),
        SUGGESTIONS,
    )?;
    let overdue = db::overdue_actions(c, &team, today, SUGGESTIONS)?;
    use rondom_domain::referral::Status as S;
    let late = rondom_db::referrals::ids_by_due(
        c,
        &team,
        &[S::Requested, S::Received, S::Accepted, S::InProgress],
        Some(today - chrono::Duration::days(1)),
        SUGGESTIONS,
    )?;
    let held = rondom_db::referrals::ids_by_due(c, &team, &[S::OnHold], None, SUGGESTIONS)?;
    // Only the rows shown are read whole, in one query, with the names looked up once.
    let ids: Vec<String> = late.iter().chain(held.iter()).cloned().collect();
    let (late, held) = rondom_db::referrals::listed_of(c, &ids)?
        .into_iter()
        .partition(|l| late.iter().any(|id| l.r.id.as_str() == id));
    let networks: Vec<String> = evaluations
        .iter()
        .map(|(n, _)| n.clone())
        .chain(overdue.iter().map(|(n, _)| n.clone()))
        .collect();
    let children = rondom_db::networks::find_many_with_child(c, &networks)?
        .into_iter()
        .map(|(n, child)| (n.id.to_string(), child))
        .collect();
    Ok(Suggested {
        evaluations,
        overdue,
        late,
        held,
        children,
    })
}

impl Loaded {
    fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_default()
    }

    /// The child of an item: (birth date, name sealed, case director) from its network or
    /// its referral.
    fn child_of(&self, item: &Item) -> Option<(chrono::NaiveDate, &str, String)> {
        if let Some(f) = item.network_id.as_deref().and_then(|n| self.facts.get(n)) {
            return Some((
                f.child.birth_date,
                f.child.name_sealed.as_str(),
                f.network.coordinator_id.to_string(),
            ));
        }
        let l = item
            .referral_id
            .as_deref()
            .and_then(|r| self.referrals.get(r))?;
        Some((
            l.child_birth_date,
            l.child_name_sealed.as_str(),
            l.r.case_director_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ))
    }
}

/// A child as a line of the agenda shows them: by name and age where this person sees
/// them, else by age alone.
fn child_line(
    svc: &Services,
    named: bool,
    name_sealed: &str,
    birth: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> String {
    let age = age_on(birth, today);
    if named {
        format!(
            "{} ({age} jaar)",
            svc.secrets.open_shown(name_sealed, "child name")
        )
    } else {
        format!("Een kind van {age} jaar")
    }
}

/// The actors of these people, to ask for each whether an item is anonymous to them.
/// Participants are professionals: their organisations' roles are all the policy asks.
fn actors(
    users: &[String],
    all: &[(String, rondom_db::users::Membership)],
) -> Vec<(String, Actor)> {
    users
        .iter()
        .map(|u| {
            let ms: Vec<rondom_db::users::Membership> = all
                .iter()
                .filter(|(id, _)| id == u)
                .map(|(_, m)| m.clone())
                .collect();
            (u.clone(), crate::auth::actor_of(u, &ms, None))
        })
        .collect()
}

/// A meeting with its agenda as this person may see it. Every item whose child is shown
/// is logged as a look at that child.
pub async fn view(
    svc: &Services,
    who: &impl Principal,
    id: &str,
) -> Result<Disclosed<MeetingView>, Error> {
    let (l, extra) = load_for(svc, who, id, true).await?;
    let today = crate::dates::today();
    let organiser = l.seat == Seat::Organiser;
    let others = if organiser {
        actors(&l.r.participants, &extra.others)
    } else {
        vec![]
    };
    let mut shown_networks: Vec<&rondom_db::networks::Network> = Vec::new();
    // Items and suggestions that name a child through a referral (not a network).
    let mut named_referrals: Vec<&str> = Vec::new();
    let mut items = Vec::new();
    for item in &l.r.items {
        if let Seat::Guest(mine) = &l.seat
            && !mine.contains(&item.id)
        {
            continue;
        }
        let Some((birth, name_sealed, director)) = l.child_of(item) else {
            continue;
        };
        let guest = matches!(l.seat, Seat::Guest(_));
        let sees = guest || sees_child(who, item, &l.facts, &l.referrals);
        let facts = item.network_id.as_deref().and_then(|n| l.facts.get(n));
        if sees && let Some(f) = facts {
            shown_networks.push(&f.network);
        } else if sees && let Some(r) = &item.referral_id {
            named_referrals.push(r.as_str());
        }
        let child = child_line(svc, sees, name_sealed, birth, today);
        let anonymous_for = others
            .iter()
            .filter(|(_, a)| !sees_child(&Quiet(a), item, &l.facts, &l.referrals))
            .map(|(u, _)| l.name(u))
            .collect();
        let plan = item
            .network_id
            .as_deref()
            .and_then(|n| l.plans.get(n))
            .map(|(_, p)| p);
        let with_plan = plan.is_some();
        let may_record = sees && !guest && (organiser || coordinates(who, item, &l.facts));
        let (goals, owners, invitable) = match (facts, plan, may_record) {
            (Some(f), Some(p), true) => (
                p.goals
                    .iter()
                    .map(|g| (g.key.clone(), g.title.clone()))
                    .collect(),
                owners_of(svc, f, &l.names),
                f.members
                    .iter()
                    .filter(|m| m.kind == network::FAMILY && m.is_active() && m.user_id.is_some())
                    .filter(|m| f.decides(&m.id))
                    .filter(|m| {
                        !l.r.guests.iter().any(|(i, u, _)| {
                            *i == item.id && Some(u.as_str()) == m.user_id.as_deref()
                        })
                    })
                    .map(|m| (m.id.to_string(), member_name(svc, m, &l.names)))
                    .collect(),
            ),
            _ => (vec![], vec![], vec![]),
        };
        let minutes = if sees {
            minutes_of(svc, item, &l)?
        } else {
            None
        };
        items.push(ItemView {
            id: item.id.clone(),
            position: item.position,
            why: ItemKind::parse(&item.kind).map_or("", ItemKind::label),
            child,
            anonymous: !sees,
            case_director: l.name(&director),
            network_id: sees.then(|| item.network_id.clone()).flatten(),
            referral_id: sees.then(|| item.referral_id.clone()).flatten(),
            question: if sees {
                item.question_sealed
                    .as_deref()
                    .map(|q| svc.secrets.open_shown(q, "meeting question"))
            } else {
                None
            },
            minutes,
            anonymous_for: if organiser { anonymous_for } else { vec![] },
            may_record,
            with_plan,
            goals,
            owners,
            invitable,
            guests: l
                .r
                .guests
                .iter()
                .filter(|(i, _, _)| *i == item.id)
                .filter_map(|(_, _, m)| {
                    facts.and_then(|f| f.members.iter().find(|x| x.id.as_str() == m))
                })
                .map(|m| member_name(svc, m, &l.names))
                .collect(),
        });
    }
    shown_networks.sort_by(|a, b| a.id.cmp(&b.id));
    shown_networks.dedup_by(|a, b| a.id == b.id);
    // Every look this page gives goes to the log in one commit, before it is shown.
    let mut looks: Vec<_> = shown_networks
        .iter()
        .map(|n| network::network_event(who, "meeting_item_read", n, "allowed"))
        .collect();
    let planned = l.r.meeting.state == db::PLANNED;
    let suggestions = match &extra.suggested {
        Some(s) => suggest(svc, who, &l, s, &extra.glances, &mut looks),
        None => vec![],
    };
    let my_cases = my_cases(svc, who, &l, &extra.mine, &mut looks);
    named_referrals.extend(
        suggestions
            .iter()
            .filter(|s| s.named)
            .filter_map(|s| s.referral_id.as_deref()),
    );
    looks.extend(crate::referral::read::list_event(who, named_referrals));
    crate::access::record_all(svc, looks).await?;
    let m = &l.r.meeting;
    Ok(Disclosed::logged(MeetingView {
        id: m.id.clone(),
        title: m.title.clone(),
        when: crate::dates::datetime(m.starts_at),
        place: m.place.clone(),
        video_link: m.video_link.clone(),
        chair: l.name(&m.chair_id),
        team: l.name(&m.team_org_id),
        held: !planned,
        anonymous_items: items.iter().filter(|i| i.anonymous).count(),
        participants: if matches!(l.seat, Seat::Guest(_)) {
            vec![]
        } else {
            l.r.participants.iter().map(|p| l.name(p)).collect()
        },
        seat: l.seat.clone(),
        items,
        suggestions,
        my_cases,
    }))
}

/// Who may own an action in this network's plan: (member id, name).
fn owners_of(svc: &Services, f: &Facts, names: &HashMap<String, String>) -> Vec<(String, String)> {
    crate::plan::possible_owners(f)
        .into_iter()
        .map(|m| (m.id.to_string(), member_name(svc, m, names)))
        .collect()
}

fn minutes_of(svc: &Services, item: &Item, l: &Loaded) -> Result<Option<MinutesView>, Error> {
    let Some(at) = item.recorded_at else {
        return Ok(None);
    };
    let open = |s: &Option<String>| {
        s.as_deref()
            .map(|t| svc.secrets.open_shown(t, "minutes"))
            .unwrap_or_default()
    };
    let actions: Vec<StoredAction> = match &item.actions_sealed {
        Some(s) => serde_json::from_str(&svc.secrets.open(s).map_err(Error::internal)?)
            .map_err(Error::internal)?,
        None => vec![],
    };
    let facts = item.network_id.as_deref().and_then(|n| l.facts.get(n));
    let owner = |o: &Option<String>| -> String {
        o.as_deref()
            .and_then(|o| facts.and_then(|f| f.members.iter().find(|m| m.id.as_str() == o)))
            .map(|m| member_name(svc, m, &l.names))
            .unwrap_or_else(|| "nog niemand".into())
    };
    Ok(Some(MinutesView {
        discussion: open(&item.discussion_sealed),
        decisions: open(&item.decisions_sealed),
        actions: actions
            .iter()
            .map(|a| {
                let mut s = format!("{} — {}", a.what, owner(&a.owner));
                if let Some(d) = a.due_on {
                    s.push_str(&format!(", uiterlijk {}", crate::dates::dutch_date(d)));
                }
                s
            })
            .collect(),
        plan_version: item.plan_version,
        recorded: format!(
            "{}, {}",
            item.recorded_by
                .as_deref()
                .map(|u| l.name(u))
                .unwrap_or_default(),
            crate::dates::datetime(at)
        ),
    }))
}

/// A decided action as kept with the minutes.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredAction {
    what: String,
    owner: Option<String>,
    due_on: Option<chrono::NaiveDate>,
}

/// What the work suggests for the agenda of a planned meeting, not on it yet: named
/// when the organiser reaches the child, else anonymised. The looks at the named
/// children are added to `looks`.
fn suggest(
    svc: &Services,
    who: &impl Principal,
    l: &Loaded,
    s: &Suggested,
    glances: &[(rondom_db::networks::Network, rondom_db::referrals::Child)],
    looks: &mut Vec<rondom_db::audit::AuditEvent>,
) -> Vec<Suggestion> {
    let today = crate::dates::today();
    let on: Vec<&str> =
        l.r.items
            .iter()
            .filter_map(|i| i.network_id.as_deref())
            .collect();
    let on_referrals: Vec<&str> =
        l.r.items
            .iter()
            .filter_map(|i| i.referral_id.as_deref())
            .collect();
    let me = who.actor().user_id.as_str();
    let reaches = |n: &rondom_db::networks::Network| {
        n.coordinator_id.as_str() == me
            || l.facts
                .get(n.id.as_str())
                .is_some_and(|f| matches!(f.reach(who), Some(Reach::Coordinates | Reach::Member)))
    };
    let mut out: Vec<Suggestion> = Vec::new();
    let networks = s
        .evaluations
        .iter()
        .map(|(n, d)| {
            let why = format!("evaluatie op {}", crate::dates::dutch_date(*d));
            (n, ItemKind::Evaluation, why)
        })
        .chain(s.overdue.iter().map(|(n, count)| {
            let why = format!("{count} afspraak/afspraken te laat");
            (n, ItemKind::Actions, why)
        }));
    for (n, kind, why) in networks {
        if on.contains(&n.as_str())
            || out
                .iter()
                .any(|s| s.network_id.as_deref() == Some(n.as_str()))
        {
            continue;
        }
        if let Some((network, c)) = glances.iter().find(|(g, _)| g.id.as_str() == *n) {
            let named = reaches(network);
            if named {
                looks.push(network::network_event(
                    who,
                    "meeting_suggestion_read",
                    network,
                    "allowed",
                ));
            }
            out.push(Suggestion {
                kind,
                child: child_line(svc, named, &c.name_sealed, c.birth_date, today),
                why,
                network_id: Some(n.clone()),
                referral_id: None,
                named,
            });
        }
    }
    for (r, why) in s
        .late
        .iter()
        .map(|r| (r, "verwijzing over de termijn"))
        .chain(
            s.held
                .iter()
                .map(|r| (r, "verwijzing staat stil (on hold)")),
        )
    {
        if on_referrals.contains(&r.r.id.as_str()) {
            continue;
        }
        let named = authorize(
            who.actor(),
            Action::Read,
            Resource::Referral {
                from: &r.r.from_org_id,
                to: &r.r.to_org_id,
            },
        )
        .is_allowed();
        out.push(Suggestion {
            kind: ItemKind::Referral,
            child: child_line(svc, named, &r.child_name_sealed, r.child_birth_date, today),
            why: why.into(),
            network_id: None,
            referral_id: Some(r.r.id.to_string()),
            named,
        });
    }
    out
}

/// The networks this person may bring in (they reach the child), not on the agenda yet:
/// (network id, child). The looks at them are added to `looks`.
fn my_cases(
    svc: &Services,
    who: &impl Principal,
    l: &Loaded,
    mine: &[String],
    looks: &mut Vec<rondom_db::audit::AuditEvent>,
) -> Vec<(String, String)> {
    let today = crate::dates::today();
    let on: Vec<&str> =
        l.r.items
            .iter()
            .filter_map(|i| i.network_id.as_deref())
            .collect();
    let mut out = Vec::new();
    for f in mine
        .iter()
        .filter(|n| !on.contains(&n.as_str()))
        .filter_map(|n| l.facts.get(n))
    {
        if !matches!(f.reach(who), Some(Reach::Coordinates | Reach::Member)) {
            continue;
        }
        looks.push(network::network_event(
            who,
            "network_list_read",
            &f.network,
            "allowed",
        ));
        out.push((
            f.network.id.to_string(),
            child_line(svc, true, &f.child.name_sealed, f.child.birth_date, today),
        ));
    }
    out
}

/// Puts a case on the agenda: the organiser a suggestion (a network or a referral), a
/// participant a network they reach, with what they ask the meeting.
pub async fn add_item(
    svc: &Services,
    who: &impl Principal,
    meeting_id: &str,
    kind: ItemKind,
    network_id: Option<&str>,
    referral_id: Option<&str>,
    question: &str,
) -> Result<Checked<()>, Error> {
    let l = load(svc, who, meeting_id).await?;
    if matches!(l.seat, Seat::Guest(_)) {
        return Err(Error::Forbidden);
    }
    if l.r.meeting.state != db::PLANNED {
        return Ok(Err(vec![ValidationError::new(
            "agenda",
            "Dit overleg is al geweest; de agenda ligt vast.",
        )]));
    }
    let question = question.trim();
    if question.chars().count() > rondom_domain::plan::MAX_LINE {
        return Ok(Err(vec![ValidationError::new(
            "vraag",
            "De vraag is te lang: houd het onder 500 tekens.",
        )]));
    }
    // The id comes from the form: it must be a network this person reaches, or (for the
    // organiser) a referral of the meeting's team.
    match (network_id, referral_id) {
        (Some(n), None) => {
            // The organiser may put any network their team coordinates on the agenda
            // (it shows anonymised to them if they are not in it); anyone else only a
            // network they reach.
            let f = network::facts(svc, n).await?.ok_or(Error::NotFound)?;
            let organiser_of_team = l.seat == Seat::Organiser
                && f.network.coordinator_org_id.as_str() == l.r.meeting.team_org_id;
            let reaches = matches!(f.reach(who), Some(Reach::Coordinates | Reach::Member));
            if !(reaches || organiser_of_team) {
                network::record(svc, who, "meeting_item_add", &f.network, "denied").await?;
                return Err(Error::NotFound);
            }
        }
        (None, Some(r)) => {
            let rid = r.to_owned();
            let found = svc
                .db
                .read(move |c| rondom_db::referrals::find_listed(c, &rid))
                .await?
                .ok_or(Error::NotFound)?;
            if l.seat != Seat::Organiser || found.r.to_org_id.as_str() != l.r.meeting.team_org_id {
                return Err(Error::NotFound);
            }
        }
        _ => return Err(Error::NotFound),
    }
    let sealed = if question.is_empty() {
        None
    } else {
        Some(svc.secrets.seal(question).map_err(Error::internal)?)
    };
    let (mid, n, r, by) = (
        meeting_id.to_owned(),
        network_id.map(ToOwned::to_owned),
        referral_id.map(ToOwned::to_owned),
        who.actor().user_id.clone(),
    );
    let added = svc
        .db
        .write(move |c| {
            db::add_item(
                c,
                &mid,
                kind.code(),
                n.as_deref(),
                r.as_deref(),
                sealed.as_deref(),
                &by,
            )
        })
        .await;
    match added {
        Ok(_) => Ok(Ok(())),
        Err(rondom_db::DbError::Conflict(_)) => Ok(Err(vec![ValidationError::new(
            "agenda",
            "Dit kind staat al op de agenda.",
        )])),
        Err(e) => Err(e.into()),
    }
}

/// Invites a family member with the say to their own child's item: they see that item
/// only, and are told.
pub async fn invite_family(
    svc: &Services,
    who: &impl Principal,
    meeting_id: &str,
    item_id: &str,
    member_id: &str,
) -> Result<(), Error> {
    let l = load(svc, who, meeting_id).await?;
    let item =
        l.r.items
            .iter()
            .find(|i| i.id == item_id)
            .ok_or(Error::NotFound)?;
    let f = item
        .network_id
        .as_deref()
        .and_then(|n| l.facts.get(n))
        .ok_or(Error::NotFound)?;
    let allowed = l.seat == Seat::Organiser || coordinates(who, item, &l.facts);
    if !allowed || !sees_child(who, item, &l.facts, &l.referrals) {
        return Err(Error::Forbidden);
    }
    let m = f
        .members
        .iter()
        .find(|m| m.id.as_str() == member_id && m.kind == network::FAMILY && m.is_active())
        .filter(|m| f.decides(&m.id))
        .ok_or(Error::NotFound)?;
    let user = m.user_id.as_ref().ok_or(Error::NotFound)?.to_string();
    let (iid, mid, by, meeting) = (
        item_id.to_owned(),
        member_id.to_owned(),
        who.actor().user_id.clone(),
        meeting_id.to_owned(),
    );
    let u2 = user.clone();
    let email = svc
        .db
        .write(move |c| {
            db::invite(c, &iid, &u2, &mid, &by)?;
            rondom_db::consultations::notify(
                c,
                &u2,
                "U bent uitgenodigd om mee te praten in het overleg over uw kind.",
                &format!("/overleggen/{meeting}"),
            )?;
            Ok(rondom_db::users::find(c, &u2)?.map(|u| u.email))
        })
        .await?;
    network::record(svc, who, "meeting_invite_family", &f.network, "allowed").await?;
    if let Some(to) = email {
        svc.mail_notice(
            to,
            "Uitnodiging voor een overleg",
            "U bent uitgenodigd om mee te praten in een overleg over uw kind.",
            "Bekijk de uitnodiging",
            &format!("/overleggen/{meeting_id}"),
        );
    }
    Ok(())
}

/// Records an item's minutes (the organiser, who sees the child): the decision's
/// actions land in the child's plan as a new version marked as from the meeting, and
/// the family is told. Answers the plan version the actions went into, if any.
pub async fn record(
    svc: &Services,
    who: &impl Principal,
    meeting_id: &str,
    item_id: &str,
    minutes: Minutes,
    goal_key: Option<&str>,
) -> Result<Checked<Option<i32>>, Error> {
    let l = load(svc, who, meeting_id).await?;
    let item =
        l.r.items
            .iter()
            .find(|i| i.id == item_id)
            .ok_or(Error::NotFound)?;
    let allowed = l.seat == Seat::Organiser || coordinates(who, item, &l.facts);
    if matches!(l.seat, Seat::Guest(_))
        || !allowed
        || !sees_child(who, item, &l.facts, &l.referrals)
    {
        return Err(Error::Forbidden);
    }
    let minutes = minutes.tidy();
    let facts = item.network_id.as_deref().and_then(|n| l.facts.get(n));
    let plan = item.network_id.as_deref().and_then(|n| l.plans.get(n));
    let owners: Vec<String> = facts
        .map(|f| {
            crate::plan::possible_owners(f)
                .iter()
                .map(|m| m.id.to_string())
                .collect()
        })
        .unwrap_or_default();
    let owner_ids: Vec<&str> = owners.iter().map(String::as_str).collect();
    let errors = minutes.check(
        crate::dates::today(),
        &owner_ids,
        plan.is_some() && facts.is_some(),
    );
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut version = None;
    if let (Some(f), Some((base, p)), false) = (facts, plan, minutes.actions.is_empty()) {
        let base = *base;
        let title = format!(
            "het overleg van {}",
            crate::dates::dutch_date(crate::dates::to_local(l.r.meeting.starts_at).date())
        );
        let mut next = rondom_db::new_id;
        let updated =
            with_decided_actions(p, meeting_id, &title, goal_key, &minutes.actions, &mut next);
        version = crate::plan::store(
            svc,
            who,
            f,
            base,
            &updated,
            crate::plan::MEETING,
            Some(meeting_id.to_owned()),
        )
        .await?;
        if version.is_none() {
            return Ok(Err(vec![ValidationError::new(
                "acties",
                "Het plan is net door iemand anders aangepast. Sla het verslag opnieuw op.",
            )]));
        }
    }
    let seal = |t: &str| -> Result<Option<String>, Error> {
        if t.is_empty() {
            Ok(None)
        } else {
            svc.secrets.seal(t).map(Some).map_err(Error::internal)
        }
    };
    let stored: Vec<StoredAction> = minutes
        .actions
        .iter()
        .map(|a: &DecidedAction| StoredAction {
            what: a.what.clone(),
            owner: a.owner.clone(),
            due_on: a.due_on,
        })
        .collect();
    let actions = if stored.is_empty() {
        None
    } else {
        seal(&serde_json::to_string(&stored).map_err(Error::internal)?)?
    };
    let (discussion, decisions) = (seal(&minutes.discussion)?, seal(&minutes.decisions)?);
    let (iid, by) = (item_id.to_owned(), who.actor().user_id.clone());
    svc.db
        .write(move |c| {
            db::record(
                c,
                &iid,
                discussion.as_deref(),
                decisions.as_deref(),
                actions.as_deref(),
                version,
                &by,
            )
        })
        .await?;
    if let Some(f) = facts {
        network::record(svc, who, "meeting_minutes_record", &f.network, "allowed").await?;
    }
    Ok(Ok(version))
}

/// Closes a meeting: the participants and guests are told the minutes are there (each
/// reads only the items they may see).
pub async fn close(svc: &Services, who: &impl Principal, meeting_id: &str) -> Result<(), Error> {
    let l = load(svc, who, meeting_id).await?;
    if l.seat != Seat::Organiser {
        return Err(Error::Forbidden);
    }
    let mut told: Vec<String> = l.r.participants.clone();
    told.extend(l.r.guests.iter().map(|(_, u, _)| u.clone()));
    told.retain(|u| *u != who.actor().user_id);
    told.sort();
    told.dedup();
    let mid = meeting_id.to_owned();
    let link = format!("/overleggen/{meeting_id}");
    let closed = svc
        .db
        .write(move |c| {
            if !db::close(c, &mid)? {
                return Ok(false);
            }
            for u in &told {
                rondom_db::consultations::notify(
                    c,
                    u,
                    "Het verslag van het overleg staat klaar.",
                    &link,
                )?;
            }
            Ok(true)
        })
        .await?;
    if !closed {
        return Err(Error::Refused("Dit overleg is al afgesloten.".into()));
    }
    let mut e = crate::access::event(
        who,
        "meeting_close",
        Resource::Organisation(&l.r.meeting.team_org_id),
        "allowed",
    );
    e.object_type = "meeting".into();
    e.object_id = Some(meeting_id.to_owned());
    crate::access::record(svc, e).await
}

/// The minutes of a network's items at meetings this person was at (as organiser,
/// participant, or a family member invited to that item), oldest first: for the copy of
/// the child's file. The caller checked that they reach the network and logs the look.
pub(crate) async fn minutes_of_network(
    svc: &Services,
    who: &impl Principal,
    f: &Facts,
) -> Result<Vec<crate::network::export::MeetingMinutes>, Error> {
    let nid = f.network.id.to_string();
    let found = svc
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for item in db::items_of_network(c, &nid)? {
                if item.recorded_at.is_none() {
                    continue;
                }
                if let Some(r) = db::find(c, &item.meeting_id)? {
                    out.push((item, r));
                }
            }
            Ok(out)
        })
        .await?;
    let open = |s: &Option<String>| {
        s.as_deref()
            .map(|t| svc.secrets.open_shown(t, "minutes"))
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (item, r) in found.iter().rev() {
        let present = match seat_of(who.actor(), r) {
            Some(Seat::Organiser | Seat::Participant) => f.family_member(who).is_none(),
            Some(Seat::Guest(items)) => items.contains(&item.id),
            None => false,
        };
        if present {
            out.push(crate::network::export::MeetingMinutes {
                title: r.meeting.title.clone(),
                when: crate::dates::datetime(r.meeting.starts_at),
                discussion: open(&item.discussion_sealed),
                decisions: open(&item.decisions_sealed),
            });
        }
    }
    Ok(out)
}
