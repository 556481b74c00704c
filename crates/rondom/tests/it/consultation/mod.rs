//! Consultation (overleg, issue 4): a GP asks the linked social team anonymously, a
//! consultant picks it up and answers, the GP is told without content; outsiders get
//! nothing.

mod access;
mod anonymous;
mod lifecycle;
mod schools;

use crate::common::*;
use rondom_db::directory;

struct World {
    practice: String,
    team: String,
}

async fn world(app: &TestApp) -> World {
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    app.user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    let (p, t) = (practice.clone(), team.clone());
    app.db
        .write(move |c| directory::link_consultant(c, &p, &t, &sanne).map(|_| ()))
        .await
        .unwrap();
    World { practice, team }
}

async fn ask(
    app: &TestApp,
    gp: &reqwest::Client,
    team: &str,
    subject: &str,
    question: &str,
) -> reqwest::Response {
    let csrf = csrf_of(app, gp).await;
    gp.post(app.url("/overleg/nieuw"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("team", team),
            ("onderwerp", subject),
            ("vraag", question),
        ])
        .send()
        .await
        .unwrap()
}
