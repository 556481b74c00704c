//! The start page's work of today, per person: what is new, late, due today and waits
//! for them, each item in one place only and nothing new hidden; the questions to answer
//! and the answers to read; news, saying what it is about and told once however often it
//! came; and for a team leader the caseload per consultant and the waiting list.

use crate::access::Disclosed;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::Error;
use crate::referral::{Shown, disclose_lists, inbox::scoped, may_read};
use chrono::{NaiveDate, NaiveDateTime};
use rondom_db::referrals::{Filter, Listed};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::policy::{answers_for, asks_for, leads_team, organisations_where};
use rondom_domain::referral::Status;
use rondom_domain::workdays;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// More than this in one queue is counted as "more than" and left to the inbox.
pub const QUEUE_LIMIT: i64 = 50;

/// A queue of referrals.
pub struct Queue {
    /// The inbox section that lists it whole.
    pub key: &'static str,
    pub title: &'static str,
    pub items: Vec<Shown>,
    /// Whether the queue holds more than `QUEUE_LIMIT`.
    pub more: bool,
}

/// A consultation that waits for this person.
pub struct Question {
    pub id: String,
    pub subject: String,
    /// The other side: the practice that asks, or the team that answered.
    pub with: String,
    pub due: NaiveDate,
    pub overdue: bool,
    /// Picked up by, or assigned to, this person.
    pub mine: bool,
}

/// News, told once: what happened, what it is about, how often.
pub struct Notice {
    pub text: String,
    /// The child's initials and age, or the question's subject.
    pub about: Option<String>,
    pub link: String,
    pub times: usize,
    pub at: NaiveDateTime,
}

/// What a team leader keeps an eye on.
pub struct TeamView {
    pub team_name: String,
    /// (consultant, running cases), most first.
    pub caseload: Vec<(String, i64)>,
    /// Accepted, not yet started: (referral, working days waiting).
    pub waiting: Vec<(Shown, u32)>,
}

/// A draft, named without the child's name: the one who wrote it knows which it is,
/// and a start page that opens no name costs no look in the audit log.
pub struct Draft {
    pub id: String,
    pub to_name: String,
    pub age: i32,
    pub created: NaiveDateTime,
}

pub struct Today {
    /// Late, new, due today, to pick up, due soon: each referral in the first that holds it.
    pub queues: Vec<Queue>,
    /// The person's drafts, not yet sent.
    pub drafts: Vec<Draft>,
    pub to_answer: Vec<Question>,
    pub answered: Vec<Question>,
    pub notices: Vec<Notice>,
    pub teams: Vec<TeamView>,
}

impl Today {
    /// Whether anything waits at all.
    pub fn is_empty(&self) -> bool {
        self.queues.iter().all(|q| q.items.is_empty())
            && self.drafts.is_empty()
            && self.to_answer.is_empty()
            && self.answered.is_empty()
            && self.notices.is_empty()
    }
}

/// The queues of organisations that receive referrals, in the order an item is placed.
fn queue_filters(
    receiving: &[String],
    today: NaiveDate,
) -> Vec<(&'static str, &'static str, Filter)> {
    let base = Filter {
        to_orgs: receiving.to_vec(),
        by_due: true,
        limit: QUEUE_LIMIT + 1,
        ..Filter::default()
    };
    let due = |after: NaiveDate, before: NaiveDate| Filter {
        due_after: Some(after),
        due_before: Some(before),
        ..base.clone()
    };
    let status = |s: Status| Filter {
        statuses: vec![s],
        ..base.clone()
    };
    vec![
        (
            "te_laat",
            "Te laat",
            Filter {
                due_before: Some(today - chrono::Duration::days(1)),
                ..base.clone()
            },
        ),
        ("nieuw", "Nieuw", status(Status::Requested)),
        ("vandaag", "Termijn vandaag", due(today, today)),
        (
            "op_te_pakken",
            "Te accepteren of af te wijzen",
            status(Status::Received),
        ),
        (
            "binnenkort",
            "Termijn binnen twee werkdagen",
            due(
                today + chrono::Duration::days(1),
                workdays::add_working_days(today, 2),
            ),
        ),
    ]
}

/// Everything read for the page at once.
struct Stored {
    queues: Vec<Vec<Listed>>,
    drafts: Vec<Listed>,
    to_answer: Vec<rondom_db::consultations::Listed>,
    answered: Vec<rondom_db::consultations::Listed>,
    unread: Vec<(String, String, String, NaiveDateTime)>,
    /// The referrals and consultations the notices point to.
    noticed: Vec<Listed>,
    noticed_questions: Vec<rondom_db::consultations::Listed>,
    teams: Vec<StoredTeam>,
}

/// A led team as read: name, caseload by name, waiting list.
type StoredTeam = (String, Vec<(String, i64)>, Vec<Listed>);

/// The work of today for this person, read fresh: a start page that lags behind what
/// colleagues just did would hide the newest work. Every child shown is disclosed by one
/// logged look.
pub async fn load(svc: &Services, who: &impl Principal) -> Result<Disclosed<Today>, Error> {
    let actor = who.actor().clone();
    let today = dates::today();
    let receiving = crate::referral::receiving_orgs(&actor);
    let sending = crate::referral::sending_orgs(&actor);
    let filters: Vec<(&'static str, &'static str, Filter)> = if receiving.is_empty() {
        vec![]
    } else {
        queue_filters(&receiving, today)
    }
    .into_iter()
    .map(|(k, t, f)| (k, t, scoped(who, f)))
    .collect();
    let drafts = (!sending.is_empty()).then(|| {
        scoped(
            who,
            Filter {
                from_orgs: sending.clone(),
                statuses: vec![Status::Draft],
                limit: QUEUE_LIMIT,
                ..Filter::default()
            },
        )
    });
    let queries: Vec<Filter> = filters.iter().map(|(_, _, f)| f.clone()).collect();
    let who_actor = actor.clone();
    let stored = svc
        .db
        .read(move |c| read_all(c, &who_actor, &queries, drafts.as_ref()))
        .await?;
    let uid = actor.user_id.as_str();

    // One item, one place: the first queue that holds it.
    let mut placed: Vec<String> = Vec::new();
    let mut queue_rows: Vec<Vec<Listed>> = Vec::new();
    let mut more = Vec::new();
    for mut rows in stored.queues {
        more.push(rows.len() as i64 > QUEUE_LIMIT);
        rows.truncate(QUEUE_LIMIT as usize);
        rows.retain(|l| {
            let new = !placed.contains(&l.r.id.to_string());
            placed.push(l.r.id.to_string());
            new
        });
        queue_rows.push(rows);
    }
    let noticed: Vec<Listed> = stored
        .noticed
        .into_iter()
        .filter(|l| may_read(&actor, &l.r))
        .collect();
    let waiting_lists: Vec<Vec<Listed>> = stored.teams.iter().map(|t| t.2.clone()).collect();
    let n_queues = queue_rows.len();
    let drafts: Vec<Draft> = stored
        .drafts
        .iter()
        .map(|l| Draft {
            id: l.r.id.to_string(),
            to_name: l.to_name.clone(),
            age: crate::referral::age_on(l.child_birth_date, today),
            created: l.r.created_at,
        })
        .collect();
    let mut lists = queue_rows;
    lists.push(noticed);
    lists.extend(waiting_lists);
    let mut shown = disclose_lists(svc, who, lists)
        .await?
        .into_inner()
        .into_iter();
    let queues: Vec<Queue> = filters
        .iter()
        .zip(more)
        .map(|((key, title, _), more)| Queue {
            key,
            title,
            items: shown.next().unwrap_or_default(),
            more,
        })
        .collect();
    debug_assert_eq!(queues.len(), n_queues);
    let noticed = shown.next().unwrap_or_default();
    let teams = stored
        .teams
        .into_iter()
        .map(|(team_name, caseload, _)| TeamView {
            team_name,
            caseload,
            waiting: shown
                .next()
                .unwrap_or_default()
                .into_iter()
                .map(|s| {
                    let since = s.r.accepted_on.unwrap_or(today);
                    let days = workdays::working_days_between(since, today);
                    (s, days)
                })
                .collect(),
        })
        .collect();
    let questions = |rows: Vec<rondom_db::consultations::Listed>, answering: bool| {
        crate::consultation::read::shown(svc, rows)
            .into_iter()
            .map(|q| Question {
                id: q.listed.c.id.to_string(),
                with: if answering {
                    q.listed.practice_name.clone()
                } else {
                    q.listed.team_name.clone()
                },
                due: q.listed.c.due_on,
                overdue: answering && q.listed.c.due_on < today,
                mine: q.listed.c.assignee_id.as_deref() == Some(uid),
                subject: q.subject,
            })
            .collect::<Vec<_>>()
    };
    let subjects = crate::consultation::read::shown(svc, stored.noticed_questions);
    let notices = notices(stored.unread, &noticed, &subjects, today);
    Ok(Disclosed::logged(Today {
        queues,
        drafts,
        to_answer: questions(stored.to_answer, true),
        answered: questions(stored.answered, false),
        notices,
        teams,
    }))
}

fn read_all(
    c: &mut AnyConnection,
    actor: &rondom_domain::Actor,
    queues: &[Filter],
    drafts: Option<&Filter>,
) -> Result<Stored, DbError> {
    let lists = queues
        .iter()
        .map(|f| rondom_db::referrals::list(c, f))
        .collect::<Result<Vec<_>, _>>()?;
    let drafts = match drafts {
        Some(f) => rondom_db::referrals::list(c, f)?,
        None => vec![],
    };
    let asking = organisations_where(actor, asks_for);
    let answering = organisations_where(actor, answers_for);
    let (to_answer, answered) =
        rondom_db::consultations::waiting(c, &asking, &answering, QUEUE_LIMIT)?;
    let unread = rondom_db::consultations::unread(c, &actor.user_id)?;
    let mut noticed = Vec::new();
    let mut noticed_questions = Vec::new();
    for (_, _, link, _) in &unread {
        if let Some(id) = link.strip_prefix("/verwijzingen/") {
            if !noticed.iter().any(|l: &Listed| l.r.id == id) {
                noticed.extend(rondom_db::referrals::find_listed(c, id)?);
            }
        } else if let Some(id) = link.strip_prefix("/overleg/")
            && !noticed_questions
                .iter()
                .any(|q: &rondom_db::consultations::Listed| q.c.id == id)
            && let Some(q) = rondom_db::consultations::find_listed(c, id)?
            && (asks_for(actor, &q.c.practice_id) || answers_for(actor, &q.c.team_id))
        {
            noticed_questions.push(q);
        }
    }
    let mut teams = Vec::new();
    for team in organisations_where(actor, leads_team) {
        let name = rondom_db::organisations::find(c, &team)?
            .map(|o| o.name)
            .unwrap_or_default();
        let members = rondom_db::organisations::members(c, &team)?;
        let mut caseload: Vec<(String, i64)> = rondom_db::referrals::caseload(c, &team)?
            .into_iter()
            .map(|(id, n)| {
                let who = members
                    .iter()
                    .find(|m| m.user_id == id)
                    .map_or_else(|| "(niet meer in het team)".to_owned(), |m| m.name.clone());
                (who, n)
            })
            .collect();
        caseload.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut waiting = rondom_db::referrals::list(
            c,
            &Filter {
                to_orgs: vec![team],
                statuses: vec![Status::Accepted],
                limit: QUEUE_LIMIT,
                ..Filter::default()
            },
        )?;
        waiting.sort_by_key(|l| l.r.accepted_on);
        teams.push((name, caseload, waiting));
    }
    Ok(Stored {
        queues: lists,
        drafts,
        to_answer,
        answered,
        unread,
        noticed,
        noticed_questions,
        teams,
    })
}

/// Notices told once each (the same news about the same thing, however often it came),
/// newest first, saying what they are about.
fn notices(
    unread: Vec<(String, String, String, NaiveDateTime)>,
    referrals: &[Shown],
    questions: &[crate::consultation::read::Listed],
    today: NaiveDate,
) -> Vec<Notice> {
    let mut out: Vec<Notice> = Vec::new();
    for (_, text, link, at) in unread {
        if let Some(n) = out.iter_mut().find(|n| n.text == text && n.link == link) {
            n.times += 1;
            continue;
        }
        let about = if let Some(id) = link.strip_prefix("/verwijzingen/") {
            referrals.iter().find(|s| s.r.id == id).map(|s| {
                format!(
                    "{}, {} jaar",
                    initials(&s.child_name),
                    crate::referral::age_on(s.child_birth_date, today)
                )
            })
        } else if let Some(id) = link.strip_prefix("/overleg/") {
            questions
                .iter()
                .find(|q| q.listed.c.id == id)
                .map(|q| q.subject.clone())
        } else {
            None
        };
        out.push(Notice {
            text,
            about,
            link,
            times: 1,
            at,
        });
    }
    out
}

/// "NdV" for Noor de Vries: enough for the one who knows the child, little for others.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .collect()
}

/// What the menu counts: referrals and questions that wait for this person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MenuCounts {
    pub referrals: i64,
    pub consultations: i64,
    /// Unread messages in the person's conversations.
    pub messages: i64,
}

/// The menu's counts per person, kept a few seconds: every page shows them, and two
/// counts per page view would cost more than the page; a number a few seconds old is
/// news enough in a menu (the start page itself is read fresh). A person's own change
/// forgets theirs at once (`forget`), so what they just did shows on their next page.
/// Each server keeps its own; the database stays the record.
#[derive(Default)]
pub struct TodayCache {
    counts: Mutex<HashMap<String, (Instant, MenuCounts)>>,
}

const FRESH_FOR: Duration = Duration::from_secs(15);
/// Past this many people the cache starts over (a bound on memory, not a policy).
const CACHED_PEOPLE: usize = 10_000;

impl TodayCache {
    /// The menu's counts for this person: from memory while fresh, else counted.
    pub async fn counts(
        &self,
        svc: &Services,
        actor: &rondom_domain::Actor,
    ) -> Result<MenuCounts, Error> {
        if let Some((at, counts)) = self.lock().get(&actor.user_id)
            && at.elapsed() < FRESH_FOR
        {
            return Ok(*counts);
        }
        let receiving = crate::referral::receiving_orgs(actor);
        let asking = organisations_where(actor, asks_for);
        let answering = organisations_where(actor, answers_for);
        let today = dates::today();
        let mut counts = svc
            .db
            .read(move |c| {
                Ok(MenuCounts {
                    referrals: rondom_db::referrals::waiting_count(c, &receiving, today)?,
                    consultations: rondom_db::consultations::waiting_count(c, &asking, &answering)?,
                    messages: 0,
                })
            })
            .await?;
        counts.messages = crate::message::unread_total(svc, actor).await?;
        let mut entries = self.lock();
        if entries.len() >= CACHED_PEOPLE {
            entries.clear();
        }
        entries.insert(actor.user_id.clone(), (Instant::now(), counts));
        Ok(counts)
    }

    /// The person is about to change something: count again next time.
    pub fn forget(&self, user_id: &str) {
        self.lock().remove(user_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, MenuCounts)>> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_keep_the_surname_prefix_small() {
        assert_eq!(initials("Noor de Vries"), "NdV");
        assert_eq!(initials("Sem Bakker"), "SB");
        assert_eq!(initials(""), "");
    }
}
