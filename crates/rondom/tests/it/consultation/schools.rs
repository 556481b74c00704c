//! A school's intern begeleider and JGZ use the overleglijn to the social team of their
//! municipality, as a practice does to its linked team; a team elsewhere is out of reach.

use super::{ask, world};
use crate::common::*;

on_both_backends!(a_school_and_jgz_ask_the_team_of_their_municipality);

async fn a_school_and_jgz_ask_the_team_of_their_municipality(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let school = app.org("Basisschool De Regenboog", "school").await;
    app.user("ib@regenboog.example", Some(&school), &["school"])
        .await;
    let jgz = app.org("JGZ Voorbeeld", "jgz").await;
    app.user("jeugdarts@jgz.example", Some(&jgz), &["jgz"])
        .await;
    let far = app
        .org_in("Sociaal Team Elders", "sociaal_team", "GM0363")
        .await;

    let ib = logged_in(&app, "ib@regenboog.example").await;
    let form = fetch_page(&app, &ib, "/overleg/nieuw").await;
    assert!(form.contains("Sociaal Team Voorbeeld") && !form.contains("Sociaal Team Elders"));
    let r = ask(
        &app,
        &ib,
        &far,
        "Jongen 9 jaar, pesten",
        "Wat kan de school doen?",
    )
    .await;
    assert_eq!(
        r.status(),
        422,
        "a team of another municipality is out of reach"
    );
    let r = ask(
        &app,
        &ib,
        &w.team,
        "Jongen 9 jaar, pesten",
        "Hij wordt al maanden gepest en komt niet meer graag. Wat kan de school doen?",
    )
    .await;
    assert_eq!(r.status(), 303);
    let thread = location(&r);
    let page = fetch_page(&app, &ib, &thread).await;
    assert!(page.contains("Jongen 9 jaar, pesten"));

    let jgz_doctor = logged_in(&app, "jeugdarts@jgz.example").await;
    let r = ask(
        &app,
        &jgz_doctor,
        &w.team,
        "Peuter 2 jaar, groeit slecht",
        "Ouders zijn overbelast. Past gezinsondersteuning?",
    )
    .await;
    assert_eq!(r.status(), 303);

    // The team finds both in its queue, from whom they came.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let queue = fetch_page(&app, &sanne, "/overleg").await;
    assert!(
        queue.contains("Jongen 9 jaar, pesten")
            && queue.contains("Basisschool De Regenboog")
            && queue.contains("Peuter 2 jaar, groeit slecht")
            && queue.contains("JGZ Voorbeeld"),
        "{queue}"
    );
    // Neither reads the other's question, nor the practice's.
    let r = jgz_doctor.get(app.url(&thread)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    app.stop().await;
}
