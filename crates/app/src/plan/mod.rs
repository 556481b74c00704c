//! The family plan (gezinsplan, job 4): one plan per child's network, versioned, that the
//! family agrees to (akkoord) or comments on. Who sees it follows the network's consent
//! (category "plan"), asked on every request; goals and agreements marked not for the
//! parents (at the youth's request, from 12) are left out of what the parents see, the
//! comparison of versions included.
//!
//! `view` is the one way to a plan (audited); `save` adds a version on top of the one it
//! was written on; `respond` records the family's akkoord or comment; `set_status` lets
//! an agreement's owner mark it done. `lists` has the actions due across networks and
//! the reminders.

pub mod lists;

use crate::access::Disclosed;
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use crate::network::{self, Facts, Reach, family_of, member_name};
use rondom_db::networks::Member;
use rondom_db::plans::{self as db, NewAction, NewVersion, PlanVersion};
use rondom_domain::consent::{Category, Relation, kept_from, may_keep_from_parents};
use rondom_domain::plan::{Plan, Row, Status, compare};
use rondom_domain::validate::ValidationError;
use std::collections::HashMap;

/// Where a version came from.
pub const EDIT: &str = "edit";
pub const FAMILY: &str = "family";
pub const MEETING: &str = "meeting";
pub const STATUS: &str = "status";

/// The family's answers.
pub const AKKOORD: &str = "akkoord";
pub const COMMENT: &str = "comment";

/// Longest comment on a version.
pub const MAX_COMMENT: usize = 2000;

fn source_label(source: &str, number: i32) -> &'static str {
    match source {
        EDIT if number == 1 => "eerste versie",
        FAMILY => "door het gezin, in eigen woorden",
        MEETING => "uit het casuïstiekoverleg",
        STATUS => "afspraak bijgewerkt",
        _ => "aangepast",
    }
}

/// Who is looking at the plan, as its rules read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// The case director, or a professional whose consent covers the plan: reads all,
    /// writes the plan.
    Professional,
    /// A family member who sees the plan; `kept` when the youth keeps items from them;
    /// `decides` when they have the say (they may write the plan's words).
    Family { kept: bool, decides: bool },
}

/// Whether this person may open the network's plan (the network page offers it only then).
pub(crate) fn readable_by(f: &Facts, who: &impl Principal, reach: Reach) -> bool {
    reader(f, who, reach).is_some()
}

fn reader(f: &Facts, who: &impl Principal, reach: Reach) -> Option<Reader> {
    match reach {
        Reach::Coordinates => return Some(Reader::Professional),
        Reach::ExistsOnly => return None,
        Reach::Member => {}
    }
    if let Some(me) = f.family_member(who) {
        let decides = f.decides(&me.id);
        if !(decides || f.standing(&me.id, Category::Plan).holds()) {
            return None;
        }
        let kept = family_of(&f.members)
            .iter()
            .find(|x| x.id == me.id.as_str())
            .is_none_or(|x| kept_from(f.child.birth_date, crate::dates::today(), x));
        return Some(Reader::Family { kept, decides });
    }
    let user = who.actor().user_id.as_str();
    let emergency = f.emergencies.iter().any(|(u, _)| u == user);
    let m = network::membership_of(who, &f.members)?;
    (emergency || f.standing(&m.id, Category::Plan).holds()).then_some(Reader::Professional)
}

/// The members who may own an agreement: active, and able to see the plan (the case
/// director, family who see it, professionals whose consent covers it).
pub(crate) fn possible_owners(f: &Facts) -> Vec<&Member> {
    f.members
        .iter()
        .filter(|m| m.is_active())
        .filter(|m| {
            m.user_id.as_deref() == Some(f.network.coordinator_id.as_str())
                || (m.kind == network::FAMILY && f.decides(&m.id))
                || f.standing(&m.id, Category::Plan).holds()
        })
        .collect()
}

/// An agreement as the page shows it.
pub struct AgreementView {
    pub key: String,
    pub what: String,
    pub owner_id: Option<String>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub due_iso: String,
    pub status: Status,
    /// Open and past its date.
    pub late: bool,
    pub not_for_parents: bool,
    pub from_meeting: bool,
    /// The person looking owns it (and may mark it done).
    pub mine: bool,
}

pub struct GoalView {
    pub key: String,
    pub title: String,
    pub not_for_parents: bool,
    pub agreements: Vec<AgreementView>,
}

pub struct TreatmentPlanView {
    pub key: String,
    pub provider: String,
    pub name: String,
    pub dated: Option<String>,
    pub dated_iso: String,
}

/// One version as this person may see it.
pub struct VersionView {
    pub id: String,
    pub number: i32,
    pub saved_by: String,
    pub saved_at: String,
    pub saved_at_utc: chrono::NaiveDateTime,
    pub source: &'static str,
    /// Where it came from: edit, family, meeting or status.
    pub origin: String,
    pub situation: String,
    pub strengths: String,
    pub concerns: String,
    pub goals: Vec<GoalView>,
    pub treatment_plans: Vec<TreatmentPlanView>,
    pub evaluation: Option<String>,
    pub evaluation_iso: String,
    pub evaluation_passed: bool,
    /// The plan as written (filtered for this person), for the API and the edit form.
    pub plan: Plan,
}

/// A line of the version history.
pub struct VersionLine {
    pub number: i32,
    pub saved_by: String,
    pub saved_at: String,
    pub source: &'static str,
    /// Family members who agreed to this version.
    pub agreed_by: Vec<String>,
}

/// The family's answer to a version.
pub struct ResponseLine {
    pub number: i32,
    pub who: String,
    pub when: String,
    pub agreed: bool,
    pub comment: Option<String>,
}

/// What the plan page shows, for this person.
pub struct PlanView {
    pub network_id: String,
    pub child_name: String,
    /// None while no version was saved.
    pub current: Option<VersionView>,
    /// The newest version the family agreed to: (number, who, when).
    pub agreed: Option<(i32, String, String)>,
    /// What changed since that version (empty when the newest one is agreed).
    pub changed_since_agreed: Vec<Row>,
    pub history: Vec<VersionLine>,
    pub responses: Vec<ResponseLine>,
    /// Writes the whole plan (a professional who sees it).
    pub may_edit: bool,
    /// Writes the family's own words (family with the say).
    pub may_write_words: bool,
    /// Agrees or comments (family who see the plan).
    pub may_respond: bool,
    /// This person agreed to the newest version already.
    pub i_agreed: bool,
    /// Items are hidden from this person (the youth keeps them from the parents).
    pub some_kept: bool,
    /// Items may be marked not for the parents (the child is 12 or over).
    pub may_keep_from_parents: bool,
    pub viewer_is_family: bool,
    pub viewer_is_youth: bool,
    /// Who may own an agreement: (member id, name).
    pub owners: Vec<(String, String)>,
    /// The child's id (FHIR references).
    pub child_id: String,
}

/// A plan's versions and answers with everything its page names, read at once.
struct Loaded {
    f: Facts,
    reader: Reader,
    versions: Vec<PlanVersion>,
    responses: Vec<db::Response>,
    names: HashMap<String, String>,
}

/// The plan with every version's content (a version by number, two compared, the copy).
async fn load(svc: &Services, who: &impl Principal, network_id: &str) -> Result<Loaded, Error> {
    load_with(svc, who, network_id, true).await
}

/// The plan, with every version's content (`whole`) or only the latest's and the latest
/// agreed one's (the page, a save, an answer: a history of years stays one small read).
async fn load_with(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    whole: bool,
) -> Result<Loaded, Error> {
    // The network's facts, the plan and every name it shows in one trip.
    let (f, reach, (record, names)) = network::load_with(svc, who, network_id, move |c, f| {
        let record = if whole {
            db::of_network(c, f.network.id.as_str())?
        } else {
            db::of_network_light(c, f.network.id.as_str())?
        };
        let people: Vec<String> = f
            .members
            .iter()
            .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
            .chain(record.versions.iter().map(|v| v.saved_by.clone()))
            .chain(record.responses.iter().map(|r| r.by_user.clone()))
            .collect();
        let orgs: Vec<String> = f
            .members
            .iter()
            .filter_map(|m| m.organisation_id.as_ref().map(ToString::to_string))
            .collect();
        let names = rondom_db::users::names_with_organisations(c, &people, &orgs)?;
        Ok((record, names))
    })
    .await?;
    let Some(reader) = reader(&f, who, reach) else {
        network::record(svc, who, "plan_read", &f.network, "denied").await?;
        return Err(Error::Forbidden);
    };
    Ok(Loaded {
        f,
        reader,
        versions: record.versions,
        responses: record.responses,
        names: names.into_iter().collect(),
    })
}

impl Loaded {
    /// A version as written, with what is kept from the parents (for the rules, never
    /// shown as is).
    fn whole(&self, svc: &Services, v: &PlanVersion) -> Result<Plan, Error> {
        let text = svc
            .secrets
            .open(&v.content_sealed)
            .map_err(Error::internal)?;
        serde_json::from_str(&text).map_err(Error::internal)
    }

    /// A plan as this person may see it.
    fn shown(&self, plan: Plan) -> Plan {
        match self.reader {
            Reader::Family { kept: true, .. } => plan.for_parents(),
            _ => plan,
        }
    }

    fn open(&self, svc: &Services, v: &PlanVersion) -> Result<Plan, Error> {
        Ok(self.shown(self.whole(svc, v)?))
    }

    fn name_of_member(&self, svc: &Services, id: &str) -> String {
        self.f
            .members
            .iter()
            .find(|m| m.id.as_str() == id)
            .map(|m| member_name(svc, m, &self.names))
            .unwrap_or_else(|| "iemand die niet meer in het netwerk is".into())
    }

    fn name_of_user(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_default()
    }

    fn version_view(
        &self,
        svc: &Services,
        who: &impl Principal,
        v: &PlanVersion,
    ) -> Result<VersionView, Error> {
        let plan = self.open(svc, v)?;
        Ok(self.version_view_of(svc, who, v, plan))
    }

    /// A version's view from the plan as this person may see it (already opened).
    fn version_view_of(
        &self,
        svc: &Services,
        who: &impl Principal,
        v: &PlanVersion,
        plan: Plan,
    ) -> VersionView {
        let today = crate::dates::today();
        let mine: Vec<String> = self.my_member_ids(who);
        let goals = plan
            .goals
            .iter()
            .map(|g| GoalView {
                key: g.key.clone(),
                title: g.title.clone(),
                not_for_parents: g.not_for_parents,
                agreements: g
                    .agreements
                    .iter()
                    .map(|a| AgreementView {
                        key: a.key.clone(),
                        what: a.what.clone(),
                        owner_id: a.owner.clone(),
                        owner: a.owner.as_deref().map(|o| self.name_of_member(svc, o)),
                        due: a.due_on.map(crate::dates::dutch_date),
                        due_iso: a.due_on.map(crate::dates::iso_date).unwrap_or_default(),
                        status: a.status,
                        late: a.status.is_open() && a.due_on.is_some_and(|d| d < today),
                        not_for_parents: a.not_for_parents,
                        from_meeting: a.from_meeting.is_some(),
                        mine: a.owner.as_ref().is_some_and(|o| mine.contains(o)),
                    })
                    .collect(),
            })
            .collect();
        let treatment_plans = plan
            .treatment_plans
            .iter()
            .map(|t| TreatmentPlanView {
                key: t.key.clone(),
                provider: t.provider.clone(),
                name: t.name.clone(),
                dated: t.dated.map(crate::dates::dutch_date),
                dated_iso: t.dated.map(crate::dates::iso_date).unwrap_or_default(),
            })
            .collect();
        VersionView {
            id: v.id.clone(),
            number: v.number,
            saved_by: self.name_of_user(&v.saved_by),
            saved_at: crate::dates::datetime(v.saved_at),
            saved_at_utc: v.saved_at,
            source: source_label(&v.source, v.number),
            origin: v.source.clone(),
            situation: plan.situation.clone(),
            strengths: plan.strengths.clone(),
            concerns: plan.concerns.clone(),
            goals,
            treatment_plans,
            evaluation: plan.evaluation_on.map(crate::dates::dutch_date),
            evaluation_iso: plan
                .evaluation_on
                .map(crate::dates::iso_date)
                .unwrap_or_default(),
            evaluation_passed: plan.evaluation_on.is_some_and(|d| d < today),
            plan,
        }
    }

    /// The member ids this person is in the network (as a person or through their
    /// organisation).
    fn my_member_ids(&self, who: &impl Principal) -> Vec<String> {
        let actor = who.actor();
        self.f
            .members
            .iter()
            .filter(|m| m.is_active())
            .filter(|m| {
                m.user_id.as_deref() == Some(actor.user_id.as_str())
                    || (m.user_id.is_none()
                        && m.organisation_id
                            .as_deref()
                            .is_some_and(|o| network::acts_in_care_for(actor, o)))
            })
            .map(|m| m.id.to_string())
            .collect()
    }

    fn compare(&self, svc: &Services, a: &PlanVersion, b: &PlanVersion) -> Result<Vec<Row>, Error> {
        let (old, new) = (self.open(svc, a)?, self.open(svc, b)?);
        let name = |id: &str| self.name_of_member(svc, id);
        Ok(compare(&old, &new, &name, &crate::dates::dutch_date))
    }

    fn is_family_response(&self, r: &db::Response) -> bool {
        self.f
            .members
            .iter()
            .any(|m| m.id.as_str() == r.member_id && m.kind == network::FAMILY)
    }
}

/// The plan of a network as this person may see it; every look is logged with the
/// child. A member whose consent does not cover the plan is refused (and that is
/// logged too).
pub async fn view(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
) -> Result<Disclosed<PlanView>, Error> {
    let l = load_with(svc, who, network_id, false).await?;
    network::record(svc, who, "plan_read", &l.f.network, "allowed").await?;
    // The newest version, opened once: shown as this person may see it, and asked
    // whether anything of it is kept from them.
    let mut some_kept = false;
    let current = match l.versions.last() {
        Some(v) => {
            let whole = l.whole(svc, v)?;
            some_kept =
                matches!(l.reader, Reader::Family { kept: true, .. }) && whole.keeps_anything();
            Some(l.version_view_of(svc, who, v, l.shown(whole)))
        }
        None => None,
    };
    let number_of = |version_id: &str| {
        l.versions
            .iter()
            .find(|v| v.id == version_id)
            .map_or(0, |v| v.number)
    };
    let agreed_response = l
        .responses
        .iter()
        .filter(|r| r.kind == AKKOORD && l.is_family_response(r))
        .max_by_key(|r| (number_of(&r.version_id), r.at));
    let agreed = agreed_response.map(|r| {
        (
            number_of(&r.version_id),
            l.name_of_member(svc, &r.member_id),
            crate::dates::datetime(r.at),
        )
    });
    let changed_since_agreed = match (agreed_response, l.versions.last()) {
        (Some(r), Some(latest)) if r.version_id != latest.id => {
            let base = l.versions.iter().find(|v| v.id == r.version_id);
            match base {
                Some(b) => l
                    .compare(svc, b, latest)?
                    .into_iter()
                    .filter(Row::changed)
                    .collect(),
                None => vec![],
            }
        }
        _ => vec![],
    };
    let history = l
        .versions
        .iter()
        .rev()
        .map(|v| VersionLine {
            number: v.number,
            saved_by: l.name_of_user(&v.saved_by),
            saved_at: crate::dates::datetime(v.saved_at),
            source: source_label(&v.source, v.number),
            agreed_by: l
                .responses
                .iter()
                .filter(|r| r.version_id == v.id && r.kind == AKKOORD)
                .map(|r| l.name_of_member(svc, &r.member_id))
                .collect(),
        })
        .collect();
    let responses = l
        .responses
        .iter()
        .rev()
        .map(|r| ResponseLine {
            number: number_of(&r.version_id),
            who: l.name_of_member(svc, &r.member_id),
            when: crate::dates::datetime(r.at),
            agreed: r.kind == AKKOORD,
            comment: r
                .comment_sealed
                .as_deref()
                .map(|c| svc.secrets.open_shown(c, "plan comment")),
        })
        .collect();
    let me = l.f.family_member(who);
    let i_agreed = match (me, l.versions.last()) {
        (Some(m), Some(latest)) => l.responses.iter().any(|r| {
            r.member_id == m.id.as_str() && r.version_id == latest.id && r.kind == AKKOORD
        }),
        _ => false,
    };
    let owners = possible_owners(&l.f)
        .into_iter()
        .map(|m| (m.id.to_string(), member_name(svc, m, &l.names)))
        .collect();
    Ok(Disclosed::logged(PlanView {
        network_id: l.f.network.id.to_string(),
        child_name: svc.secrets.open_shown(&l.f.child.name_sealed, "child name"),
        current,
        agreed,
        changed_since_agreed,
        history,
        responses,
        may_edit: l.reader == Reader::Professional,
        may_write_words: matches!(l.reader, Reader::Family { decides: true, .. }),
        may_respond: matches!(l.reader, Reader::Family { .. }),
        i_agreed,
        some_kept,
        may_keep_from_parents: may_keep_from_parents(l.f.child.birth_date, crate::dates::today()),
        viewer_is_family: me.is_some(),
        viewer_is_youth: me
            .is_some_and(|m| m.relation.as_deref() == Some(Relation::Jeugdige.code())),
        owners,
        child_id: l.f.network.child_id.to_string(),
    }))
}

/// One version (by number) as this person may see it, logged.
pub async fn version(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    number: i32,
) -> Result<Disclosed<VersionView>, Error> {
    let l = load(svc, who, network_id).await?;
    let v = l
        .versions
        .iter()
        .find(|v| v.number == number)
        .ok_or(Error::NotFound)?;
    network::record(svc, who, "plan_read", &l.f.network, "allowed").await?;
    Ok(Disclosed::logged(l.version_view(svc, who, v)?))
}

/// Two versions side by side, as this person may see them (for the parents while the
/// youth keeps items from them, both without those items).
pub struct Comparison {
    pub network_id: String,
    pub child_name: String,
    pub a: i32,
    pub b: i32,
    pub rows: Vec<Row>,
    /// Every version number, for choosing another pair.
    pub numbers: Vec<i32>,
}

pub async fn compare_versions(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    a: i32,
    b: i32,
) -> Result<Disclosed<Comparison>, Error> {
    let l = load(svc, who, network_id).await?;
    let find = |n: i32| {
        l.versions
            .iter()
            .find(|v| v.number == n)
            .ok_or(Error::NotFound)
    };
    let (va, vb) = (find(a.min(b))?, find(a.max(b))?);
    network::record(svc, who, "plan_read", &l.f.network, "allowed").await?;
    Ok(Disclosed::logged(Comparison {
        network_id: l.f.network.id.to_string(),
        child_name: svc.secrets.open_shown(&l.f.child.name_sealed, "child name"),
        a: va.number,
        b: vb.number,
        rows: l.compare(svc, va, vb)?,
        numbers: l.versions.iter().map(|v| v.number).collect(),
    }))
}

/// The FHIR view of one version: the plan as written (whole: only professionals who
/// read the whole plan get it), with its network, child and neighbours.
pub struct CarePlanVersion {
    pub version: VersionView,
    pub network_id: String,
    pub child_id: String,
    pub latest: bool,
    /// The id of the version it replaced.
    pub replaces: Option<String>,
    /// Agreement owner names by member id.
    pub owner_names: HashMap<String, String>,
}

/// One version by its id, for exchange (FHIR `CarePlan`): professionals who read the
/// whole plan; anyone else is told it is not there.
pub async fn care_plan(
    svc: &Services,
    who: &impl Principal,
    version_id: &str,
) -> Result<Disclosed<CarePlanVersion>, Error> {
    let id = version_id.to_owned();
    let v = svc
        .db
        .read(move |c| db::version_by_id(c, &id))
        .await?
        .ok_or(Error::NotFound)?;
    let l = match load(svc, who, &v.network_id).await {
        Ok(l) => l,
        Err(Error::Forbidden) => return Err(Error::NotFound),
        Err(e) => return Err(e),
    };
    if l.reader != Reader::Professional {
        return Err(Error::NotFound);
    }
    network::record(svc, who, "plan_read", &l.f.network, "allowed").await?;
    let replaces = l
        .versions
        .iter()
        .find(|p| p.number == v.number - 1)
        .map(|p| p.id.clone());
    let owner_names =
        l.f.members
            .iter()
            .map(|m| (m.id.to_string(), member_name(svc, m, &l.names)))
            .collect();
    Ok(Disclosed::logged(CarePlanVersion {
        version: l.version_view(svc, who, &v)?,
        network_id: l.f.network.id.to_string(),
        child_id: l.f.network.child_id.to_string(),
        latest: l.versions.last().is_some_and(|x| x.id == v.id),
        replaces,
        owner_names,
    }))
}

/// Saves a new version of the plan, written on version `base` (0 for the first). A
/// professional who sees the plan writes all of it; family with the say write the
/// family's words (situation, what goes well, concerns) and the rest stays as it was.
/// Answers the new version's number, or what is wrong (someone else saved in between
/// included: nothing is lost, the form shows again with the writer's text).
pub async fn save(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    base: i32,
    written: Plan,
) -> Result<Checked<Saved>, Error> {
    let l = load_with(svc, who, network_id, false).await?;
    let latest_number = l.versions.last().map_or(0, |v| v.number);
    if base != latest_number {
        return Ok(Err(vec![moved_on(latest_number)]));
    }
    let previous = match l.versions.last() {
        Some(v) => l.whole(svc, v)?,
        None => Plan::default(),
    };
    let (plan, source) = match l.reader {
        Reader::Professional => (written.tidy(), EDIT),
        Reader::Family { decides: true, .. } => {
            let w = written.tidy();
            (
                Plan {
                    situation: w.situation,
                    strengths: w.strengths,
                    concerns: w.concerns,
                    ..previous.clone()
                },
                FAMILY,
            )
        }
        Reader::Family { .. } => return Err(Error::Forbidden),
    };
    let mut plan = plan;
    plan.adopt_keys(&previous);
    for g in &mut plan.goals {
        if g.key.is_empty() {
            g.key = rondom_db::new_id();
        }
        for a in &mut g.agreements {
            if a.key.is_empty() {
                a.key = rondom_db::new_id();
            }
        }
    }
    for t in &mut plan.treatment_plans {
        if t.key.is_empty() {
            t.key = rondom_db::new_id();
        }
    }
    let owners = possible_owners(&l.f);
    let mut owner_ids: Vec<&str> = owners.iter().map(|m| m.id.as_str()).collect();
    // An owner set before who can no longer see the plan may stay on an agreement that
    // is not changed; a new or changed one needs someone who can.
    let earlier: Vec<(String, Option<String>)> = previous
        .agreements()
        .map(|(_, a)| (a.key.clone(), a.owner.clone()))
        .collect();
    for (_, a) in plan.agreements() {
        if let Some(o) = &a.owner
            && earlier
                .iter()
                .any(|(k, eo)| *k == a.key && eo.as_ref() == Some(o))
            && !owner_ids.contains(&o.as_str())
        {
            owner_ids.push(o.as_str());
        }
    }
    let today = crate::dates::today();
    let keeps = may_keep_from_parents(l.f.child.birth_date, today);
    let mut errors = plan.check(today, &owner_ids, keeps);
    // Parents do not own what is kept from them.
    for (g, a) in plan.agreements() {
        if (g.not_for_parents || a.not_for_parents)
            && let Some(o) = &a.owner
            && l.f.members.iter().any(|m| {
                m.id.as_str() == o
                    && m.kind == network::FAMILY
                    && m.relation.as_deref() != Some(Relation::Jeugdige.code())
            })
        {
            errors.push(ValidationError::new(
                "doelen",
                format!(
                    "'{}' is verborgen voor de ouders: geef het aan iemand anders.",
                    a.what
                ),
            ));
        }
    }
    if plan == previous {
        errors.push(ValidationError::new(
            "plan",
            "Er is niets veranderd. Pas het plan aan en sla dan op.",
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let number = store(svc, who, &l.f, base, &plan, source, None).await?;
    Ok(match number {
        Some(number) => Ok(Saved {
            number,
            family_words: source == FAMILY,
        }),
        None => Err(vec![moved_on(base + 1)]),
    })
}

/// A saved version: its number, and whether it was the family's own words (the rest of
/// the plan left as it was).
pub struct Saved {
    pub number: i32,
    pub family_words: bool,
}

fn moved_on(latest: i32) -> ValidationError {
    ValidationError::new(
        "plan",
        format!(
            "Iemand anders heeft het plan net opgeslagen (versie {latest}). Uw tekst staat hieronder nog: bekijk de nieuwe versie, neem uw wijziging over en sla opnieuw op."
        ),
    )
}

/// Writes a checked plan as the next version, with its agreements' rows, tells the
/// family, and logs it. Answers None when another version came first.
pub(crate) async fn store(
    svc: &Services,
    who: &impl Principal,
    f: &Facts,
    base: i32,
    plan: &Plan,
    source: &'static str,
    meeting_id: Option<String>,
) -> Result<Option<i32>, Error> {
    let json = serde_json::to_string(plan).map_err(Error::internal)?;
    let sealed = svc.secrets.seal(&json).map_err(Error::internal)?;
    let mut actions = Vec::new();
    for (g, a) in plan.agreements() {
        actions.push(NewAction {
            item_key: a.key.clone(),
            owner_member_id: a.owner.clone(),
            due_on: a.due_on,
            status: a.status.code(),
            what_sealed: svc.secrets.seal(&a.what).map_err(Error::internal)?,
            not_for_parents: g.not_for_parents || a.not_for_parents,
        });
    }
    let nid = f.network.id.to_string();
    let by = who.actor().user_id.clone();
    // The family members with an account who see the plan are told (not the one who
    // saved it).
    let family: Vec<String> = f
        .members
        .iter()
        .filter(|m| m.kind == network::FAMILY && m.is_active())
        .filter(|m| f.decides(&m.id) || f.standing(&m.id, Category::Plan).holds())
        .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
        .filter(|u| *u != by)
        .collect();
    let coordinator = f.network.coordinator_id.to_string();
    let evaluation_on = plan.evaluation_on;
    let v = NewVersion {
        network_id: nid.clone(),
        base,
        content_sealed: sealed,
        evaluation_on,
        source,
        meeting_id,
        saved_by: by.clone(),
        actions,
    };
    let link = format!("/netwerken/{nid}/plan");
    let tell_family = source != FAMILY && source != STATUS;
    let l2 = link.clone();
    let saved = svc
        .db
        .write(move |c| {
            let version = db::save(c, v)?;
            let text = if source == MEETING {
                "Er is een nieuwe versie van het plan, na het overleg over uw kind. Kijk wat er veranderd is."
            } else {
                "Er is een nieuwe versie van het plan. Kijk wat er veranderd is en geef aan of u akkoord bent."
            };
            if tell_family {
                for u in &family {
                    rondom_db::consultations::notify(c, u, text, &l2)?;
                }
            } else if coordinator != by {
                rondom_db::consultations::notify(
                    c,
                    &coordinator,
                    "Het gezin heeft het plan aangevuld.",
                    &l2,
                )?;
            }
            let mut mails = Vec::new();
            if tell_family {
                for u in &family {
                    if let Some(found) = rondom_db::users::find(c, u)? {
                        mails.push(found.email);
                    }
                }
            }
            Ok((version, mails))
        })
        .await;
    let (version, mails) = match saved {
        Ok(x) => x,
        Err(rondom_db::DbError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    network::record(svc, who, "plan_save", &f.network, "allowed").await?;
    for to in mails {
        svc.mail_notice(
            to,
            "Nieuwe versie van het plan",
            "Er is een nieuwe versie van het plan in Rondom.",
            "Bekijk het plan",
            &link,
        );
    }
    Ok(Some(version.number))
}

/// The family's answer to the newest version: akkoord, or a comment (on any version).
pub async fn respond(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    number: i32,
    agree: bool,
    comment: &str,
) -> Result<Checked<()>, Error> {
    let l = load_with(svc, who, network_id, false).await?;
    let Some(me) =
        l.f.family_member(who)
            .filter(|_| matches!(l.reader, Reader::Family { .. }))
    else {
        return Err(Error::Forbidden);
    };
    let v = l
        .versions
        .iter()
        .find(|v| v.number == number)
        .ok_or(Error::NotFound)?;
    let comment = comment.trim();
    let latest = l.versions.last().map_or(0, |v| v.number);
    let mut errors = Vec::new();
    if agree && number != latest {
        errors.push(ValidationError::new(
            "antwoord",
            format!("Er is al een nieuwere versie ({latest}). Lees die eerst en geef dan akkoord."),
        ));
    }
    if !agree && comment.is_empty() {
        errors.push(ValidationError::new(
            "opmerking",
            "Schrijf uw opmerking op, of kies 'Akkoord'.",
        ));
    }
    if comment.chars().count() > MAX_COMMENT {
        errors.push(ValidationError::new(
            "opmerking",
            format!("Uw opmerking is te lang: houd het onder {MAX_COMMENT} tekens."),
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let sealed = if comment.is_empty() {
        None
    } else {
        Some(svc.secrets.seal(comment).map_err(Error::internal)?)
    };
    let (nid, vid, mid, by) = (
        l.f.network.id.to_string(),
        v.id.clone(),
        me.id.to_string(),
        who.actor().user_id.clone(),
    );
    let coordinator = l.f.network.coordinator_id.to_string();
    let kind = if agree { AKKOORD } else { COMMENT };
    svc.db
        .write(move |c| {
            db::respond(c, &nid, &vid, &mid, kind, sealed.as_deref(), &by)?;
            let text = if agree {
                "Het gezin is akkoord met het plan."
            } else {
                "Het gezin heeft een opmerking bij het plan."
            };
            rondom_db::consultations::notify(
                c,
                &coordinator,
                text,
                &format!("/netwerken/{nid}/plan"),
            )
        })
        .await?;
    let action = if agree { "plan_agree" } else { "plan_comment" };
    network::record(svc, who, action, &l.f.network, "allowed").await?;
    Ok(Ok(()))
}

/// Sets where an agreement stands (its owner, or a professional who writes the plan): a
/// new version with only that changed.
pub async fn set_status(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    key: &str,
    status: Status,
) -> Result<Checked<i32>, Error> {
    let l = load_with(svc, who, network_id, false).await?;
    let latest = l.versions.last().ok_or(Error::NotFound)?;
    let mut plan = l.whole(svc, latest)?;
    let visible = l.shown(plan.clone());
    let mine = l.my_member_ids(who);
    let Some((_, seen)) = visible.agreements().find(|(_, a)| a.key == key) else {
        return Err(Error::NotFound);
    };
    let owns = seen.owner.as_ref().is_some_and(|o| mine.contains(o));
    if !(owns || l.reader == Reader::Professional) {
        return Err(Error::Forbidden);
    }
    if seen.status == status {
        return Ok(Ok(latest.number));
    }
    for g in &mut plan.goals {
        for a in &mut g.agreements {
            if a.key == key {
                a.status = status;
            }
        }
    }
    let base = latest.number;
    Ok(
        match store(svc, who, &l.f, base, &plan, STATUS, None).await? {
            Some(n) => Ok(n),
            None => Err(vec![moved_on(base + 1)]),
        },
    )
}

/// Every version of the plan as this person may see it, oldest first, with the family's
/// answers; empty when the plan is not theirs to see. The caller logs the look.
pub(crate) async fn all_for(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
) -> Result<(Vec<VersionView>, Vec<ResponseLine>), Error> {
    let l = match load(svc, who, network_id).await {
        Ok(l) => l,
        Err(Error::Forbidden) => return Ok((vec![], vec![])),
        Err(e) => return Err(e),
    };
    let versions = l
        .versions
        .iter()
        .map(|v| l.version_view(svc, who, v))
        .collect::<Result<Vec<_>, _>>()?;
    let number_of = |id: &str| {
        l.versions
            .iter()
            .find(|v| v.id == id)
            .map_or(0, |v| v.number)
    };
    let responses = l
        .responses
        .iter()
        .map(|r| ResponseLine {
            number: number_of(&r.version_id),
            who: l.name_of_member(svc, &r.member_id),
            when: crate::dates::datetime(r.at),
            agreed: r.kind == AKKOORD,
            comment: r
                .comment_sealed
                .as_deref()
                .map(|c| svc.secrets.open_shown(c, "plan comment")),
        })
        .collect();
    Ok((versions, responses))
}
