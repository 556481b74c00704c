//! The start page's "Vandaag": the person's work of today as `rondom_app::today` finds
//! it, shaped for the page.

use crate::format;
use crate::referral::pages::{Row, row};
use rondom_app::Disclosed;
use rondom_app::today::{Queue, Today};

/// Queues longer than this show their first rows and a link to the whole list; new
/// referrals and what is due today always show whole.
const SHOWN: usize = 10;

pub struct QueueView {
    pub key: &'static str,
    pub title: &'static str,
    /// "7", or "50+".
    pub count: String,
    pub rows: Vec<Row>,
    /// The inbox section that lists the rest.
    pub rest: Option<&'static str>,
}

pub struct QuestionView {
    pub id: String,
    pub subject: String,
    pub with: String,
    pub due: String,
    pub overdue: bool,
    pub mine: bool,
}

pub struct NoticeView {
    pub text: String,
    pub about: Option<String>,
    pub link: String,
    pub times: usize,
    pub when: String,
}

pub struct DraftView {
    pub id: String,
    pub to: String,
    pub age: i32,
    pub created: String,
}

pub struct TeamView {
    pub name: String,
    pub caseload: Vec<(String, i64)>,
    /// (row, working days waiting)
    pub waiting: Vec<(Row, u32)>,
}

/// One count at the top of the page, linking to its part.
pub struct Tally {
    pub anchor: &'static str,
    pub count: String,
    pub label: &'static str,
}

pub struct TodayView {
    pub tally: Vec<Tally>,
    pub notices: Vec<NoticeView>,
    pub queues: Vec<QueueView>,
    pub to_answer: Vec<QuestionView>,
    pub answered: Vec<QuestionView>,
    pub drafts: Vec<DraftView>,
    pub teams: Vec<TeamView>,
    pub nothing: bool,
}

fn queue(q: Queue) -> QueueView {
    let whole = matches!(q.key, "nieuw" | "vandaag");
    let total = q.items.len();
    let cut = if whole { total } else { total.min(SHOWN) };
    QueueView {
        key: q.key,
        title: q.title,
        count: if q.more {
            format!("{}+", rondom_app::today::QUEUE_LIMIT)
        } else {
            total.to_string()
        },
        rows: q.items.iter().take(cut).map(row).collect(),
        rest: (q.more || cut < total).then_some(q.key),
    }
}

pub fn view(today: Disclosed<Today>) -> TodayView {
    let t = today.into_inner();
    let nothing = t.is_empty();
    let question = |q: rondom_app::today::Question| QuestionView {
        id: q.id,
        subject: q.subject,
        with: q.with,
        due: format::dutch_date(q.due),
        overdue: q.overdue,
        mine: q.mine,
    };
    let queues: Vec<QueueView> = t
        .queues
        .into_iter()
        .filter(|q| !q.items.is_empty())
        .map(queue)
        .collect();
    let notices: Vec<NoticeView> = t
        .notices
        .into_iter()
        .map(|n| NoticeView {
            text: n.text,
            about: n.about,
            link: n.link,
            times: n.times,
            when: format::datetime(n.at),
        })
        .collect();
    let to_answer: Vec<QuestionView> = t.to_answer.into_iter().map(question).collect();
    let answered: Vec<QuestionView> = t.answered.into_iter().map(question).collect();
    let mut tally = Vec::new();
    if !notices.is_empty() {
        tally.push(Tally {
            anchor: "nieuws",
            count: notices.len().to_string(),
            label: "nieuws",
        });
    }
    for q in &queues {
        tally.push(Tally {
            anchor: q.key,
            count: q.count.clone(),
            label: q.title,
        });
    }
    let mut count = |anchor, n: usize, one, more| {
        if n > 0 {
            tally.push(Tally {
                anchor,
                count: n.to_string(),
                label: if n == 1 { one } else { more },
            });
        }
    };
    count(
        "te-beantwoorden",
        to_answer.len(),
        "overlegvraag te beantwoorden",
        "overlegvragen te beantwoorden",
    );
    count(
        "antwoorden",
        answered.len(),
        "antwoord op uw vragen",
        "antwoorden op uw vragen",
    );
    let drafts = t.drafts.len();
    count("concepten", drafts, "concept", "concepten");
    TodayView {
        tally,
        notices,
        queues,
        to_answer,
        answered,
        drafts: t
            .drafts
            .into_iter()
            .map(|d| DraftView {
                id: d.id,
                to: d.to_name,
                age: d.age,
                created: format::long_date(format::to_local(d.created).date()),
            })
            .collect(),
        teams: t
            .teams
            .into_iter()
            .map(|tv| TeamView {
                name: tv.team_name,
                caseload: tv.caseload,
                waiting: tv.waiting.iter().map(|(s, d)| (row(s), *d)).collect(),
            })
            .collect(),
        nothing,
    }
}
